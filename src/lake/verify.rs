//! Checks that what a reader is about to read is what the run records promise: the key
//! fingerprint, each object's size, and (for `runs --verify` and damage reports) every page of an
//! object decrypted and authenticated.

use super::{Destination, RunRecord};
use crate::engine::{Engine, EngineError, sql};
use crate::error::UsageError;

/// Refuses, before any data is read, runs written with another Parquet key than the engine's:
/// a clear "wrong key" instead of a decryption error.
pub fn check_key(engine: &Engine, records: &[RunRecord]) -> Result<(), UsageError> {
    match records.iter().find(|r| r.keys.parquet != engine.parquet_fingerprint()) {
        None => Ok(()),
        Some(run) => Err(UsageError(format!(
            "DUCKPIPE_PARQUET_KEY is not the key run {} was written with (key fingerprint {}…, yours {}…)",
            run.run_id,
            &run.keys.parquet[..12.min(run.keys.parquet.len())],
            &engine.parquet_fingerprint()[..12]
        ))),
    }
}

/// After a failed read over the view: finds the first data object whose content does not
/// decrypt and authenticate and names it in the error.
pub fn name_damaged_object(
    engine: &Engine,
    dest: &Destination,
    records: &[RunRecord],
    err: anyhow::Error,
) -> anyhow::Error {
    if !err.chain().any(|c| c.is::<EngineError>()) {
        return err;
    }
    tracing::debug!(error = %format!("{err:#}"), "reading the data failed; checking each object");
    for (file, _) in records.iter().flat_map(|r| r.data_objects(dest)) {
        if let Err(problem) = verify_object(engine, &file) {
            return EngineError(format!(
                "object {file} is damaged or was altered ({problem}); the other objects are intact"
            ))
            .into();
        }
    }
    err
}

/// Reads every column of every row group of one encrypted object, so that AES-GCM checks
/// every page. Queries only read the columns they need, so only this finds damage in the others.
pub fn verify_object(engine: &Engine, file: &str) -> Result<(), String> {
    let probe = sql::VERIFY_OBJECT.fill(&[("object", &sql::quote(file))]);
    engine.execute_batch(&probe).map_err(|e| e.0)
}
