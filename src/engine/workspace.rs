//! Where the engine keeps its working data, and how much memory it may use.
//!
//! A load stages every user before anything is exported, so the staged data grows with the
//! input. To keep memory bounded whatever the input size, DuckDB gets a `memory_limit` and a
//! private `temp_directory`: beyond the limit, staged and intermediate data spill to disk. That
//! data is personal data, so the working database is an in-memory database attached with a
//! one-time random encryption key and `temp_file_encryption` on: whatever spills is AES-GCM
//! encrypted with a key that exists only in this process, and the folder (mode 0700, from
//! `tempfile`) is removed when the engine closes.
//!
//! A process that is killed cannot remove its folder. Each folder holds a lock file its process
//! keeps locked while it lives; the next engine to open removes every `duckpipe-*` folder whose
//! lock is free (its process is gone), so spill files never pile up.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use base64::Engine as _;
use rand::TryRngCore as _;

use crate::error::UsageError;

/// Environment variable that overrides [`DEFAULT_MEMORY_LIMIT`] (DuckDB size syntax, e.g. `2GB`).
pub const MEMORY_LIMIT_VAR: &str = "DUCKPIPE_MEMORY_LIMIT";

/// DuckDB's own memory budget. The process peak is higher (libraries, Rust-side buffers, the
/// pages in flight); docs/benchmarks.md has measured peaks for this default.
pub const DEFAULT_MEMORY_LIMIT: &str = "512MB";

/// Name of the attached working database.
pub const WORK_DB: &str = "work";

/// Prefix of every engine's folder in the system's temporary directory.
const PREFIX: &str = "duckpipe-";
/// The lock file inside a folder, locked by its process while it lives.
const LOCK: &str = "owner.lock";
/// A folder without a lock file is only swept when this old (it may be a folder being created).
const UNLOCKED_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
/// A folder whose lock is free is only swept when this old: a process that has just created
/// its lock file may not have locked it yet.
const FREE_LOCK_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// The engine's private folder, removed when dropped.
pub struct WorkDir {
    dir: tempfile::TempDir,
    _lock: File,
}

impl WorkDir {
    /// Sweeps the folders of dead processes, then makes this process's own.
    pub fn create() -> anyhow::Result<Self> {
        let removed = sweep(&std::env::temp_dir());
        if removed > 0 {
            tracing::info!(removed, "removed temporary folders left by duckpipe processes that were killed");
        }
        let mut builder = tempfile::Builder::new();
        builder.prefix(PREFIX);
        // Only this user may look into it (it may hold spilled, encrypted data).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = builder.tempdir().context("could not create a temporary directory")?;
        let lock = File::create(dir.path().join(LOCK)).context("could not create a temporary directory")?;
        lock.lock().context("could not lock the temporary directory")?;
        Ok(Self { dir, _lock: lock })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Removes the `duckpipe-*` folders under `tmp` whose lock is free: their process is gone.
/// Returns how many were removed. Errors are ignored: another user's folders, races with a
/// process that is just starting.
pub fn sweep(tmp: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(tmp) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let path: PathBuf = entry.path();
        if !name.to_string_lossy().starts_with(PREFIX) || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let older_than = |min: std::time::Duration| {
            entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|age| age > min))
        };
        let free = match File::open(path.join(LOCK)) {
            Ok(file) => older_than(FREE_LOCK_AGE) && file.try_lock().is_ok(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => older_than(UNLOCKED_AGE),
            Err(_) => false,
        };
        if free && std::fs::remove_dir_all(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The memory limit to use: `DUCKPIPE_MEMORY_LIMIT` when set (validated), else the default.
pub fn memory_limit(get: impl Fn(&str) -> Option<String>) -> Result<String, UsageError> {
    match get(MEMORY_LIMIT_VAR).map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_MEMORY_LIMIT.to_string()),
        Some(v) if is_size(&v) => Ok(v),
        Some(v) => Err(UsageError(format!(
            "{MEMORY_LIMIT_VAR} {v:?} is not a size (expected a number and a unit, e.g. 512MB or 2GB)"
        ))),
    }
}

/// `<digits>[.<digits>] <unit>` with a DuckDB unit. Strict, because the value goes into SQL.
fn is_size(text: &str) -> bool {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number_ok = !number.is_empty()
        && number.chars().filter(|&c| c == '.').count() <= 1
        && !number.starts_with('.')
        && !number.ends_with('.');
    let unit = unit.trim().to_ascii_lowercase();
    number_ok && ["kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib"].contains(&unit.as_str())
}

/// The statements that switch a fresh connection to the encrypted working database with a
/// spill folder at `spill_dir`. Holds a fresh random key: never log it.
pub fn setup_sql(spill_dir: &Path, memory_limit: &str) -> String {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut key).expect("the OS random number generator works");
    let key = base64::engine::general_purpose::STANDARD.encode(key);
    format!(
        "ATTACH ':memory:' AS {WORK_DB} (ENCRYPTION_KEY {key}); USE {WORK_DB}; \
         SET temp_file_encryption = true; SET temp_directory = {dir}; SET memory_limit = {limit};",
        key = super::sql::quote(&key),
        dir = super::sql::quote(&spill_dir.to_string_lossy()),
        limit = super::sql::quote(memory_limit),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_limit_is_validated() {
        let none = |_: &str| None;
        assert_eq!(memory_limit(none).unwrap(), DEFAULT_MEMORY_LIMIT);
        for ok in ["512MB", "2GB", "1.5 GiB", "100kb"] {
            assert_eq!(memory_limit(|_| Some(ok.to_string())).unwrap(), ok);
        }
        for bad in ["lots", "512", "MB", "1..5GB", "1GB'; DROP TABLE x; --", ".5GB", "5 XB"] {
            let err = memory_limit(|_| Some(bad.to_string())).unwrap_err();
            assert!(err.0.contains(MEMORY_LIMIT_VAR), "{err}");
        }
    }

    #[test]
    fn the_sweep_removes_only_folders_whose_process_is_gone() {
        let tmp = tempfile::tempdir().unwrap();
        // A live folder: its lock is held.
        let live = tmp.path().join("duckpipe-live");
        std::fs::create_dir(&live).unwrap();
        let held = File::create(live.join(LOCK)).unwrap();
        held.lock().unwrap();
        // A dead one: the lock file is there but nobody holds it, for over a minute.
        let dead = tmp.path().join("duckpipe-dead");
        std::fs::create_dir_all(dead.join("spill")).unwrap();
        File::create(dead.join(LOCK)).unwrap();
        let a_while_ago = std::time::SystemTime::now() - FREE_LOCK_AGE * 2;
        let age = |dir: &Path| File::open(dir).unwrap().set_modified(a_while_ago).unwrap();
        age(&dead);
        // Just created, its lock not yet taken: left alone.
        let starting = tmp.path().join("duckpipe-starting");
        std::fs::create_dir(&starting).unwrap();
        File::create(starting.join(LOCK)).unwrap();
        // Fresh, without a lock file yet (being created), and somebody else's folder.
        let fresh = tmp.path().join("duckpipe-fresh");
        std::fs::create_dir(&fresh).unwrap();
        let other = tmp.path().join("other-dead");
        std::fs::create_dir(&other).unwrap();
        File::create(other.join(LOCK)).unwrap();
        assert_eq!(sweep(tmp.path()), 1);
        assert!(live.exists() && !dead.exists() && fresh.exists() && other.exists() && starting.exists());
        drop(held);
        age(&live);
        assert_eq!(sweep(tmp.path()), 1);
        assert!(!live.exists() && starting.exists());
    }

    #[test]
    fn setup_uses_a_fresh_key_each_time() {
        let a = setup_sql(Path::new("/tmp/x"), "1GB");
        let b = setup_sql(Path::new("/tmp/x"), "1GB");
        assert_ne!(a, b, "a one-time key per engine");
        assert!(a.contains("temp_file_encryption = true") && a.contains("memory_limit = '1GB'"));
    }
}
