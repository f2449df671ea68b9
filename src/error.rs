//! Exit codes: what kind of failure ended the run, for scripts and schedulers.

use crate::{
    config::UsageError, engine::EngineError, keys::KeyError, load::SourceError, sources::api::ApiError,
    store::StoreConfigError,
};

pub const OK: u8 = 0;
pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const SOURCE: u8 = 3;
pub const STORAGE: u8 = 4;

/// The exit code for an error, from the first classified error in its chain.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.is::<UsageError>() || cause.is::<KeyError>() || cause.is::<StoreConfigError>() {
            return USAGE;
        }
        if cause.is::<SourceError>() || cause.is::<ApiError>() {
            return SOURCE;
        }
        if cause.is::<EngineError>() {
            return STORAGE;
        }
    }
    FAILURE
}
