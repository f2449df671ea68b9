//! `duckpipe keygen`: fresh keys, printed in `.env` form or written into a settings file.
//!
//! Written keys never pass through a shell: `keygen >> .env` would append to a file the shell
//! creates world-readable, and after a `.env.example` copy it would leave every key line twice
//! (the empty ones first). `--out` fills in empty key lines where they are, creates a new file from
//! the settings template (`.env.example`, so every setting is there to uncomment), refuses to
//! replace keys without `--force`, and leaves the file readable by its owner only.

use std::io::Write as _;
use std::path::Path;

use super::args::KeygenArgs;
use super::output::print_text;
use super::settings::assigned_name;
use crate::error::UsageError;
use crate::keys::{HMAC_KEY_VAR, KEY_VARS, PARQUET_KEY_VAR, QUARANTINE_KEY_VAR, keygen_env, new_key};

/// The settings template: `.env.example`, with empty key lines.
pub const TEMPLATE: &str = include_str!("../../.env.example");

pub fn run(args: KeygenArgs) -> anyhow::Result<()> {
    match args.out.as_deref() {
        None => print_text(&keygen_env()),
        Some(path) if path == Path::new("-") => print_text(&keygen_env()),
        Some(path) => {
            let what = write_env_file(path, &NewKeys::new(), args.force)?;
            print_text(&format!(
                "{what} {} with new {} (mode 0600; the keys are not printed). \
                 Keep it safe: data written with these keys cannot be read without it.\n",
                path.display(),
                KEY_VARS.join(", ")
            ))
        }
    }
}

/// A fresh key, base64, for each of [`KEY_VARS`].
pub struct NewKeys {
    pub parquet: String,
    pub hmac: String,
    pub quarantine: String,
}

impl NewKeys {
    #[allow(clippy::new_without_default)] // fresh random keys are not a default
    pub fn new() -> Self {
        Self { parquet: new_key(), hmac: new_key(), quarantine: new_key() }
    }

    /// `(variable, key)` for each of [`KEY_VARS`], in that order.
    fn assignments(&self) -> [(&'static str, &str); 3] {
        [(PARQUET_KEY_VAR, &self.parquet), (HMAC_KEY_VAR, &self.hmac), (QUARANTINE_KEY_VAR, &self.quarantine)]
    }
}

/// Writes the keys into `path` (see the module doc) and returns what was done, for the message.
pub fn write_env_file(path: &Path, keys: &NewKeys, force: bool) -> anyhow::Result<&'static str> {
    let (existing, what) = match std::fs::read_to_string(path) {
        Ok(text) => (text, if force { "Replaced the keys in" } else { "Filled in" }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (TEMPLATE.to_string(), "Created"),
        Err(e) => return Err(UsageError(format!("cannot read {}: {}", path.display(), e.kind())).into()),
    };
    let text = with_keys(&existing, &keys.assignments(), force).map_err(|var| {
        UsageError(format!(
            "{} already holds {var}: a new key would make the data written with the old one unreadable through \
                 this file. Keep the file as it is, or pass --force to replace the keys (save the old ones first)",
            path.display()
        ))
    })?;
    write_private(path, &text)?;
    Ok(what)
}

/// `text` with each `(name, value)` assigned once: the first assignment line of the name is
/// replaced, later ones dropped (a later line would win), a missing one appended. A name that
/// already has a non-empty value is refused (`Err(name)`) unless `force`.
fn with_keys(text: &str, keys: &[(&'static str, &str)], force: bool) -> Result<String, &'static str> {
    for (name, _) in keys {
        let held = text.lines().filter(|l| assigned_name(l) == Some(name)).any(|l| !assigned_value(l).is_empty());
        if held && !force {
            return Err(name);
        }
    }
    let mut out = String::with_capacity(text.len() + 128);
    let mut written: Vec<&str> = Vec::new();
    for line in text.lines() {
        match keys.iter().find(|(name, _)| assigned_name(line) == Some(name)) {
            Some((name, _)) if written.contains(name) => {}
            Some((name, value)) => {
                out.push_str(&format!("{name}={value}\n"));
                written.push(name);
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    for (name, value) in keys {
        if !written.contains(name) {
            out.push_str(&format!("{name}={value}\n"));
        }
    }
    Ok(out)
}

/// The value a `.env` assignment line sets, as the `.env` reader sees it.
fn assigned_value(line: &str) -> String {
    dotenvy::from_read_iter(line.as_bytes()).next().and_then(Result::ok).map(|(_, v)| v).unwrap_or_default()
}

/// Replaces `path` with `text`, readable and writable by its owner only: the new content goes to
/// a private temporary file next to it, which then takes its name (so no reader ever sees half a
/// file, and no moment exists where the keys are in a file others may read).
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| UsageError(format!("cannot write {}: {e}", path.display()));
    // tempfile creates the file with mode 0600.
    let mut file = tempfile::Builder::new().prefix(".duckpipe-env-").tempfile_in(dir).map_err(fail)?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.as_file().sync_all().map_err(fail)?;
    file.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: [(&str, &str); 2] = [(PARQUET_KEY_VAR, "P"), (HMAC_KEY_VAR, "H")];
    use crate::keys::{HMAC_KEY_VAR, PARQUET_KEY_VAR, QUARANTINE_KEY_VAR};

    #[test]
    fn empty_key_lines_are_filled_in_place_and_others_kept() {
        let text = "# c\nDUCKPIPE_PARQUET_KEY=\nX=1\nDUCKPIPE_HMAC_KEY=\n#DUCKPIPE_DEST=s3://a/b\n";
        assert_eq!(
            with_keys(text, &KEYS, false).unwrap(),
            "# c\nDUCKPIPE_PARQUET_KEY=P\nX=1\nDUCKPIPE_HMAC_KEY=H\n#DUCKPIPE_DEST=s3://a/b\n"
        );
        // Missing lines are appended; a repeated empty line is dropped (the last one would win).
        assert_eq!(
            with_keys("X=1\nDUCKPIPE_HMAC_KEY=\nDUCKPIPE_HMAC_KEY=\n", &KEYS, false).unwrap(),
            "X=1\nDUCKPIPE_HMAC_KEY=H\nDUCKPIPE_PARQUET_KEY=P\n"
        );
    }

    #[test]
    fn existing_keys_are_kept_unless_forced() {
        let text = "DUCKPIPE_PARQUET_KEY=old\nDUCKPIPE_HMAC_KEY=\n";
        assert_eq!(with_keys(text, &KEYS, false), Err(PARQUET_KEY_VAR));
        // Also when the key sits in a later, repeated line.
        assert_eq!(
            with_keys("DUCKPIPE_HMAC_KEY=\nexport DUCKPIPE_HMAC_KEY=\"old\"\n", &KEYS, false),
            Err(HMAC_KEY_VAR)
        );
        assert_eq!(with_keys(text, &KEYS, true).unwrap(), "DUCKPIPE_PARQUET_KEY=P\nDUCKPIPE_HMAC_KEY=H\n");
    }

    #[test]
    fn the_template_has_empty_key_lines() {
        let filled = with_keys(TEMPLATE, &KEYS, false).unwrap();
        assert_eq!(filled.lines().filter(|l| *l == "DUCKPIPE_PARQUET_KEY=P").count(), 1);
        assert_eq!(filled.lines().filter(|l| *l == "DUCKPIPE_HMAC_KEY=H").count(), 1);
        let all = with_keys(TEMPLATE, &[(QUARANTINE_KEY_VAR, "Q")], false).unwrap();
        assert_eq!(all.lines().filter(|l| *l == "DUCKPIPE_QUARANTINE_KEY=Q").count(), 1);
        assert_eq!(filled.lines().count(), TEMPLATE.lines().count(), "filled in place, nothing appended");
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, "DUCKPIPE_PARQUET_KEY=\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let keys = |k: &str| NewKeys { parquet: format!("p{k}"), hmac: format!("h{k}"), quarantine: format!("q{k}") };
        assert_eq!(write_env_file(&path, &keys("1"), false).unwrap(), "Filled in");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(write_env_file(&path, &keys("2"), false).is_err());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "DUCKPIPE_PARQUET_KEY=p1\nDUCKPIPE_HMAC_KEY=h1\nDUCKPIPE_QUARANTINE_KEY=q1\n"
        );
        let fresh = dir.path().join("new.env");
        assert_eq!(write_env_file(&fresh, &NewKeys::new(), false).unwrap(), "Created");
        assert_eq!(std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
