//! The load job: source → DuckDB (stage → flatten → mask → export) → object store.
//!
//! Nothing is written unless every step before the export succeeded: the source is staged fully
//! inside the run's private DuckDB first, so a failed page, a bad file or a record that cannot
//! be processed leaves the destination untouched.

use serde::Serialize;
use time::OffsetDateTime;

use crate::engine::{Engine, EngineError, sanitize, sql};
use crate::sources::{SourceSummary, api::ApiOptions};
use crate::store::Destination;
use crate::timefmt;

/// Which source to read, with its parameters.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    Api(ApiOptions),
    File { path: std::path::PathBuf },
    Synthetic { seed: String, count: u64, nat: Option<Vec<String>> },
}

/// The source failed: bad input, unreachable API, unusable records.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub source: SourceSpec,
    pub dest: Destination,
    /// Reference time for ages.
    pub as_of: OffsetDateTime,
    pub run_id: String,
    /// Users per batch handed from the source to DuckDB (file and synthetic sources).
    pub batch_size: usize,
}

/// What a load did. No user data; safe to print and to log.
#[derive(Debug, Clone, Serialize)]
pub struct LoadOutcome {
    pub run_id: String,
    pub dest: String,
    pub source: SourceSummary,
    pub received: u64,
    pub written: u64,
    pub objects: Vec<String>,
    pub as_of: String,
    pub started_at: String,
    pub finished_at: String,
}

/// Required input fields: a user without a usable value here cannot be loaded correctly.
const REQUIRED: [(&str, &str); 7] = [
    ("login_uuid", "login.uuid"),
    ("email", "email"),
    ("gender", "gender"),
    ("dob_at", "dob.date"),
    ("registered_at", "registered.date"),
    ("country", "location.country"),
    ("city", "location.city"),
];

/// A fresh run id: UTC time plus 6 random hex digits, e.g. `20261125T221500Z-3fa2c1`.
pub fn new_run_id(now: OffsetDateTime) -> String {
    format!("{}-{:06x}", timefmt::compact(now), rand::random::<u32>() & 0xff_ffff)
}

pub fn run(engine: &Engine, opts: &LoadOptions) -> anyhow::Result<LoadOutcome> {
    let started_at = OffsetDateTime::now_utc();
    let (summary, received) = stage(engine, &opts.source, opts.as_of, opts.batch_size)?;
    tracing::info!(received, pages = summary.pages, "source finished");
    if received == 0 {
        return Err(SourceError("the source delivered no users: nothing was written".into()).into());
    }

    engine.execute_batch(sql::FLATTEN)?;
    check_required(engine)?;

    engine.set_variable("run_id", &sql::quote(&opts.run_id))?;
    engine.set_variable("as_of", &timefmt::sql_timestamp(opts.as_of))?;
    engine.set_variable("loaded_at", &timefmt::sql_timestamptz(started_at))?;
    engine.execute_batch(sql::MASK)?;
    tracing::debug!("masked");

    opts.dest
        .prepare_run(&opts.run_id)
        .map_err(|e| EngineError(format!("cannot create {}: {e}", opts.dest.run_dir(&opts.run_id))))?;
    // Every object is read back (decrypting it) to prove it is complete before reporting success.
    let exported = crate::export::write(engine, &opts.dest, &opts.run_id)?;
    let written = exported.rows;
    if written != received {
        return Err(EngineError(format!("{} holds {written} rows, expected {received}", opts.dest.run_dir(&opts.run_id))).into());
    }
    tracing::info!(objects = exported.objects.len(), rows = written, "written");

    Ok(LoadOutcome {
        run_id: opts.run_id.clone(),
        dest: opts.dest.to_string(),
        source: summary,
        received,
        written,
        objects: exported.objects,
        as_of: timefmt::rfc3339(opts.as_of),
        started_at: timefmt::rfc3339(started_at),
        finished_at: timefmt::rfc3339(OffsetDateTime::now_utc()),
    })
}

/// Streams the source into `raw_users` (see [`crate::staging`]).
fn stage(engine: &Engine, source: &SourceSpec, now: OffsetDateTime, batch_size: usize) -> anyhow::Result<(SourceSummary, u64)> {
    crate::staging::stage(engine, source, now, batch_size)
}

/// Refuses the whole load when users lack a required field, naming the fields and counts —
/// never the values.
fn check_required(engine: &Engine) -> anyhow::Result<()> {
    let counts: Vec<String> = REQUIRED.iter().map(|(col, _)| format!("count(*) FILTER (WHERE {col} IS NULL)")).collect();
    let query = format!("SELECT {} FROM flat_users", counts.join(", "));
    let missing: Vec<i64> = engine
        .conn()
        .query_row(&query, [], |row| (0..REQUIRED.len()).map(|i| row.get::<_, i64>(i)).collect())
        .map_err(|e| EngineError(sanitize(&e.to_string())))?;
    let problems: Vec<String> = REQUIRED
        .iter()
        .zip(&missing)
        .filter(|(_, n)| **n > 0)
        .map(|((_, field), n)| format!("{n} without a usable {field}"))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SourceError(format!("input users are incomplete ({}): nothing was written", problems.join(", "))).into())
    }
}
