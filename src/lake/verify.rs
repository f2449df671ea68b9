//! Checks that the keys in use are the lake's (a reader's Parquet key, a load's both keys), and
//! (for `runs --verify` and damage reports) that every page of an object decrypts and
//! authenticates.

use super::integrity::short;
use super::record::KeyFingerprints;
use super::{Destination, RunRecord};
use crate::engine::sql::KeyName;
use crate::engine::{Engine, EngineError, sql};
use crate::error::UsageError;

/// Just before a load commits: the lake must still be under the load's Parquet key. A rekey
/// running now (it holds the rewrite lock) or committed since the load read `known` would leave
/// this run under the old key in a lake under the new one, which readers refuse. A run committed
/// in the short gap between this check and the commit is moved by the rekey's next pass
/// (`rekey`).
pub fn check_key_unchanged(
    engine: &Engine,
    dest: &Destination,
    known: &[RunRecord],
    keys: &KeyFingerprints,
) -> anyhow::Result<()> {
    if let Some(holder) = super::lock::live_holder(dest)?.filter(|h| h.operation == "rekey") {
        return Err(UsageError(format!(
            "the lake at {dest} is being moved to a new key by {holder}: this load committed nothing; load again with the new DUCKPIPE_PARQUET_KEY once it has finished"
        ))
        .into());
    }
    // Known: the runs read, and those they supersede (a rewrite cut short after its commit
    // leaves those records, under the key it moved away from, until they are cleaned up).
    let ids: std::collections::HashSet<&str> = known
        .iter()
        .flat_map(|r| std::iter::once(r.run_id.as_str()).chain(r.supersedes.iter().map(String::as_str)))
        .collect();
    if let Some(r) = super::record::read_new(engine, dest, &ids)?.into_iter().find(|r| r.keys.parquet != keys.parquet) {
        return Err(UsageError(format!(
            "run {} was committed at {dest} under another Parquet key (fingerprint {}…, yours {}…) while this load ran — the lake was moved to a new key: this load committed nothing; load again with the new DUCKPIPE_PARQUET_KEY",
            r.run_id,
            short(&r.keys.parquet),
            short(&keys.parquet)
        ))
        .into());
    }
    Ok(())
}

/// Refuses, before anything is read or written, a load whose keys are not the ones the lake's
/// runs were written with: one sentence naming which key differs and how to proceed. A lake
/// keeps one key set (integrity), so comparing with any record is comparing with all.
pub fn check_load_keys(dest: &Destination, records: &[RunRecord], keys: &KeyFingerprints) -> Result<(), UsageError> {
    let Some(lake) = records.first().map(|r| &r.keys) else {
        return Ok(());
    };
    let parquet = lake.parquet != keys.parquet;
    let hmac = lake.hmac != keys.hmac;
    let (which, fingerprints) = match (parquet, hmac) {
        (false, false) => return Ok(()),
        (true, false) => (
            "DUCKPIPE_PARQUET_KEY is not the key",
            format!("fingerprint {}…, yours {}…", short(&lake.parquet), short(&keys.parquet)),
        ),
        (false, true) => (
            "DUCKPIPE_HMAC_KEY is not the key",
            format!("fingerprint {}…, yours {}…", short(&lake.hmac), short(&keys.hmac)),
        ),
        (true, true) => {
            ("DUCKPIPE_PARQUET_KEY and DUCKPIPE_HMAC_KEY are not the keys", "neither fingerprint matches".to_string())
        }
    };
    let consequence = if hmac {
        "pseudonyms made with another HMAC key never match the stored ones, so one person would count twice"
    } else {
        "no reader could decrypt both"
    };
    Err(UsageError(format!(
        "{which} the {} run{} at {dest} {} written with ({fingerprints}): {consequence}. Nothing was written: load with the lake's keys (the .env it was created with) or into another --dest",
        records.len(),
        if records.len() == 1 { "" } else { "s" },
        if records.len() == 1 { "was" } else { "were" },
    )))
}

/// Refuses, before any data is read, runs written with another Parquet key than the engine's:
/// a clear "wrong key" instead of a decryption error.
pub fn check_key(engine: &Engine, records: &[RunRecord]) -> Result<(), UsageError> {
    match records.iter().find(|r| r.keys.parquet != engine.parquet_fingerprint()) {
        None => Ok(()),
        Some(run) => Err(UsageError(format!(
            "DUCKPIPE_PARQUET_KEY is not the key run {} was written with (key fingerprint {}…, yours {}…)",
            run.run_id,
            short(&run.keys.parquet),
            short(engine.parquet_fingerprint())
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

/// [`verify_object`] for a quarantine object, with the quarantine's key (which must be
/// registered: `Engine::add_quarantine_key`).
pub fn verify_quarantine_object(engine: &Engine, file: &str) -> Result<(), String> {
    let probe = sql::VERIFY_OBJECT.fill_keyed(KeyName::Quarantine, &[("object", &sql::quote(file))]);
    engine.execute_batch(&probe).map_err(|e| e.0.replace("DUCKPIPE_PARQUET_KEY", "DUCKPIPE_QUARANTINE_KEY"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(parquet: &str, hmac: &str) -> RunRecord {
        let mut r: RunRecord = RunRecord::sample("r1");
        r.keys = KeyFingerprints { parquet: parquet.into(), hmac: hmac.into(), quarantine: None };
        r
    }

    #[test]
    fn a_load_with_other_keys_is_refused_naming_the_key() {
        let dest = Destination::parse("/tmp/lake").unwrap();
        let lake = [record("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb")];
        let same =
            KeyFingerprints { parquet: "aaaaaaaaaaaaaaaa".into(), hmac: "bbbbbbbbbbbbbbbb".into(), quarantine: None };
        assert!(check_load_keys(&dest, &lake, &same).is_ok());
        assert!(check_load_keys(&dest, &[], &same).is_ok(), "a new lake takes any keys");
        let hmac = KeyFingerprints { hmac: "cccccccccccccccc".into(), ..same.clone() };
        let e = check_load_keys(&dest, &lake, &hmac).unwrap_err().0;
        assert!(e.starts_with("DUCKPIPE_HMAC_KEY is not the key the 1 run at /tmp/lake was written with"), "{e}");
        assert!(e.contains("bbbbbbbbbbbb…, yours cccccccccccc…") && e.contains("count twice"), "{e}");
        let parquet = KeyFingerprints { parquet: "dddddddddddddddd".into(), ..same };
        let e = check_load_keys(&dest, &lake, &parquet).unwrap_err().0;
        assert!(e.starts_with("DUCKPIPE_PARQUET_KEY is not the key"), "{e}");
        let both =
            KeyFingerprints { parquet: "dddddddddddddddd".into(), hmac: "cccccccccccccccc".into(), quarantine: None };
        let e = check_load_keys(&dest, &lake, &both).unwrap_err().0;
        assert!(e.starts_with("DUCKPIPE_PARQUET_KEY and DUCKPIPE_HMAC_KEY are not the keys"), "{e}");
    }
}
