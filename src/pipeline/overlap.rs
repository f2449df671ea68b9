//! The overlap step: which of the run's users the lake already holds (by `user_id`), and
//! whether the run holds a user twice. `load` says so, and the run record keeps the counts
//! (`record::Overlap`) so that readers know whether each user is stored once (lake::users_view).

use crate::engine::{Engine, EngineError, sql};
use crate::lake::Destination;
use crate::lake::record::{Overlap, RunRecord};

/// What the step found.
pub struct Known {
    pub overlap: Overlap,
    /// The stored runs holding users of this run, with how many, most first.
    pub by_run: Vec<(String, u64)>,
    /// Why the stored users could not be compared (the load goes on: readers then apply the
    /// "latest load wins" rule).
    pub warning: Option<String>,
}

/// Compares `relation` (the users about to be written) with the data of `stored` (every
/// complete run at the destination, as listed before the source was read).
pub fn check(engine: &Engine, relation: &str, dest: &Destination, stored: &[RunRecord]) -> anyhow::Result<Known> {
    let repeated = engine.count(&sql::REPEATED_USERS.fill(&[("relation", relation)]))?;
    let mut known = Known {
        // Loads, not records: a compacted record holds the rows of every load in its lineage,
        // and the proof that each user is stored once counts loads (lake::users_view).
        overlap: Overlap {
            runs_checked: stored.iter().map(|r| r.origins().len() as u64).sum(),
            already_stored: Some(0),
            repeated,
        },
        by_run: Vec::new(),
        warning: None,
    };
    let files: Vec<String> = stored.iter().flat_map(|r| r.data_objects(dest).map(|(f, _)| sql::quote(&f))).collect();
    if files.is_empty() {
        return Ok(known);
    }
    let statement = sql::KNOWN_USERS.fill(&[("relation", relation), ("objects", &format!("[{}]", files.join(", ")))]);
    match engine.execute_batch(&statement) {
        Ok(()) => {
            known.overlap.already_stored = Some(engine.count("SELECT count(DISTINCT user_id) FROM known_users")?);
            known.by_run = engine.rows(&sql::KNOWN_RUNS.sql(), [], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
            engine.execute_batch("DROP TABLE known_users;")?;
        }
        Err(EngineError(e)) => {
            known.overlap.already_stored = None;
            known.warning = Some(format!(
                "could not compare the users received with the stored ones ({e}): readers will keep the latest run's row of each user_id"
            ));
        }
    }
    Ok(known)
}
