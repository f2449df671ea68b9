//! `rekey`: moves the lake to a new Parquet key — every data object read with the old key and
//! written with the new one by one rewrite (so readers never see two keys), the new record
//! carrying the new fingerprint, and the orphaned data objects of failed loads (still under the
//! old key) deleted. The engine is opened with the new key; the old one is registered beside it.
//! The quarantine has its own key: with a new one given (DUCKPIPE_NEW_QUARANTINE_KEY) its
//! objects move in the same rewrite, else they stay under DUCKPIPE_QUARANTINE_KEY.

use super::lock::Lock;
use super::rewrite::{self, Part, Plan, Rewritten};
use super::{Destination, RunRecord, integrity, lifecycle, objects};
use crate::engine::{Engine, sql};
use crate::error::UsageError;
use crate::keys::ParquetKey;

/// Rewrites at most: the first moves the lake, later ones the runs loads committed meanwhile.
const MAX_PASSES: usize = 3;

/// The quarantine's key now and the one it moves to.
pub struct QuarantineKeys<'a> {
    pub old: &'a ParquetKey,
    pub new: &'a ParquetKey,
}

/// What rekey did: its rewrites, one per pass (none when the lake was under the new keys
/// already: a retry after a crash past the commit); the orphans deleted; warnings.
pub fn rekey(
    engine: &Engine,
    dest: &Destination,
    lock: &Lock,
    old: &ParquetKey,
    quarantine: Option<QuarantineKeys<'_>>,
) -> anyhow::Result<(Vec<Rewritten>, usize, Vec<String>)> {
    engine.add_old_parquet_key(old)?;
    if let Some(q) = &quarantine {
        if q.new == q.old {
            return Err(UsageError("DUCKPIPE_NEW_QUARANTINE_KEY is the quarantine's key already".into()).into());
        }
        if q.new.fingerprint() == engine.parquet_fingerprint() {
            return Err(UsageError(
                "DUCKPIPE_NEW_QUARANTINE_KEY is the same key as DUCKPIPE_NEW_PARQUET_KEY: the quarantine needs a key of its own".into(),
            )
            .into());
        }
        engine.add_quarantine_key(q.old)?;
        engine.add_new_quarantine_key(q.new)?;
    }
    let new_quarantine = quarantine.as_ref().map(|q| q.new.fingerprint());
    let new = engine.parquet_fingerprint().to_string();
    if new == old.fingerprint() {
        return Err(UsageError("DUCKPIPE_NEW_PARQUET_KEY is the key the lake has already".into()).into());
    }
    let moved = |r: &RunRecord| {
        r.keys.parquet == new && new_quarantine.as_ref().is_none_or(|q| r.keys.quarantine.as_ref() == Some(q))
    };
    let old_fp = old.fingerprint();
    let mut warnings = Vec::new();
    let mut passes: Vec<Rewritten> = Vec::new();
    // A load that read the records before this rekey took the lock may commit under the old key
    // while it runs (loads do not take the lock; they refuse to commit while a rekey holds it, so
    // only one that was past that check can): each pass moves the runs still under the old key,
    // until none is left.
    for _pass in 0..MAX_PASSES {
        let (survey, cleaned) = lifecycle::prepare_tolerating(engine, dest, &|records, f| {
            f.mixed_parquet_keys && records.iter().all(|r| r.keys.parquet == new || r.keys.parquet == old_fp)
        })?;
        warnings.extend(cleaned);
        let pending: Vec<RunRecord> = survey.records.into_iter().filter(|r| !moved(r)).collect();
        if pending.is_empty() {
            break;
        }
        check_old_keys(&pending, old, quarantine.as_ref())?;
        let moving_quarantine = quarantine.is_some();
        let mut keys = pending[0].keys.clone();
        keys.parquet = new.clone();
        if let Some(q) = &new_quarantine {
            keys.quarantine = Some(q.clone());
        }
        // A purged quarantine object (`runs purge-quarantine`) is gone already.
        let paths = |kind: &str| -> Vec<String> {
            pending
                .iter()
                .flat_map(|r| &r.objects)
                .filter(|o| o.kind == kind && o.purged_at.is_none())
                .map(|o| o.path.clone())
                .collect()
        };
        let plan = Plan {
            operation: "rekey",
            keys,
            data: Part { objects: paths("data"), transform: None },
            quarantine: if moving_quarantine {
                Part { objects: paths("quarantine"), transform: None }
            } else {
                Part::none()
            },
            inputs: pending,
            target_bytes: rewrite::TARGET_OBJECT_BYTES,
            read_key: sql::KeyName::OldData,
            quarantine_read_key: sql::KeyName::Quarantine,
            quarantine_write_key: if moving_quarantine {
                sql::KeyName::NewQuarantine
            } else {
                sql::KeyName::Quarantine
            },
        };
        let pass = rewrite::rewrite(engine, dest, lock, plan)?;
        warnings.extend(pass.warnings.iter().cloned());
        rewrite::checkpoint("rekey_pass");
        passes.push(pass);
    }
    if passes.is_empty() {
        tracing::info!("every run is under the new key already");
    }
    // Orphans hold data under the old keys: none may be left that opens with them.
    let survey = integrity::survey(engine, dest)?;
    let mut removed = 0;
    for (rel, _) in objects::orphans(engine, dest, &survey.all())? {
        let old_keyed = rel.starts_with("users/") || (quarantine.is_some() && rel.starts_with("quarantine/"));
        if old_keyed && rel.ends_with(".parquet") {
            objects::delete(dest, &rel)?;
            removed += 1;
        }
    }
    Ok((passes, removed, warnings))
}

/// Every run still to move must be under the old keys given (else nothing is rewritten).
fn check_old_keys(
    pending: &[RunRecord],
    old: &ParquetKey,
    quarantine: Option<&QuarantineKeys<'_>>,
) -> anyhow::Result<()> {
    if let Some(r) = pending.iter().find(|r| r.keys.parquet != old.fingerprint()) {
        return Err(UsageError(format!(
            "DUCKPIPE_PARQUET_KEY is not the key run {} was written with (fingerprint {}…, yours {}…): nothing was rewritten",
            r.run_id,
            integrity::short(&r.keys.parquet),
            integrity::short(&old.fingerprint())
        ))
        .into());
    }
    if let Some(q) = quarantine {
        let old_q = q.old.fingerprint();
        if let Some(r) = pending.iter().find(|r| r.keys.quarantine.as_ref().is_some_and(|k| *k != old_q)) {
            return Err(UsageError(format!(
                "DUCKPIPE_QUARANTINE_KEY is not the key run {}'s quarantine was written with: nothing was rewritten",
                r.run_id
            ))
            .into());
        }
    }
    Ok(())
}
