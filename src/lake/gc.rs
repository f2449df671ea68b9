//! `runs gc`: deletes what failed attempts left — objects no record names (orphans) older than
//! a safety margin, since a running load's objects are orphans until it commits — finishes
//! the clean-up of rewrites cut short after their commit, and deletes the quarantine past its
//! retention (`quarantine::purge`). Never a data object any record names.

use serde::Serialize;

use super::lock::Lock;
use super::quarantine::{self, Purged, Retention};
use super::{Destination, lifecycle, objects};
use crate::engine::Engine;

/// The default safety margin: older than any load still running, in practice.
pub const DEFAULT_MARGIN: time::Duration = time::Duration::hours(1);

#[derive(Debug, Serialize)]
pub struct Collected {
    /// Orphans deleted: path and bytes.
    pub removed: Vec<Removed>,
    /// Orphans younger than the margin, kept.
    pub kept_young: usize,
    /// Quarantine objects past the retention, deleted (their records mark them purged).
    pub quarantine_purged: Vec<Purged>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Removed {
    pub path: String,
    pub bytes: u64,
}

pub fn collect(
    engine: &Engine,
    dest: &Destination,
    _lock: &Lock,
    older_than: time::Duration,
    retention: Retention,
) -> anyhow::Result<Collected> {
    let (survey, mut warnings) = lifecycle::prepare(engine, dest)?;
    let orphans = objects::orphans(engine, dest, &survey.all())?;
    let files: Vec<String> = orphans.iter().map(|(rel, _)| dest.resolve(rel)).collect();
    let modified = objects::modified(engine, dest, &files)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut removed = Vec::new();
    let mut kept_young = 0;
    for ((rel, bytes), file) in orphans.into_iter().zip(&files) {
        // Unknown age (vanished since the listing): leave it.
        let Some(&at) = modified.get(file) else { continue };
        if now - at < older_than.whole_seconds() {
            kept_young += 1;
            continue;
        }
        match objects::delete(dest, &rel) {
            Ok(()) => removed.push(Removed { path: rel, bytes }),
            Err(e) => warnings.push(format!("could not delete {rel}: {e:#}")),
        }
        super::rewrite::checkpoint("orphan_removed");
    }
    tracing::info!(removed = removed.len(), kept_young, "orphans collected");
    let quarantine_purged = match retention.0 {
        Some(age) => quarantine::purge(dest, &survey.records, time::OffsetDateTime::now_utc() - age, false)?,
        None => Vec::new(),
    };
    Ok(Collected { removed, kept_young, quarantine_purged, warnings })
}
