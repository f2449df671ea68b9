//! What every lake lifecycle command does before its own work: read and check the records under
//! the rewrite lock, and finish what an earlier rewrite left after its commit (superseded
//! records and their objects), so that a crash never leaves work for a person to do.

use super::integrity::{self, Survey};
use super::{Destination, rewrite};
use crate::engine::Engine;

/// The records of a sound lake, with the leftovers of earlier rewrites removed. Call with the
/// rewrite lock held. Returns the survey and the warnings of the clean-up.
pub fn prepare(engine: &Engine, dest: &Destination) -> anyhow::Result<(Survey, Vec<String>)> {
    let mut survey = integrity::survey(engine, dest)?;
    integrity::refuse(dest, &survey.findings)?;
    let mut warnings = Vec::new();
    if !survey.superseded.is_empty() {
        tracing::info!(
            records = survey.superseded.len(),
            "removing what an earlier rewrite left after its commit (superseded records)"
        );
        warnings = rewrite::remove_superseded(dest, &survey.superseded, &survey.records);
        survey = integrity::survey(engine, dest)?;
        integrity::refuse(dest, &survey.findings)?;
    }
    Ok((survey, warnings))
}
