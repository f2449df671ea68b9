//! Settings: every value a command uses, resolved once — a flag, else the environment, else
//! `./.env`, else the default — with where it came from (`duckpipe config` shows it), and
//! validated before any work starts.
//!
//! `./.env` is read by `main` before the flags are parsed ([`Env::load`]) and merged into the
//! process environment where the environment has no value of its own, so the layers below that
//! read variables (the S3 settings, DuckDB's memory limit) see the same values as this one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use url::Url;

use super::args::{DestArgs, LoadArgs, SourceKind};
use crate::error::UsageError;
use crate::keys::{HMAC_KEY_VAR, HmacKey, KEY_VARS, KeyError, PARQUET_KEY_VAR, ParquetKey, QUARANTINE_KEY_VAR};
use crate::lake::record::{KeyFingerprints, SourceParameters};
use crate::lake::{DEFAULT_DEST, Destination, StoreConfigError};
use crate::pipeline::source::file::FileSource;
use crate::pipeline::source::synthetic::{Generator, SyntheticSource};
use crate::pipeline::source::{Source, api};
use crate::pipeline::{self, LoadOptions, LoadPrivacy};

/// The file of settings in the working directory.
pub const DOTENV: &str = ".env";

/// Variables that select the destination and the API when no flag does.
pub const DEST_VAR: &str = "DUCKPIPE_DEST";
pub const API_URL_VAR: &str = "DUCKPIPE_API_URL";

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A command-line flag.
    Flag,
    /// The process environment.
    Environment,
    /// `./.env`.
    Dotenv,
    /// The AWS shared credentials or config file.
    AwsProfile,
    /// Built into duckpipe.
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Flag => "flag",
            Self::Environment => "environment",
            Self::Dotenv => ".env",
            Self::AwsProfile => "AWS profile",
            Self::Default => "default",
        })
    }
}

/// A resolved value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

/// A name `./.env` assigns more than once: the last assignment is used, as a shell sourcing
/// the file would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub name: String,
    /// 1-based line numbers of every assignment.
    pub lines: Vec<usize>,
}

/// The environment the command runs in: the process environment with `./.env` merged in.
#[derive(Debug, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    /// Names whose value came from `./.env`.
    from_dotenv: BTreeSet<String>,
    /// What `./.env` held, if there is one: its path, assignments in order (last wins), repeats.
    pub dotenv: Option<DotenvFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvFile {
    pub path: PathBuf,
    pub values: BTreeMap<String, String>,
    pub duplicates: Vec<Duplicate>,
    /// Unix permission bits, for `duckpipe config`.
    pub mode: Option<u32>,
}

impl Env {
    /// Reads the process environment and `path` (usually `./.env`; a missing file is no error).
    pub fn load(path: &Path) -> Result<Self, UsageError> {
        let process: BTreeMap<String, String> =
            std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))).collect();
        let dotenv = match std::fs::read(path) {
            Ok(bytes) => Some(DotenvFile::parse(path, &bytes)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(UsageError(format!("{} could not be read: {}", path.display(), e.kind()))),
        };
        Ok(Self::merge(process, dotenv))
    }

    /// The environment wins over `.env`; an empty variable counts as unset (`.env.example`
    /// lists the keys with empty values).
    pub fn merge(process: BTreeMap<String, String>, dotenv: Option<DotenvFile>) -> Self {
        let mut vars = process;
        let mut from_dotenv = BTreeSet::new();
        if let Some(file) = &dotenv {
            for (name, value) in &file.values {
                let unset = vars.get(name).is_none_or(|v| v.trim().is_empty());
                if unset && !value.trim().is_empty() {
                    vars.insert(name.clone(), value.clone());
                    from_dotenv.insert(name.clone());
                }
            }
        }
        Self { vars, from_dotenv, dotenv }
    }

    /// Puts the values taken from `.env` into the process environment, for the layers below
    /// that read variables themselves (S3 settings, DuckDB's memory limit, the httpfs path).
    ///
    /// # Safety
    /// Changes the process environment: call it before any other thread runs (from `main`).
    pub unsafe fn export(&self) {
        for name in &self.from_dotenv {
            // SAFETY: the caller guarantees that no other thread reads or writes the environment.
            unsafe { std::env::set_var(name, &self.vars[name]) };
        }
    }

    /// Refuses a `.env` that others may write (they could plant their own keys, and so read what
    /// is loaded with them, or point the API URL elsewhere) unless `allow_insecure`; warns about
    /// one that others may read (the keys are in it).
    pub fn check_dotenv_mode(&self, allow_insecure: bool) -> Result<(), UsageError> {
        let Some(DotenvFile { path, mode: Some(mode), .. }) = &self.dotenv else { return Ok(()) };
        let fix = format!("run `chmod 600 {}`", path.display());
        if mode & 0o022 != 0 {
            let what = format!("{} can be written by other users (mode {mode:03o})", path.display());
            if !allow_insecure {
                return Err(UsageError(format!(
                    "{what}: anyone who can write it can set the keys and settings duckpipe uses; {fix} \
                     (or pass --allow-insecure-env to use it anyway)"
                )));
            }
            tracing::warn!("{what}; used anyway because of --allow-insecure-env — {fix}");
        } else if mode & 0o044 != 0 {
            tracing::warn!("{} can be read by other users (mode {mode:03o}) and holds the keys: {fix}", path.display());
        }
        Ok(())
    }

    /// Says once, on stderr, which names `.env` assigns more than once.
    pub fn warn_about_dotenv(&self) {
        if let Some(file) = &self.dotenv {
            for d in &file.duplicates {
                let lines: Vec<String> = d.lines.iter().map(|l| l.to_string()).collect();
                tracing::warn!(
                    "{} sets {} {} times (lines {}): the last one is used",
                    file.path.display(),
                    d.name,
                    d.lines.len(),
                    lines.join(", ")
                );
            }
        }
    }

    /// A variable's value (non-empty) and where it came from.
    pub fn var(&self, name: &str) -> Option<Setting<String>> {
        let value = self.vars.get(name).filter(|v| !v.trim().is_empty())?.clone();
        let origin = if self.from_dotenv.contains(name) { Origin::Dotenv } else { Origin::Environment };
        Some(Setting { value, origin })
    }

    /// A variable's value alone.
    pub fn value(&self, name: &str) -> Option<String> {
        self.var(name).map(|s| s.value)
    }
}

impl DotenvFile {
    /// Parses `.env` text. A line that cannot be parsed is named by its number, never shown:
    /// it may hold a key.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, UsageError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text =
            std::str::from_utf8(bytes).map_err(|_| UsageError(format!("{} is not UTF-8 text", path.display())))?;
        let mut values = BTreeMap::new();
        let mut seen: Vec<String> = Vec::new();
        for item in dotenvy::from_read_iter(text.as_bytes()) {
            match item {
                Ok((name, value)) => {
                    seen.push(name.clone());
                    values.insert(name, value);
                }
                Err(dotenvy::Error::LineParse(bad, _)) => {
                    // The error holds the line's text: find its number (the text is never shown).
                    let first = bad.lines().next().unwrap_or("").trim_end();
                    let line = text.lines().position(|l| l.trim_end() == first).map_or(0, |i| i + 1);
                    return Err(UsageError(format!(
                        "{}: line {line} is not NAME=value (the line is not shown: it may hold a key)",
                        path.display()
                    )));
                }
                Err(_) => return Err(UsageError(format!("{} could not be read", path.display()))),
            }
        }
        let mut duplicates = Vec::new();
        for name in seen.iter().collect::<BTreeSet<_>>() {
            if seen.iter().filter(|n| *n == name).count() > 1 {
                duplicates.push(Duplicate { name: name.clone(), lines: assignment_lines(text, name) });
            }
        }
        Ok(Self { path: path.to_path_buf(), values, duplicates, mode: file_mode(path) })
    }
}

/// The 1-based numbers of the lines that assign `name` (`NAME=…` or `export NAME=…`).
pub fn assignment_lines(text: &str, name: &str) -> Vec<usize> {
    text.lines().enumerate().filter(|(_, line)| assigned_name(line) == Some(name)).map(|(i, _)| i + 1).collect()
}

/// The name a `.env` line assigns, if it is an assignment.
pub fn assigned_name(line: &str) -> Option<&str> {
    let line = line.trim_start();
    let line = line.strip_prefix("export ").map_or(line, str::trim_start);
    let (name, _) = line.split_once('=')?;
    let name = name.trim_end();
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(name)
}

fn file_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A flag, else the variable `var`, else the default. A bad value from a variable is an error
/// that names the variable and where it was set.
fn resolve<T>(
    env: &Env,
    flag: Option<T>,
    var: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    default: impl FnOnce() -> T,
) -> Result<Setting<T>, UsageError> {
    if let Some(value) = flag {
        return Ok(Setting { value, origin: Origin::Flag });
    }
    match env.var(var) {
        Some(Setting { value, origin }) => parse(value.trim())
            .map(|value| Setting { value, origin: origin.clone() })
            .map_err(|why| UsageError(format!("{var} (from {origin}): {why}"))),
        None => Ok(Setting { value: default(), origin: Origin::Default }),
    }
}

/// The destination: `--dest`, else `DUCKPIPE_DEST`, else `./lake`.
pub fn dest(args: &DestArgs, env: &Env) -> Result<Setting<Destination>, UsageError> {
    resolve(env, args.dest.clone(), DEST_VAR, parse_dest, || Destination::Local(PathBuf::from(DEFAULT_DEST)))
}

/// The key `rekey` moves the lake to (DUCKPIPE_NEW_PARQUET_KEY).
pub fn new_parquet_key(env: &Env) -> Result<ParquetKey, KeyError> {
    use crate::keys::NEW_PARQUET_KEY_VAR;
    ParquetKey::parse_var(
        NEW_PARQUET_KEY_VAR,
        &env.value(NEW_PARQUET_KEY_VAR).ok_or(KeyError::Missing { var: NEW_PARQUET_KEY_VAR })?,
    )
}

/// The key `rekey` moves the quarantine to, when DUCKPIPE_NEW_QUARANTINE_KEY is set.
pub fn new_quarantine_key_if_set(env: &Env) -> Result<Option<ParquetKey>, KeyError> {
    use crate::keys::NEW_QUARANTINE_KEY_VAR;
    env.value(NEW_QUARANTINE_KEY_VAR).map(|v| ParquetKey::parse_var(NEW_QUARANTINE_KEY_VAR, &v)).transpose()
}

/// `--dest` and `DUCKPIPE_DEST` values.
pub fn parse_dest(text: &str) -> Result<Destination, String> {
    Destination::parse(text).map_err(|e| match e {
        StoreConfigError::BadDest(_, why) => format!("{text:?}: {why}"),
        other => other.to_string(),
    })
}

/// The API base URL: `--api-url`, else `DUCKPIPE_API_URL`, else the pinned randomuser.me v1.4.
pub fn api_url(flag: Option<Url>, env: &Env) -> Result<Setting<Url>, UsageError> {
    resolve(env, flag, API_URL_VAR, parse_api_url, || {
        Url::parse(api::DEFAULT_BASE_URL).expect("the default API URL parses")
    })
}

/// An API URL. A refused value is not shown: a mistyped URL can still hold credentials
/// (`https://user:token@…`).
pub fn parse_api_url(text: &str) -> Result<Url, String> {
    match Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(url),
        Ok(_) => Err("the scheme must be http or https (the value is not shown: it may hold credentials)".into()),
        Err(_) => Err("not a URL (the value is not shown: it may hold credentials)".into()),
    }
}

/// The error for a lake that holds no complete run: a usage problem (nothing loaded there yet,
/// or the destination points elsewhere than meant), not a storage failure.
pub fn no_runs(dest: &Setting<Destination>) -> UsageError {
    let from = match dest.origin {
        Origin::Flag => "from --dest".to_string(),
        Origin::Default => format!("the default; --dest or {DEST_VAR} choose another"),
        ref other => format!("{DEST_VAR} from the {other}"),
    };
    UsageError(format!(
        "no complete runs at {} ({from}): nothing has been loaded there yet — run `duckpipe load` first",
        dest.value
    ))
}

/// The Parquet key alone (reading needs no HMAC key).
pub fn parquet_key(env: &Env) -> Result<ParquetKey, KeyError> {
    ParquetKey::parse(&env.value(PARQUET_KEY_VAR).ok_or(KeyError::Missing { var: PARQUET_KEY_VAR })?)
}

/// The HMAC key when it is set (querying needs none; a key that is set must be valid).
pub fn hmac_key_if_set(env: &Env) -> Result<Option<HmacKey>, KeyError> {
    env.value(HMAC_KEY_VAR).map(|v| HmacKey::parse(&v)).transpose()
}

pub struct Keys {
    pub parquet: ParquetKey,
    pub hmac: HmacKey,
    /// The quarantine's own Parquet key: the data key alone does not read rejected raw records.
    pub quarantine: ParquetKey,
}

/// The quarantine key when it is set (`runs --verify` checks quarantine objects only then).
pub fn quarantine_key(env: &Env) -> Result<Option<ParquetKey>, KeyError> {
    env.value(QUARANTINE_KEY_VAR).map(|v| ParquetKey::parse_quarantine(&v)).transpose()
}

/// The three keys. With `init_if_absent`, a first run that has none of them and no `./.env` gets
/// fresh keys in a new `./.env` (mode 0600, the same file `duckpipe keygen --out .env` makes) —
/// the local quick start; the keys are not printed. The quarantine key must differ from the data
/// key, or the data key would read it.
pub fn keys(env: &Env, init_if_absent: bool) -> anyhow::Result<Keys> {
    let none_set = KEY_VARS.iter().all(|v| env.var(v).is_none());
    if init_if_absent && none_set && !Path::new(DOTENV).exists() {
        let fresh = super::keygen::NewKeys::new();
        super::keygen::write_env_file(Path::new(DOTENV), &fresh, false)?;
        tracing::warn!(
            "no keys were set: created ./.env (mode 0600) with new DUCKPIPE_PARQUET_KEY, DUCKPIPE_HMAC_KEY and DUCKPIPE_QUARANTINE_KEY — keep it safe, the data cannot be read without it"
        );
        return Ok(Keys {
            parquet: ParquetKey::parse(&fresh.parquet)?,
            hmac: HmacKey::parse(&fresh.hmac)?,
            quarantine: ParquetKey::parse_quarantine(&fresh.quarantine)?,
        });
    }
    let parquet = parquet_key(env)?;
    let hmac = HmacKey::parse(&env.value(HMAC_KEY_VAR).ok_or(KeyError::Missing { var: HMAC_KEY_VAR })?)?;
    let quarantine = quarantine_key(env)?.ok_or(KeyError::Missing { var: QUARANTINE_KEY_VAR })?;
    if quarantine == parquet {
        return Err(UsageError(format!(
            "{QUARANTINE_KEY_VAR} is the same key as {PARQUET_KEY_VAR}: the quarantine needs a key of its own (see README \"Keys\")"
        ))
        .into());
    }
    Ok(Keys { parquet, hmac, quarantine })
}

/// `--as-of`, or now (to the second: reports say "as of 10:49:21", not nanoseconds).
pub fn as_of(flag: Option<OffsetDateTime>) -> OffsetDateTime {
    flag.unwrap_or_else(|| {
        let now = OffsetDateTime::now_utc();
        now.replace_nanosecond(0).unwrap_or(now)
    })
}

/// `--qi`: each column once, in the order given.
pub fn quasi_identifiers(columns: &[&'static str]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in columns {
        if !out.contains(c) {
            out.push(c);
        }
    }
    out
}

/// The source a load reads: `--source`, else `file` when `--input` is given, else the API.
pub fn source_kind(args: &LoadArgs) -> SourceKind {
    match (args.source, &args.input) {
        (Some(kind), _) => kind,
        (None, Some(_)) => SourceKind::File,
        (None, None) => SourceKind::Api,
    }
}

fn source_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Api => "api",
        SourceKind::File => "file",
        SourceKind::Synthetic => "synthetic",
    }
}

/// Refuses flags given for a source they do not apply to (they would be silently ignored).
fn check_flags_apply(args: &LoadArgs, kind: SourceKind) -> Result<(), UsageError> {
    use SourceKind::{Api, File, Synthetic};
    let given: [(&str, bool, &[SourceKind]); 7] = [
        ("--input", args.input.is_some(), &[File]),
        ("--count", args.count.is_some(), &[Api, Synthetic]),
        ("--seed", args.seed.is_some(), &[Api, Synthetic]),
        ("--nat", args.nat.is_some(), &[Api, Synthetic]),
        ("--api-url", args.api_url.is_some(), &[Api]),
        ("--timeout", args.timeout.is_some(), &[Api]),
        ("--attempts", args.attempts.is_some(), &[Api]),
    ];
    for (flag, is_given, applies) in given {
        if is_given && !applies.contains(&kind) {
            let sources: Vec<String> = applies.iter().map(|k| format!("--source {}", source_name(*k))).collect();
            let why = match kind {
                File => " (a file holds its own users)",
                _ => "",
            };
            return Err(UsageError(format!(
                "{flag} does not apply to --source {}{why}: it is for {} only",
                source_name(kind),
                sources.join(" and ")
            )));
        }
    }
    if kind == File && args.input.is_none() {
        return Err(UsageError("--source file needs --input FILE (an API response, a JSON array or NDJSON)".into()));
    }
    Ok(())
}

/// Default `--count` for the API and the generator.
pub const DEFAULT_COUNT: u64 = 100;
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_ATTEMPTS: u32 = 5;

/// The options of one load, from its flags, its destination (see [`dest`]), the environment and
/// its keys.
pub fn load_options(args: &LoadArgs, dest: Destination, keys: &Keys, env: &Env) -> anyhow::Result<LoadOptions> {
    let kind = source_kind(args);
    check_flags_apply(args, kind)?;
    let as_of = as_of(args.as_of);
    let nat = args.nat.clone();
    let count = args.count.unwrap_or(DEFAULT_COUNT);
    let seed = args.seed.clone().unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
    let mut parameters = SourceParameters::default();
    let source: Arc<dyn Source> = match kind {
        SourceKind::Api => {
            let url = api_url(args.api_url.clone(), env)?.value;
            parameters = SourceParameters {
                count: Some(count),
                page_size: Some(args.page_size),
                // Without query or credentials: only where the data came from.
                api_url: Some(api::public_url(url.as_str())),
                input: None,
            };
            Arc::new(api::ApiOptions {
                base_url: url.to_string(),
                count,
                page_size: args.page_size,
                seed: Some(seed),
                nat,
                timeout: Duration::from_secs(args.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS)),
                max_attempts: args.attempts.unwrap_or(DEFAULT_ATTEMPTS),
                ..api::ApiOptions::default()
            })
        }
        SourceKind::File => {
            let path = args.input.clone().expect("checked by check_flags_apply");
            parameters.input = Some(path.display().to_string());
            Arc::new(FileSource { path, max_record_bytes: args.max_record_size })
        }
        SourceKind::Synthetic => {
            parameters.count = Some(count);
            let generator =
                Generator::new(&seed, nat.as_deref(), as_of).map_err(|e| UsageError(format!("--nat: {e:#}")))?;
            Arc::new(SyntheticSource { generator, count })
        }
    };
    Ok(LoadOptions {
        source,
        parameters,
        dest,
        as_of,
        run_id: args.run_id.clone().unwrap_or_else(|| pipeline::new_run_id(OffsetDateTime::now_utc())),
        batch_size: args.page_size as usize,
        max_bad_ratio: args.max_bad_ratio,
        keys: KeyFingerprints {
            parquet: keys.parquet.fingerprint(),
            hmac: keys.hmac.fingerprint(),
            quarantine: Some(keys.quarantine.fingerprint()),
        },
        privacy: LoadPrivacy { strict: args.strict, min_k: args.min_k },
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};

    fn qi(flag: &str) -> Result<Vec<&'static str>, String> {
        match Cli::try_parse_from(["duckpipe", "risk", "--qi", flag]) {
            Ok(Cli { command: Command::Risk(args), .. }) => Ok(quasi_identifiers(&args.qi)),
            Ok(_) => unreachable!(),
            Err(e) => Err(e.to_string()),
        }
    }

    #[test]
    fn qi_are_checked_against_the_allow_list() {
        assert_eq!(qi("gender,age_band").unwrap(), vec!["gender", "age_band"]);
        assert_eq!(qi(" City , gender,city").unwrap(), vec!["city", "gender"]);
        let e = qi("gender,email').--").unwrap_err();
        assert!(e.contains("not a quasi-identifier") && e.contains("age_band"), "{e}");
        assert!(qi(",").is_err());
        assert!(qi("user_id").is_err(), "pseudonyms are not offered as QI");
    }

    fn env(process: &[(&str, &str)], dotenv: &str) -> Env {
        let process = process.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let file = DotenvFile::parse(Path::new(".env"), dotenv.as_bytes()).unwrap();
        Env::merge(process, Some(file))
    }

    fn load_args(args: &[&str]) -> LoadArgs {
        let mut argv = vec!["duckpipe", "load"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Load(a) => a,
            _ => unreachable!(),
        }
    }

    #[test]
    fn flags_beat_the_environment_which_beats_dotenv_which_beats_defaults() {
        let e = env(&[("DUCKPIPE_DEST", "s3://from-env/x")], "DUCKPIPE_DEST=s3://from-dotenv/x\n");
        let flag = DestArgs { dest: Some(Destination::parse("./flag").unwrap()) };
        assert_eq!(dest(&flag, &e).unwrap().origin, Origin::Flag);
        let none = DestArgs { dest: None };
        let d = dest(&none, &e).unwrap();
        assert_eq!((d.value.to_string(), d.origin), ("s3://from-env/x".to_string(), Origin::Environment));
        let e = env(&[], "DUCKPIPE_DEST=s3://from-dotenv/x\nDUCKPIPE_API_URL=http://127.0.0.1:1/api/\n");
        let d = dest(&none, &e).unwrap();
        assert_eq!((d.value.to_string(), d.origin), ("s3://from-dotenv/x".to_string(), Origin::Dotenv));
        assert_eq!(api_url(None, &e).unwrap().value.as_str(), "http://127.0.0.1:1/api/");
        let e = env(&[("DUCKPIPE_DEST", "")], "");
        assert_eq!(
            dest(&none, &e).unwrap(),
            Setting { value: Destination::parse("./lake").unwrap(), origin: Origin::Default }
        );
    }

    #[test]
    fn a_bad_value_from_a_variable_names_the_variable_and_where_it_was_set() {
        let e = env(&[], "DUCKPIPE_DEST=s3:/bucket/lake\n");
        let err = dest(&DestArgs { dest: None }, &e).unwrap_err().to_string();
        assert!(err.starts_with("DUCKPIPE_DEST (from .env): \"s3:/bucket/lake\""), "{err}");
        assert!(err.contains("s3://bucket"), "{err}");
    }

    #[test]
    fn dotenv_duplicates_are_found_and_the_last_one_wins() {
        let text = "# keys\nDUCKPIPE_PARQUET_KEY=\nDUCKPIPE_HMAC_KEY=a\nexport DUCKPIPE_PARQUET_KEY=second\n";
        let file = DotenvFile::parse(Path::new(".env"), text.as_bytes()).unwrap();
        assert_eq!(file.values["DUCKPIPE_PARQUET_KEY"], "second");
        assert_eq!(file.duplicates, vec![Duplicate { name: "DUCKPIPE_PARQUET_KEY".into(), lines: vec![2, 4] }]);
        // An empty value in the environment does not hide .env's.
        let e = Env::merge([("DUCKPIPE_PARQUET_KEY".to_string(), String::new())].into(), Some(file));
        assert_eq!(e.var("DUCKPIPE_PARQUET_KEY").unwrap().origin, Origin::Dotenv);
        let err = DotenvFile::parse(Path::new(".env"), b"A=1\n# c\nB=2\nthis is not 'valid\n").unwrap_err().to_string();
        assert!(err.contains("line 4") && !err.contains("valid"), "{err}");
    }

    #[test]
    fn input_implies_a_file_source_and_flags_of_other_sources_are_refused() {
        assert_eq!(source_kind(&load_args(&["--input", "u.json"])), SourceKind::File);
        assert_eq!(source_kind(&load_args(&[])), SourceKind::Api);
        let refused = |args: &[&str]| check_flags_apply(&load_args(args), source_kind(&load_args(args)));
        assert!(refused(&["--input", "u.json"]).is_ok());
        let e = refused(&["--input", "u.json", "--count", "5"]).unwrap_err().to_string();
        assert!(e.contains("--count does not apply to --source file"), "{e}");
        let e = refused(&["--source", "api", "--input", "u.json"]).unwrap_err().to_string();
        assert!(e.contains("--input does not apply to --source api"), "{e}");
        assert!(refused(&["--source", "synthetic", "--api-url", "http://x/"]).is_err());
        assert!(refused(&["--source", "synthetic", "--count", "5", "--seed", "s", "--nat", "GB"]).is_ok());
        assert!(refused(&["--source", "file"]).unwrap_err().to_string().contains("needs --input"));
    }
}
