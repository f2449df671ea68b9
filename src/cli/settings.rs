//! Settings: flags, the environment and `./.env` resolved into what the commands need, validated
//! before any work starts.

use std::io::Write as _;
use std::path::Path;

use time::OffsetDateTime;

use crate::error::UsageError;
use crate::keys::{HMAC_KEY_VAR, HmacKey, KeyError, PARQUET_KEY_VAR, ParquetKey, keygen_env};
use crate::pipeline::source::api;
use crate::timefmt;

pub struct Keys {
    pub parquet: ParquetKey,
    pub hmac: HmacKey,
}

/// Reads `./.env` into the environment without overriding variables that are already set.
pub fn load_dotenv() -> Result<(), UsageError> {
    match dotenvy::from_path(".env") {
        Ok(()) => Ok(()),
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        // The message names the line, never its value.
        Err(dotenvy::Error::LineParse(_, index)) => Err(UsageError(format!(".env: cannot parse line at byte {index}"))),
        Err(e) => Err(UsageError(format!(".env could not be read: {}", io_kind(&e)))),
    }
}

fn io_kind(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::Io(io) => io.kind().to_string(),
        _ => "invalid content".into(),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The parquet key alone (reading needs no HMAC key).
pub fn parquet_key() -> Result<ParquetKey, KeyError> {
    ParquetKey::parse(&var(PARQUET_KEY_VAR).ok_or(KeyError::Missing { var: PARQUET_KEY_VAR })?)
}

/// Both keys. With `init_if_absent`, a first run that has neither key and no `./.env` gets fresh
/// keys written to a new `./.env` (mode 0600) — the local quick start; the keys are not printed.
pub fn keys(init_if_absent: bool) -> anyhow::Result<Keys> {
    if init_if_absent && var(PARQUET_KEY_VAR).is_none() && var(HMAC_KEY_VAR).is_none() && !Path::new(".env").exists() {
        create_env_file()?;
        load_dotenv()?;
        tracing::warn!(
            "no keys were set: created ./.env with new DUCKPIPE_PARQUET_KEY and DUCKPIPE_HMAC_KEY — keep it safe, the data cannot be read without it"
        );
    }
    let parquet = parquet_key()?;
    let hmac = HmacKey::parse(&var(HMAC_KEY_VAR).ok_or(KeyError::Missing { var: HMAC_KEY_VAR })?)?;
    Ok(Keys { parquet, hmac })
}

fn create_env_file() -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(".env").map_err(|e| UsageError(format!("cannot create ./.env for new keys: {e}")))?;
    file.write_all(
        format!("# duckpipe keys, made by the first run. Never commit this file.\n{}", keygen_env()).as_bytes(),
    )
    .map_err(|e| UsageError(format!("cannot write ./.env: {e}")))?;
    Ok(())
}

/// `--as-of`, or now.
pub fn as_of(text: Option<&str>) -> Result<OffsetDateTime, UsageError> {
    match text {
        Some(t) => timefmt::parse_rfc3339(t).map_err(|e| UsageError(format!("--as-of: {e}"))),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

/// `--nat GB,FR`: validated, upper-case codes.
pub fn nat_list(text: Option<&str>) -> Result<Option<Vec<String>>, UsageError> {
    text.map(|t| api::parse_nat_list(t).map_err(|e| UsageError(format!("--nat: {e}")))).transpose()
}
