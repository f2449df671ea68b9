//! What every lake lifecycle command does before its own work: read and check the records under
//! the rewrite lock, and finish what an earlier rewrite left after its commit (superseded
//! records and their objects), so that a crash never leaves work for a person to do.

use super::integrity::{self, Finding, Survey};
use super::{Destination, RunRecord, rewrite};
use crate::engine::Engine;

/// The records of a sound lake, with the leftovers of earlier rewrites removed. Call with the
/// rewrite lock held. Returns the survey and the warnings of the clean-up.
pub fn prepare(engine: &Engine, dest: &Destination) -> anyhow::Result<(Survey, Vec<String>)> {
    prepare_tolerating(engine, dest, &|_, _| false)
}

/// [`prepare`], except for the findings `tolerate` accepts, given the records: `rekey` moving a
/// lake that a load left under its old and new keys.
pub fn prepare_tolerating(
    engine: &Engine,
    dest: &Destination,
    tolerate: &dyn Fn(&[RunRecord], &Finding) -> bool,
) -> anyhow::Result<(Survey, Vec<String>)> {
    let checked = || -> anyhow::Result<Survey> {
        let mut survey = integrity::survey(engine, dest)?;
        let records = &survey.records;
        survey.findings.retain(|f| !tolerate(records, f));
        integrity::refuse(dest, &survey.findings)?;
        Ok(survey)
    };
    let mut survey = checked()?;
    let mut warnings = Vec::new();
    if !survey.superseded.is_empty() {
        tracing::info!(
            records = survey.superseded.len(),
            "removing what an earlier rewrite left after its commit (superseded records)"
        );
        warnings = rewrite::remove_superseded(dest, &survey.superseded, &survey.records);
        survey = checked()?;
    }
    Ok((survey, warnings))
}
