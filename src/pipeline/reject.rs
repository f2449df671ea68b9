//! The reject step, once the whole run is staged: which users cannot be processed
//! (`sql/run/rejected_users.sql`, `masked_users.sql`), which required groups the source did not deliver at all, and whether
//! the share of bad records allows the run to go on.

use crate::engine::{Engine, sql};
use crate::error::SourceError;
use crate::lake::record::Rejection;
use crate::schema::required::{self, REQUIRED, Required};

/// What validation found.
pub struct Validation {
    pub quarantined: u64,
    pub rejections: Vec<Rejection>,
    pub absent_groups: Vec<String>,
    pub unanswerable: Vec<String>,
}

/// Splits the users into loadable ones (`masked_users`) and `rejected_users` (`sql/run/`) and fails the
/// run when too many are bad. An analytic group that *no* parsed record delivered (an
/// `inc=`/`exc=` response) is not a per-record fault: it is recorded, and the questions needing
/// it are listed as unanswerable for this run. The identity fields are required always: a record
/// without them is never a user, so a run whose records all lack them fails (none usable).
pub fn validate(engine: &Engine, received: u64, max_bad_ratio: f64) -> anyhow::Result<Validation> {
    // A streamed user (stage/streamed_users.sql) parsed too.
    let parsed =
        engine.query_i64("SELECT count(*) + coalesce(getvariable('streamed'), 0) FROM staged_users WHERE parsed")?;
    let delivered: Vec<(String, bool)> =
        engine.rows(&sql::DELIVERED_GROUPS.sql(), [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let absent_groups: Vec<String> = required::analytic_groups()
        .into_iter()
        .filter(|g| parsed > 0 && !delivered.iter().any(|(name, yes)| name == g && *yes))
        .map(str::to_string)
        .collect();
    let absent = |r: &Required| !r.is_identity() && absent_groups.iter().any(|g| g == r.group);
    let enforced: Vec<&Required> = REQUIRED.iter().filter(|r| !absent(r)).collect();
    let mut unanswerable: Vec<String> =
        REQUIRED.iter().filter(|r| absent(r)).filter_map(|r| r.question.map(str::to_string)).collect();
    unanswerable.dedup();
    if !absent_groups.is_empty() {
        tracing::warn!(absent = ?absent_groups, unanswerable = ?unanswerable, "the source delivered no values at all for some required fields");
    }
    let list: Vec<&str> = enforced.iter().map(|r| r.path).collect();
    engine.set_list("required", &list)?;
    engine.run_all(&sql::REJECT_STEPS)?;

    let rejections: Vec<Rejection> = engine.rows(&sql::REJECTIONS.sql(), [], |r| {
        Ok(Rejection { reason: r.get(0)?, records: r.get::<_, i64>(1)? as u64 })
    })?;
    let quarantined: u64 = rejections.iter().map(|r| r.records).sum();
    if quarantined > 0 {
        tracing::warn!(quarantined, received, "records could not be processed and go to quarantine");
    }
    let summary =
        || rejections.iter().take(3).map(|r| format!("{} × {}", r.records, r.reason)).collect::<Vec<_>>().join(", ");
    if quarantined == received {
        return Err(SourceError(format!(
            "none of the {received} users could be processed ({}): nothing was written",
            summary()
        ))
        .into());
    }
    if quarantined as f64 > max_bad_ratio * received as f64 {
        return Err(SourceError(format!(
            "{quarantined} of {received} users ({:.2} %) could not be processed ({}), more than --max-bad-ratio {max_bad_ratio}: nothing was written",
            100.0 * quarantined as f64 / received as f64,
            summary()
        ))
        .into());
    }
    Ok(Validation { quarantined, rejections, absent_groups, unanswerable })
}
