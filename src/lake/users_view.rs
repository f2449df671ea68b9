//! The view `users`: the data of every complete run, named object by object from the run
//! records, each user once.
//!
//! A user can arrive in several runs (the same seed loaded twice, a newer export of the same
//! people). The lake's rule: **the latest run wins, by `user_id`** — each user counts once, with
//! the row of the run that finished last. Applying the rule means reading every row, so it is
//! applied only when it can matter: each load records how its users relate to the runs before it
//! (`record::Overlap`), and when the records prove that no user_id is stored twice the view reads
//! the objects as they are.

use super::{Destination, RunRecord, integrity, verify};
use crate::engine::{Engine, sql};
use crate::error::UsageError;

/// Defines the view `users` over the data of every complete run at `dest` — only objects named
/// by a run record, never a glob — decrypting with the registered key, and returns those runs.
///
/// Before any data is read it checks the records (`integrity`), that the runs were written with
/// this Parquet key (by fingerprint: a clear "wrong key" instead of a decryption error), and that
/// every object still has the size and rows its record states.
pub fn open_users_view(engine: &Engine, dest: &Destination) -> anyhow::Result<Vec<RunRecord>> {
    let records = integrity::records(engine, dest)?;
    open_users_view_of(engine, dest, &records)?;
    Ok(records)
}

/// [`open_users_view`] over records the caller has already read and checked (a load that just
/// listed them and added its own), so they are not fetched again.
pub fn open_users_view_of(engine: &Engine, dest: &Destination, records: &[RunRecord]) -> anyhow::Result<()> {
    // Nothing loaded there (or the wrong destination): a usage problem, not a storage failure.
    if records.is_empty() {
        return Err(UsageError(format!("no complete runs at {dest} (run `duckpipe load` first)")).into());
    }
    verify::check_key(engine, records)?;
    integrity::check_data_sizes(engine, dest, records)?;
    integrity::check_data_rows(engine, dest, records)
        .map_err(|e| verify::name_damaged_object(engine, dest, records, e.into()))?;
    let files: Vec<String> =
        records.iter().flat_map(|r| r.data_objects(dest).map(|(path, _)| sql::quote(&path))).collect();
    let objects = format!("[{}]", files.join(", "));
    let statement = if each_user_once(records) {
        sql::USERS_VIEW.fill(&[("objects", &objects)])
    } else {
        tracing::debug!("a user may be stored in several runs: the view keeps the latest run's row of each user_id");
        let order: Vec<String> = load_order(records).iter().map(|id| sql::quote(id)).collect();
        sql::USERS_LATEST_VIEW.fill(&[("objects", &objects), ("run_order", &format!("[{}]", order.join(", ")))])
    };
    engine.execute_batch(&statement).map_err(|e| verify::name_damaged_object(engine, dest, records, e.into()))?;
    Ok(())
}

/// The most rows [`read_once`] holds in memory (about 100 MB of masked users).
pub const READ_ONCE_ROWS: u64 = 1_000_000;

/// The fewest objects for which [`read_once`] pays: below it, copying the rows costs more than
/// each question reading the few objects (docs/benchmarks.md).
pub const READ_ONCE_OBJECTS: usize = 16;

/// Reads the rows of view `users` once into the engine when the lake holds many small objects
/// (at least [`READ_ONCE_OBJECTS`], at most [`READ_ONCE_ROWS`] rows in all), and points `users`
/// at them (`sql/lake/users_read_once.sql`). Such a lake then costs one fetch per object, not one
/// per object and question; others are read by each question, with only the columns it needs.
pub fn read_once(engine: &Engine, dest: &Destination, records: &[RunRecord]) -> anyhow::Result<()> {
    let objects: Vec<u64> = records.iter().flat_map(|r| r.data_objects(dest).map(|(_, o)| o.rows)).collect();
    if objects.len() < READ_ONCE_OBJECTS || objects.iter().sum::<u64>() > READ_ONCE_ROWS {
        return Ok(());
    }
    engine.run(&sql::USERS_READ_ONCE).map_err(|e| verify::name_damaged_object(engine, dest, records, e.into()))
}

/// Whether the records prove that no user_id is stored twice: every run says none of its users
/// were stored before it and none repeats within it, and each run was checked against every run
/// committed before it.
///
/// The last part needs no clock. A load counts the runs it compared its users with
/// (`runs_checked`); that is at most the number of runs committed before its own commit. If the
/// counts of the N runs are exactly 0, 1, …, N-1, each equals that bound, so every run was
/// compared with every earlier one. Two loads that overlapped in time compared with the same runs
/// and record the same count, so the proof fails and the view applies the rule; so does a lake
/// whose records were deleted, or written before duckpipe recorded overlaps.
///
/// A rewrite keeps the overlaps of the loads in its lineage, so the proof is over the loads, not
/// the records: compacting or forgetting keeps it; dropping a run leaves a gap.
pub fn each_user_once(records: &[RunRecord]) -> bool {
    let origins: Vec<_> = records.iter().flat_map(RunRecord::origins).collect();
    let mut checked = Vec::with_capacity(origins.len());
    for r in &origins {
        match r.overlap {
            Some(o) if o.already_stored == Some(0) && o.repeated == 0 => checked.push(o.runs_checked),
            _ => return false,
        }
    }
    checked.sort_unstable();
    checked.iter().enumerate().all(|(i, &n)| n == i as u64)
}

/// The run ids the rows carry (the loads, also inside rewrites), oldest first: the order in
/// which the latest load wins. Rows keep their load's run id through every rewrite, so a
/// compaction does not change which row of a user counts.
pub fn load_order(records: &[RunRecord]) -> Vec<String> {
    super::record::sorted_origins(records).into_iter().map(|o| o.run_id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::record::Overlap;

    fn runs(overlaps: &[Option<Overlap>]) -> Vec<RunRecord> {
        overlaps
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let mut r: RunRecord = RunRecord::sample(&format!("r{i}"));
                r.overlap = *o;
                r
            })
            .collect()
    }

    fn clean(runs_checked: u64) -> Option<Overlap> {
        Some(Overlap { runs_checked, already_stored: Some(0), repeated: 0 })
    }

    #[test]
    fn sequential_disjoint_runs_prove_each_user_once() {
        assert!(each_user_once(&runs(&[clean(0), clean(1), clean(2)])));
        assert!(each_user_once(&runs(&[clean(1), clean(0)])), "order of listing does not matter");
        assert!(each_user_once(&[]));
    }

    #[test]
    fn anything_else_applies_the_rule() {
        // Loads that overlapped in time both compared with the same one run.
        assert!(!each_user_once(&runs(&[clean(0), clean(1), clean(1)])));
        // A record was removed: the counts no longer prove anything.
        assert!(!each_user_once(&runs(&[clean(0), clean(2)])));
        // Users already stored, repeated within a run, unknown, or a record from before.
        let stored = Some(Overlap { runs_checked: 1, already_stored: Some(3), repeated: 0 });
        assert!(!each_user_once(&runs(&[clean(0), stored])));
        let repeated = Some(Overlap { runs_checked: 0, already_stored: Some(0), repeated: 1 });
        assert!(!each_user_once(&runs(&[repeated])));
        let unknown = Some(Overlap { runs_checked: 0, already_stored: None, repeated: 0 });
        assert!(!each_user_once(&runs(&[unknown])));
        assert!(!each_user_once(&runs(&[None])));
    }
}
