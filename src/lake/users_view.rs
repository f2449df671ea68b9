//! The view `users`: the data of every complete run, named object by object from the run records.

use super::{Destination, RunRecord, objects, record, verify};
use crate::engine::{Engine, EngineError, sql};

/// Defines the view `users` over the data of every complete run at `dest` — only objects named
/// by a run record, never a glob — decrypting with the registered key, and returns those runs.
///
/// Before any data is read it checks that the runs were written with this Parquet key (by
/// fingerprint: a clear "wrong key" instead of a decryption error) and that every object still
/// has the size its record states (a truncated or replaced object is named).
pub fn open_users_view(engine: &Engine, dest: &Destination) -> anyhow::Result<Vec<RunRecord>> {
    let records = record::list(engine, dest)?;
    open_users_view_of(engine, dest, &records)?;
    Ok(records)
}

/// [`open_users_view`] over records the caller has already read (a load that just listed them
/// and added its own), so they are not fetched again.
pub fn open_users_view_of(engine: &Engine, dest: &Destination, records: &[RunRecord]) -> anyhow::Result<()> {
    if records.is_empty() {
        return Err(EngineError(format!("no complete runs at {dest} (run `duckpipe load` first)")).into());
    }
    verify::check_key(engine, records)?;
    let files: Vec<(String, u64)> =
        records.iter().flat_map(|r| r.data_objects(dest).map(|(path, o)| (path, o.bytes))).collect();
    for (file, bytes) in &files {
        objects::check_size(engine, file, *bytes).map_err(|problem| EngineError(format!("object {file} {problem}")))?;
    }
    let list: Vec<String> = files.iter().map(|(f, _)| sql::quote(f)).collect();
    let statement = sql::USERS_VIEW.fill(&[("objects", &format!("[{}]", list.join(", ")))]);
    engine.execute_batch(&statement).map_err(|e| verify::name_damaged_object(engine, dest, records, e.into()))?;
    Ok(())
}
