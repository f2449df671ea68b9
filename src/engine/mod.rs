//! The embedded DuckDB: opened offline, with the signed httpfs extension, the Parquet key, an S3
//! secret when needed, and the Rust masking functions registered. The data work itself is the SQL
//! in `sql/` (see [`sql`]).

pub mod functions;
pub mod sql;
pub mod workspace;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use duckdb::{Config, Connection};

use crate::keys::{HmacKey, ParquetKey};

/// Name under which the Parquet key is registered inside DuckDB (`footer_key: 'duckpipe'`).
pub const PARQUET_KEY_NAME: &str = "duckpipe";

pub use crate::error::EngineError;

/// Where the signed httpfs extension is: `DUCKPIPE_HTTPFS_EXTENSION`, else the file that
/// `scripts/fetch-duckdb.sh` provided at build time.
pub fn httpfs_path() -> PathBuf {
    std::env::var_os("DUCKPIPE_HTTPFS_EXTENSION")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("DUCKPIPE_BUILD_HTTPFS")))
}

pub struct Engine {
    conn: Connection,
    /// The engine's private folder (mode 0700, removed on drop): an empty extension directory
    /// (nothing is ever installed into it) and the encrypted spill files (see [`workspace`]).
    _work_dir: tempfile::TempDir,
    /// Fingerprint of the registered Parquet key, to tell "wrong key" from "damaged object".
    parquet_fingerprint: String,
}

impl Engine {
    /// Opens an in-memory DuckDB that never touches the network for extensions: autoload and
    /// autoinstall off, an empty private extension directory, signature checks left on; then
    /// loads the signed httpfs (needed for s3:// and for *writing* encrypted Parquet), pins the
    /// time zone to UTC and registers the Parquet key and the masking functions. Tables live in
    /// an encrypted in-memory database that spills to disk beyond the memory limit
    /// ([`workspace`]; `DUCKPIPE_MEMORY_LIMIT`).
    pub fn open(parquet_key: &ParquetKey, hmac_key: Option<&HmacKey>) -> anyhow::Result<Self> {
        let memory_limit = workspace::memory_limit(|k| std::env::var(k).ok())?;
        let mut builder = tempfile::Builder::new();
        builder.prefix("duckpipe-");
        // Only this user may look into it (it may hold spilled, encrypted data).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let work_dir = builder.tempdir().context("could not create a temporary directory")?;
        let ext_dir = work_dir.path().join("extensions");
        std::fs::create_dir(&ext_dir).context("could not create a temporary directory")?;
        let config = Config::default()
            .enable_autoload_extension(false)
            .and_then(|c| c.with("autoinstall_known_extensions", "false"))
            .and_then(|c| c.with("extension_directory", ext_dir.to_string_lossy()))
            .map_err(|e| EngineError(format!("could not configure DuckDB: {}", sanitize(&e.to_string()))))?;
        let conn = Connection::open_in_memory_with_flags(config)
            .map_err(|e| EngineError(format!("could not open DuckDB: {}", sanitize(&e.to_string()))))?;
        let engine = Self { conn, _work_dir: work_dir, parquet_fingerprint: parquet_key.fingerprint() };
        engine.load_httpfs(&httpfs_path())?;
        // Needs httpfs loaded: DuckDB's built-in crypto cannot write encrypted data.
        let spill_dir = engine._work_dir.path().join("spill");
        engine
            .conn
            .execute_batch(&workspace::setup_sql(&spill_dir, &memory_limit))
            .map_err(|e| EngineError(format!("could not set up the working database: {}", sanitize(&e.to_string()))))?;
        engine.execute_batch("SET TimeZone = 'UTC';")?;
        // The key is validated base64 (no quotes possible); the statement is never logged and a
        // failure is reported without the statement text.
        let pragma = format!(
            "PRAGMA add_parquet_key({}, {});",
            sql::quote(PARQUET_KEY_NAME),
            sql::quote(parquet_key.expose_base64())
        );
        engine
            .conn
            .execute_batch(&pragma)
            .map_err(|_| EngineError("DuckDB refused the Parquet key (DUCKPIPE_PARQUET_KEY)".into()))?;
        functions::register(&engine.conn, hmac_key)
            .map_err(|e| EngineError(format!("could not register the Rust functions: {}", sanitize(&e.to_string()))))?;
        Ok(engine)
    }

    fn load_httpfs(&self, path: &Path) -> anyhow::Result<()> {
        if !path.is_file() {
            return Err(EngineError(format!(
                "the DuckDB httpfs extension is missing at {} (run scripts/fetch-duckdb.sh, or set DUCKPIPE_HTTPFS_EXTENSION)",
                path.display()
            ))
            .into());
        }
        self.conn
            .execute_batch(&format!("LOAD {};", sql::quote(&path.to_string_lossy())))
            .map_err(|e| EngineError(format!("could not load httpfs from {}: {}", path.display(), e)))?;
        Ok(())
    }

    /// The fingerprint of the Parquet key this engine decrypts with.
    pub fn parquet_fingerprint(&self) -> &str {
        &self.parquet_fingerprint
    }

    /// The engine's private folder (spill files are under it). For tests and diagnostics.
    pub fn work_dir(&self) -> &Path {
        self._work_dir.path()
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs one or more statements; errors are sanitized.
    pub fn execute_batch(&self, sql: &str) -> anyhow::Result<()> {
        self.conn.execute_batch(sql).map_err(|e| EngineError(sanitize(&e.to_string())).into())
    }

    /// `SET VARIABLE name = <expr>`; `expr` is a SQL expression built by the caller from
    /// validated values (e.g. `TIMESTAMP '2026-11-25 00:00:00'`).
    pub fn set_variable(&self, name: &str, expr: &str) -> anyhow::Result<()> {
        debug_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        self.execute_batch(&format!("SET VARIABLE {name} = {expr};"))
    }

    /// One BIGINT from a query (e.g. a count).
    pub fn query_i64(&self, sql: &str) -> anyhow::Result<i64> {
        self.conn.query_row(sql, [], |r| r.get(0)).map_err(|e| EngineError(sanitize(&e.to_string())).into())
    }
}

/// Makes a DuckDB error message safe to show: known messages become clear sentences, and any
/// quoted fragment (where DuckDB echoes values — possibly personal data) is replaced by `'…'`.
/// Object paths are kept where DuckDB names the file, because they say *which* object failed.
pub fn sanitize(message: &str) -> String {
    let first_line = message.lines().next().unwrap_or("").trim();
    if first_line.contains("Computed AES tag differs from read AES tag")
        || first_line.contains("Failed decryption finalization")
    {
        return "decryption failed: wrong DUCKPIPE_PARQUET_KEY, or the object was altered or truncated".into();
    }
    if first_line.contains("is encrypted, but 'encryption_config' was not set") {
        return "the data is encrypted and no key was given".into();
    }
    if first_line.contains("No files found that match the pattern") {
        return "no data found at the destination (run `duckpipe load` first)".into();
    }
    if first_line.contains("read-only crypto module") {
        return "DuckDB cannot write encrypted Parquet without httpfs loaded".into();
    }
    if first_line.starts_with("Out of Memory Error") {
        // DuckDB's own figures ("… (60.0 MiB/61.0 MiB used)") say which limit was hit.
        return format!(
            "{} — raise {} (the default is {})",
            redact_quoted(first_line),
            workspace::MEMORY_LIMIT_VAR,
            workspace::DEFAULT_MEMORY_LIMIT
        );
    }
    redact_quoted(&cut_echoed_input(first_line))
}

/// DuckDB's JSON errors echo the offending input ("… Input: {"name": …"), where quotes need not
/// pair up, so redacting quoted parts is not enough: everything from the echo on is cut.
fn cut_echoed_input(line: &str) -> String {
    let cut = [line.find("Input:"), line.find("input:"), line.find('{')].into_iter().flatten().min();
    match cut {
        Some(i) => format!("{}…", line[..i].trim_end()),
        None => line.to_string(),
    }
}

/// Replaces the content of every single- or double-quoted fragment by `…`.
fn redact_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_quote: Option<char> = None;
    for c in text.chars() {
        match in_quote {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                in_quote = None;
            }
            Some(_) => {}
            None if c == '\'' || c == '"' => {
                out.push(c);
                in_quote = Some(c);
            }
            None => out.push(c),
        }
    }
    if in_quote.is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_memory_says_which_setting_to_raise() {
        let msg = sanitize(
            "Out of Memory Error: failed to allocate data of size 8.0 MiB (60.0 MiB/61.0 MiB used)\nPossible solutions: …",
        );
        assert!(msg.starts_with("Out of Memory Error: failed to allocate data of size 8.0 MiB (60.0 MiB/61.0 MiB used) — raise DUCKPIPE_MEMORY_LIMIT"), "{msg}");
    }

    #[test]
    fn sanitize_hides_values_and_names_known_errors() {
        let msg = "Conversion Error: Could not convert string 'jane.doe@example.com' to INT32";
        let clean = sanitize(msg);
        assert!(!clean.contains("jane"), "{clean}");
        assert_eq!(clean, "Conversion Error: Could not convert string '…' to INT32");
        assert!(
            sanitize("Invalid Input Error: Computed AES tag differs from read AES tag")
                .contains("wrong DUCKPIPE_PARQUET_KEY")
        );
        assert_eq!(redact_quoted("a \"b\" 'unterminated"), "a \"…\" '…");
        // Echoed JSON with unbalanced quotes: cut, not redacted piecemeal.
        let json = r#"Invalid Input Error: Malformed JSON at byte 24 of input: unexpected end. Input: {"a": "x"Trunc"y", "b": Jane"#;
        let clean = sanitize(json);
        assert!(!clean.contains("Trunc") && !clean.contains("Jane"), "{clean}");
        assert_eq!(clean, "Invalid Input Error: Malformed JSON at byte 24 of…");
        let clean = sanitize(r#"Conversion Error: cannot cast {"first": "Ann"o", "x": Bob} to STRUCT"#);
        assert!(!clean.contains("Ann") && !clean.contains("Bob"), "{clean}");
    }
}
