//! The kinds of failure, one type per exit code, so that every layer can say what went wrong
//! without knowing how the command line reports it (`cli::exit_code` maps them).
//!
//! Messages never hold data values: they name fields, files, objects and settings.

pub const OK: u8 = 0;
pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const SOURCE: u8 = 3;
pub const STORAGE: u8 = 4;

/// A usage or configuration problem: flags, keys, `.env`, S3 settings (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The source failed: bad input, unreachable API, unusable records (exit 3).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

/// The engine or the storage failed: DuckDB, S3, a damaged object (exit 4). The message has
/// passed through `engine::sanitize`, so it holds no data values.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EngineError(pub String);

impl EngineError {
    /// The same error, with what was being done in front: `"{what}: {message}"`.
    pub fn context(self, what: impl std::fmt::Display) -> Self {
        Self(format!("{what}: {}", self.0))
    }
}

/// A broken invariant inside duckpipe (exit 1): a bug, never the user's input.
#[derive(Debug, thiserror::Error)]
#[error("internal error: {0}")]
pub struct InternalError(pub String);
