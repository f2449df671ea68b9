//! `runs drop`: removes whole runs — the record first (from then on no reader sees the run),
//! then the objects no other record names. A crash in between leaves orphans (`runs gc`).

use serde::Serialize;

use super::lock::Lock;
use super::{Destination, RunRecord, lifecycle, rewrite};
use crate::engine::Engine;
use crate::error::UsageError;

#[derive(Debug, Serialize)]
pub struct Dropped {
    pub runs: Vec<String>,
    pub objects_removed: usize,
    pub rows_removed: u64,
    pub warnings: Vec<String>,
}

/// Drops the runs `ids` (complete runs at `dest`). Refused, with nothing removed, when one is
/// not a run there, or only in a rewrite's lineage (its rows are in that rewrite's objects).
pub fn drop_runs(engine: &Engine, dest: &Destination, _lock: &Lock, ids: &[String]) -> anyhow::Result<Dropped> {
    // A lake with broken records may still drop runs (often the way to repair it): only the
    // records themselves must be readable. Dropping a rewrite must not bring back what it
    // superseded: its clean-up is finished first.
    let (survey, mut warnings) = lifecycle::prepare_tolerating(engine, dest, &|_, _| true)?;
    let all = survey.all();
    let mut chosen: Vec<RunRecord> = Vec::new();
    for id in ids {
        match all.iter().find(|r| &r.run_id == id) {
            Some(r) if !chosen.iter().any(|c| c.run_id == r.run_id) => chosen.push(r.clone()),
            Some(_) => {}
            None => {
                let holder = all.iter().find(|r| r.holds_run(id));
                return Err(UsageError(match holder {
                    Some(h) => format!(
                        "run {id} was rewritten into run {} (with {} other run{}): drop {} instead, or use `duckpipe forget` for people; nothing was dropped",
                        h.run_id,
                        h.origins().len().saturating_sub(1),
                        if h.origins().len() == 2 { "" } else { "s" },
                        h.run_id
                    ),
                    None => format!("no run {id} at {dest} (see `duckpipe runs`); nothing was dropped"),
                })
                .into());
            }
        }
    }
    let remaining: Vec<RunRecord> = all.into_iter().filter(|r| !chosen.iter().any(|c| c.run_id == r.run_id)).collect();
    let named: std::collections::HashSet<&str> =
        remaining.iter().flat_map(|r| r.objects.iter().map(|o| o.path.as_str())).collect();
    let objects_removed = chosen.iter().flat_map(|r| &r.objects).filter(|o| !named.contains(o.path.as_str())).count();
    let rows_removed = chosen.iter().map(|r| r.counts.written).sum();
    warnings.extend(rewrite::remove_superseded(dest, &chosen, &remaining));
    tracing::info!(runs = chosen.len(), objects = objects_removed, "runs dropped");
    Ok(Dropped { runs: chosen.into_iter().map(|r| r.run_id).collect(), objects_removed, rows_removed, warnings })
}
