//! Statements `duckpipe sql` refuses, because they would break what duckpipe guarantees:
//! nothing is downloaded at run time, only signed extensions are loaded, and no key or secret
//! ends up in a file.
//!
//! | refused | why |
//! |---|---|
//! | `INSTALL`, `FORCE INSTALL`, `UPDATE EXTENSIONS` | they download extensions |
//! | `LOAD` of a URL | it would fetch code from the network |
//! | `SET`/`RESET`/`PRAGMA` of an extension or secret setting (see [`PROTECTED_SETTINGS`]) | autoinstall/autoload would download on first use; an extension directory or repository of the user's choice would load other code; the others weaken signature checks, secret redaction or external-access limits |
//! | `CREATE PERSISTENT SECRET`, `SET secret_directory` | DuckDB writes persistent secrets in plain text to disk |
//!
//! The check is a gate in front of DuckDB, not a parser: it reads the statement's leading
//! keywords (after comments). DuckDB itself also refuses some of these at run time (e.g.
//! `allow_unsigned_extensions` cannot change while the database is open); the gate gives one
//! clear message for all of them.

use super::split::strip_leading_comments;

/// Settings that must keep the values `Engine::open` gave them.
pub const PROTECTED_SETTINGS: &[&str] = &[
    "allow_community_extensions",
    "allow_extensions_metadata_mismatch",
    "allow_persistent_secrets",
    "allow_unredacted_secrets",
    "allow_unsigned_extensions",
    "autoinstall_extension_repository",
    "autoinstall_known_extensions",
    "autoload_known_extensions",
    "custom_extension_repository",
    "enable_external_access",
    "extension_directory",
    "lock_configuration",
    "secret_directory",
    "allowed_directories",
    "allowed_paths",
];

/// Why a statement is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("refused: {0} (see `duckpipe sql --help`)")]
pub struct Refused(pub String);

/// `Err` with a clear reason when `statement` must not run.
pub fn check(statement: &str) -> Result<(), Refused> {
    let words = leading_words(strip_leading_comments(statement), 6);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    match w.as_slice() {
        ["install", ..] | ["force", "install", ..] => Err(Refused(
            "INSTALL downloads extensions; duckpipe never downloads at run time (httpfs is already loaded)".into(),
        )),
        ["update", "extensions", ..] => {
            Err(Refused("UPDATE EXTENSIONS downloads extensions; duckpipe never downloads at run time".into()))
        }
        ["load", target, ..] if target.contains("://") => Err(Refused(
            "LOAD from a URL would fetch code from the network; load a local, signed extension file".into(),
        )),
        ["create", rest @ ..] if is_persistent_secret(rest) => Err(Refused(
            "CREATE PERSISTENT SECRET writes the secret in plain text to disk; use a temporary secret (CREATE SECRET)"
                .into(),
        )),
        ["set" | "reset" | "pragma", ..] => match protected_setting(statement) {
            Some(name) => Err(Refused(format!(
                "{name} is fixed by duckpipe: it guards against downloads, unsigned code or secrets on disk"
            ))),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// `CREATE [OR REPLACE] PERSISTENT SECRET …`
fn is_persistent_secret(after_create: &[&str]) -> bool {
    let rest = match after_create {
        ["or", "replace", rest @ ..] => rest,
        rest => rest,
    };
    rest.first() == Some(&"persistent")
}

/// The first protected setting named in a SET/RESET/PRAGMA statement.
fn protected_setting(statement: &str) -> Option<&'static str> {
    let lower = statement.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();
    PROTECTED_SETTINGS.iter().copied().find(|name| words.contains(name))
}

/// The first `n` words, lower-cased; quotes around a word are kept so that `LOAD 'x'` shows
/// its target.
fn leading_words(text: &str, n: usize) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_ascii_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_downloads_and_weakening() {
        for sql in [
            "INSTALL httpfs",
            "  install 'spatial'",
            "-- sneaky\nFORCE INSTALL httpfs",
            "/* x */ force   install httpfs FROM core_nightly",
            "UPDATE EXTENSIONS",
            "LOAD 'https://example.com/x.duckdb_extension'",
            "SET autoinstall_known_extensions = true",
            "SET GLOBAL autoload_known_extensions=1",
            "set allow_unsigned_extensions = true",
            "RESET extension_directory",
            "SET custom_extension_repository = 'http://x'",
            "PRAGMA enable_external_access = true",
            "SET secret_directory = '/tmp/s'",
            "CREATE PERSISTENT SECRET s (TYPE s3)",
            "create or replace persistent secret s (TYPE s3)",
        ] {
            assert!(check(sql).is_err(), "{sql:?} must be refused");
        }
        assert!(check("INSTALL httpfs").unwrap_err().to_string().contains("never downloads"));
    }

    #[test]
    fn lets_ordinary_work_through() {
        for sql in [
            "SELECT * FROM users",
            "SELECT 'INSTALL httpfs'",
            "-- INSTALL httpfs\nSELECT 1",
            "SET VARIABLE top_n = 5",
            "SET threads = 1",
            "CREATE TEMP TABLE t AS SELECT 1",
            "CREATE SECRET s (TYPE s3, KEY_ID getenv('A'))",
            "LOAD '/opt/duckdb/httpfs.duckdb_extension'",
            "LOAD httpfs",
            "SUMMARIZE users",
            "WITH installed AS (SELECT 1) SELECT * FROM installed",
        ] {
            assert_eq!(check(sql), Ok(()), "{sql:?} must run");
        }
    }
}
