//! `rekey`: moves the lake to a new Parquet key — every data object read with the old key and
//! written with the new one by one rewrite (so readers never see two keys), the new record
//! carrying the new fingerprint, and the orphaned data objects of failed loads (still under the
//! old key) deleted. The quarantine is under its own key (DUCKPIPE_QUARANTINE_KEY) and stays. The engine is opened with the new key; the old one is registered beside it.

use super::lock::Lock;
use super::rewrite::{self, Part, Plan, Rewritten};
use super::{Destination, integrity, lifecycle, objects};
use crate::engine::{Engine, OLD_PARQUET_KEY_NAME, QUARANTINE_KEY_NAME};
use crate::error::UsageError;
use crate::keys::ParquetKey;

/// What rekey did: None when the lake was under the new key already (a retry after a crash
/// past the commit); the orphans deleted; warnings.
pub fn rekey(
    engine: &Engine,
    dest: &Destination,
    lock: &Lock,
    old: &ParquetKey,
) -> anyhow::Result<(Option<Rewritten>, usize, Vec<String>)> {
    engine.add_old_parquet_key(old)?;
    let (survey, mut warnings) = lifecycle::prepare(engine, dest)?;
    let records = survey.records;
    let new = engine.parquet_fingerprint().to_string();
    if new == old.fingerprint() {
        return Err(UsageError("DUCKPIPE_NEW_PARQUET_KEY is the key the lake has already".into()).into());
    }
    let done = if records.iter().all(|r| r.keys.parquet == new) {
        tracing::info!("every run is under the new key already");
        None
    } else {
        if let Some(r) = records.iter().find(|r| r.keys.parquet != old.fingerprint()) {
            return Err(UsageError(format!(
                "DUCKPIPE_PARQUET_KEY is not the key run {} was written with (fingerprint {}…, yours {}…): nothing was rewritten",
                r.run_id,
                integrity::short(&r.keys.parquet),
                integrity::short(&old.fingerprint())
            ))
            .into());
        }
        let paths = |kind: &str| -> Vec<String> {
            records.iter().flat_map(|r| &r.objects).filter(|o| o.kind == kind).map(|o| o.path.clone()).collect()
        };
        let mut keys = records[0].keys.clone();
        keys.parquet = new.clone();
        let plan = Plan {
            operation: "rekey",
            keys,
            data: Part { objects: paths("data"), transform: None },
            // The quarantine has its own key (DUCKPIPE_QUARANTINE_KEY), which this does not rotate.
            quarantine: Part::none(),
            inputs: records.clone(),
            target_bytes: rewrite::TARGET_OBJECT_BYTES,
            read_key: OLD_PARQUET_KEY_NAME,
            quarantine_read_key: QUARANTINE_KEY_NAME,
            quarantine_write_key: QUARANTINE_KEY_NAME,
        };
        let done = rewrite::rewrite(engine, dest, lock, plan)?;
        warnings.extend(done.warnings.iter().cloned());
        Some(done)
    };
    // Orphans hold data under the old key: none may be left that opens with it.
    let survey = integrity::survey(engine, dest)?;
    let mut removed = 0;
    for (rel, _) in objects::orphans(engine, dest, &survey.all())? {
        if rel.starts_with("users/") && rel.ends_with(".parquet") {
            objects::delete(dest, &rel)?;
            removed += 1;
        }
    }
    Ok((done, removed, warnings))
}
