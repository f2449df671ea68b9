//! Where the engine keeps its working data, and how much memory it may use.
//!
//! A load stages every user before anything is exported, so the staged data grows with the
//! input. To keep memory bounded whatever the input size, DuckDB gets a `memory_limit` and a
//! private `temp_directory`: beyond the limit, staged and intermediate data spill to disk. That
//! data is personal data, so the working database is an in-memory database attached with a
//! one-time random encryption key and `temp_file_encryption` on: whatever spills is AES-GCM
//! encrypted with a key that exists only in this process, and the folder (mode 0700, from
//! `tempfile`) is removed when the engine closes.

use std::path::Path;

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
    fn setup_uses_a_fresh_key_each_time() {
        let a = setup_sql(Path::new("/tmp/x"), "1GB");
        let b = setup_sql(Path::new("/tmp/x"), "1GB");
        assert_ne!(a, b, "a one-time key per engine");
        assert!(a.contains("temp_file_encryption = true") && a.contains("memory_limit = '1GB'"));
    }
}
