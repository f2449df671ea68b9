//! The commit step: the run record, created last and exactly once (`lake::commit`). Once it
//! exists, readers see the run's objects; until then, nobody does.

use time::OffsetDateTime;

use super::LoadOptions;
use super::reject::Validation;
use crate::engine::Engine;
use crate::lake::commit::{self as lake_commit, Outcome};
use crate::lake::record::{
    self, Column, Counts, InformationLoss, ObjectEntry, Overlap, RunRecord, SourceSummary, UnknownField,
};
use crate::timefmt;

/// Everything the record of a finished run says.
pub struct Commit<'a> {
    pub opts: &'a LoadOptions,
    /// The relation the data objects were written from.
    pub relation: &'a str,
    pub summary: SourceSummary,
    pub counts: Counts,
    pub objects: Vec<ObjectEntry>,
    pub validation: Validation,
    pub unknown_fields: Vec<UnknownField>,
    pub overlap: Overlap,
    pub attempt: &'a str,
    pub information_loss: Option<InformationLoss>,
    pub started_at: OffsetDateTime,
}

/// Creates the run record (the commit point) unless the run id was committed meanwhile by
/// another attempt; returns this attempt's record and what happened.
pub fn commit(engine: &Engine, c: Commit<'_>) -> anyhow::Result<(RunRecord, Outcome)> {
    let opts = c.opts;
    let record = RunRecord {
        format: record::FORMAT.to_string(),
        run_id: opts.run_id.clone(),
        status: "complete".to_string(),
        duckpipe_version: env!("CARGO_PKG_VERSION").to_string(),
        source: c.summary,
        parameters: opts.parameters.clone(),
        counts: c.counts,
        objects: c.objects,
        schema: schema(engine, c.relation)?,
        rejections: c.validation.rejections,
        absent_fields: c.validation.absent_groups,
        unanswerable: c.validation.unanswerable,
        keys: opts.keys.clone(),
        attempt: c.attempt.to_string(),
        overlap: Some(c.overlap),
        as_of: timefmt::rfc3339(opts.as_of),
        started_at: timefmt::rfc3339(c.started_at),
        finished_at: timefmt::rfc3339(OffsetDateTime::now_utc()),
        unknown_fields: c.unknown_fields,
        min_k: opts.privacy.min_k,
        information_loss: c.information_loss,
        supersedes: Vec::new(),
        rewrite: None,
    };
    let outcome = lake_commit::create(&opts.dest, &record)?;
    match &outcome {
        Outcome::Committed => {
            tracing::info!(run_id = %record.run_id, written = record.counts.written, quarantined = record.counts.quarantined, "run recorded")
        }
        Outcome::Taken(_) => {
            tracing::warn!(run_id = %record.run_id, "another load committed this run id first: this attempt committed nothing")
        }
    }
    Ok((record, outcome))
}

/// The columns of the exported data.
pub fn schema(engine: &Engine, relation: &str) -> anyhow::Result<Vec<Column>> {
    let columns = engine.rows(&format!("SELECT column_name, column_type FROM (DESCRIBE {relation})"), [], |r| {
        Ok(Column { name: r.get(0)?, data_type: r.get(1)? })
    })?;
    Ok(columns)
}
