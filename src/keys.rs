//! The three secrets: the Parquet encryption key of the data, the HMAC key for pseudonyms, and
//! the Parquet encryption key of the quarantine (rejected raw records: holding the data key is
//! not enough to read them).
//!
//! All come from the environment (or `.env`), are base64 of 32 random bytes, and are never
//! printed: their `Debug` shows only a fingerprint, and no error message contains them.

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use rand::TryRngCore;
use sha2::{Digest, Sha256};
use std::fmt;

pub const PARQUET_KEY_VAR: &str = "DUCKPIPE_PARQUET_KEY";
pub const HMAC_KEY_VAR: &str = "DUCKPIPE_HMAC_KEY";
pub const QUARANTINE_KEY_VAR: &str = "DUCKPIPE_QUARANTINE_KEY";

/// Every key variable, in the order `duckpipe keygen` prints them.
pub const KEY_VARS: [&str; 3] = [PARQUET_KEY_VAR, HMAC_KEY_VAR, QUARANTINE_KEY_VAR];
/// The key `duckpipe rekey` moves the lake to.
pub const NEW_PARQUET_KEY_VAR: &str = "DUCKPIPE_NEW_PARQUET_KEY";
/// The key `duckpipe rekey` moves the quarantine to, when it is set.
pub const NEW_QUARANTINE_KEY_VAR: &str = "DUCKPIPE_NEW_QUARANTINE_KEY";

/// Key length in bytes. 32 bytes = AES-256 for Parquet; for HMAC-SHA256 a key shorter than the
/// hash output weakens it, so 32 is also the HMAC minimum.
pub const KEY_BYTES: usize = 32;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum KeyError {
    #[error("{var} is not set: run `duckpipe keygen --out .env` (or export it) — see README \"Keys\"")]
    Missing { var: &'static str },
    #[error("{var} is not valid base64 (expected the base64 of {KEY_BYTES} random bytes, as `duckpipe keygen` prints)")]
    NotBase64 { var: &'static str },
    #[error("{var} decodes to {len} bytes; it must be exactly {KEY_BYTES} bytes (base64: 44 characters)")]
    WrongLength { var: &'static str, len: usize },
}

/// AES-256 key for DuckDB's Parquet encryption (the data's, or the quarantine's).
#[derive(Clone, PartialEq, Eq)]
pub struct ParquetKey(String);

/// Key for HMAC-SHA256 pseudonyms.
#[derive(Clone)]
pub struct HmacKey(Vec<u8>);

fn decode(var: &'static str, value: &str) -> Result<Vec<u8>, KeyError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(KeyError::Missing { var });
    }
    let bytes = B64.decode(value).map_err(|_| KeyError::NotBase64 { var })?;
    if bytes.len() != KEY_BYTES {
        return Err(KeyError::WrongLength { var, len: bytes.len() });
    }
    Ok(bytes)
}

impl ParquetKey {
    /// The data key, from the text of `DUCKPIPE_PARQUET_KEY`.
    pub fn parse(value: &str) -> Result<Self, KeyError> {
        Self::parse_var(PARQUET_KEY_VAR, value)
    }
    /// The quarantine key, from the text of `DUCKPIPE_QUARANTINE_KEY`.
    pub fn parse_quarantine(value: &str) -> Result<Self, KeyError> {
        Self::parse_var(QUARANTINE_KEY_VAR, value)
    }
    pub fn parse_var(var: &'static str, value: &str) -> Result<Self, KeyError> {
        let bytes = decode(var, value)?;
        // Re-encode canonically: DuckDB takes a 44-character string as base64 of the raw key.
        Ok(Self(B64.encode(bytes)))
    }
    /// A throw-away random key, for sessions that decrypt nothing (e.g. listing run records).
    pub fn ephemeral() -> Self {
        Self(B64.encode(rand::random::<[u8; KEY_BYTES]>()))
    }
    /// The base64 text DuckDB's `add_parquet_key` expects. Only the engine may call this.
    pub(crate) fn expose_base64(&self) -> &str {
        &self.0
    }
    pub fn fingerprint(&self) -> String {
        fingerprint(self.0.as_bytes())
    }
}

impl HmacKey {
    pub fn parse(value: &str) -> Result<Self, KeyError> {
        decode(HMAC_KEY_VAR, value).map(Self)
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.0)
    }
}

/// A short, non-reversible identifier of a key for run records and logs: the first 8 bytes of
/// SHA-256("duckpipe key fingerprint" || key), hex.
fn fingerprint(key: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"duckpipe key fingerprint\0");
    h.update(key);
    hex::encode(&h.finalize()[..8])
}

impl fmt::Debug for ParquetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ParquetKey(fingerprint {})", self.fingerprint())
    }
}
impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HmacKey(fingerprint {})", self.fingerprint())
    }
}

/// A fingerprint of any other secret (an S3 secret key, say), to show which one is in use
/// without showing it.
pub fn fingerprint_of(secret: &str) -> String {
    fingerprint(secret.as_bytes())
}

/// A fresh key: base64 of 32 bytes from the operating system's CSPRNG.
pub fn new_key() -> String {
    let mut bytes = [0u8; KEY_BYTES];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).expect("the OS random source failed");
    B64.encode(bytes)
}

/// Fresh keys in `.env` form.
pub fn keygen_env() -> String {
    let mut out = String::new();
    for var in KEY_VARS {
        out.push_str(&format!("{var}={}\n", new_key()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_output_parses_back() {
        let env = keygen_env();
        let lines: Vec<&str> = env.lines().collect();
        assert_eq!(lines.len(), 3);
        let p = lines[0].strip_prefix("DUCKPIPE_PARQUET_KEY=").unwrap();
        let h = lines[1].strip_prefix("DUCKPIPE_HMAC_KEY=").unwrap();
        let q = lines[2].strip_prefix("DUCKPIPE_QUARANTINE_KEY=").unwrap();
        assert_eq!(p.len(), 44);
        assert!(ParquetKey::parse(p).is_ok());
        assert_eq!(HmacKey::parse(h).unwrap().as_bytes().len(), 32);
        assert_ne!(ParquetKey::parse_quarantine(q).unwrap(), ParquetKey::parse(p).unwrap());
        assert_ne!(p, h, "independent keys");
    }

    #[test]
    fn rejects_bad_keys_with_the_variable_name() {
        assert_eq!(ParquetKey::parse("").unwrap_err(), KeyError::Missing { var: PARQUET_KEY_VAR });
        assert_eq!(ParquetKey::parse("not base64!").unwrap_err(), KeyError::NotBase64 { var: PARQUET_KEY_VAR });
        // 16 bytes: the classic mistake (DuckDB would silently take the 24 characters as raw bytes).
        let short = B64.encode([7u8; 16]);
        assert_eq!(ParquetKey::parse(&short).unwrap_err(), KeyError::WrongLength { var: PARQUET_KEY_VAR, len: 16 });
        let err = HmacKey::parse(&B64.encode([1u8; 31])).unwrap_err();
        assert_eq!(err, KeyError::WrongLength { var: HMAC_KEY_VAR, len: 31 });
        assert!(err.to_string().contains("DUCKPIPE_HMAC_KEY"));
        let err = ParquetKey::parse_quarantine("x").unwrap_err();
        assert_eq!(err, KeyError::NotBase64 { var: QUARANTINE_KEY_VAR });
    }

    #[test]
    fn debug_and_errors_never_show_the_key() {
        let raw = B64.encode([42u8; 32]);
        let k = ParquetKey::parse(&raw).unwrap();
        let h = HmacKey::parse(&raw).unwrap();
        assert!(!format!("{k:?}").contains(&raw));
        assert!(!format!("{h:?}").contains(&raw));
        let bad = format!("{raw}xx");
        let msg = ParquetKey::parse(&bad).unwrap_err().to_string();
        assert!(!msg.contains(&raw[..20]));
        assert_eq!(k.fingerprint().len(), 16);
        assert_ne!(k.fingerprint(), HmacKey::parse(&B64.encode([43u8; 32])).unwrap().fingerprint());
    }
}
