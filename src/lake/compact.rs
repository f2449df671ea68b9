//! `compact`: merges the runs of a lake into objects of the target size with one rewrite. Rows
//! keep their load's run id and every answer stays the same (the view orders the latest load
//! by the lineage, which the new record keeps: which runs were merged, their seeds and counts).

use super::lock::Lock;
use super::rewrite::{self, Part, Plan, Rewritten};
use super::{Destination, integrity, lifecycle, verify};
use crate::engine::{Engine, sql};

/// What compaction did.
pub struct Compacted {
    /// The rewrite; None when there was nothing to merge.
    pub done: Option<Rewritten>,
    /// The objects the lake's records named before.
    pub objects_before: usize,
    pub warnings: Vec<String>,
}

pub fn compact(engine: &Engine, dest: &Destination, lock: &Lock, target_bytes: u64) -> anyhow::Result<Compacted> {
    let (survey, mut warnings) = lifecycle::prepare(engine, dest)?;
    let records = survey.records;
    let objects_before = records.iter().map(|r| r.objects.len()).sum();
    let data_objects = records.iter().flat_map(|r| &r.objects).filter(|o| o.kind == "data").count();
    if records.len() < 2 && data_objects < 2 {
        tracing::info!("nothing to compact: the lake holds {} run with {data_objects} data object", records.len());
        return Ok(Compacted { done: None, objects_before, warnings });
    }
    verify::check_key(engine, &records)?;
    integrity::check_data_sizes(engine, dest, &records)?;
    let plan = Plan {
        operation: "compact",
        keys: records[0].keys.clone(),
        data: Part {
            objects: records
                .iter()
                .flat_map(|r| &r.objects)
                .filter(|o| o.kind == "data")
                .map(|o| o.path.clone())
                .collect(),
            transform: None,
        },
        // The quarantine stays where it is: no reader reads it, and it has its own key.
        quarantine: Part::none(),
        inputs: records,
        target_bytes,
        read_key: sql::KeyName::Data,
        quarantine_read_key: sql::KeyName::Quarantine,
        quarantine_write_key: sql::KeyName::Quarantine,
    };
    let done = rewrite::rewrite(engine, dest, lock, plan)?;
    warnings.extend(done.warnings.iter().cloned());
    Ok(Compacted { done: Some(done), objects_before, warnings })
}
