//! The load job: source → DuckDB (stage → flatten → mask → export) → object store.
//!
//! Nothing is written unless every step before the export succeeded: the source is staged fully
//! inside the run's private DuckDB first, so a failed page, a bad file or a record that cannot
//! be processed leaves the destination untouched.

use duckdb::params;
use serde::Serialize;
use time::OffsetDateTime;

use crate::engine::{Engine, EngineError, sanitize, sql};
use crate::sources::{self, SourceSummary, api::ApiOptions};
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
    /// Unknown-field strictness and k-anonymity (see `privacy`).
    pub privacy: crate::privacy::LoadPrivacy,
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
    /// Input fields the classification does not know: dropped, named here (never their values).
    pub unknown_fields: Vec<crate::privacy::unknown::UnknownField>,
    /// `--min-k` when given.
    pub min_k: Option<u32>,
    /// Records removed by `--min-k` because no generalisation made their class large enough.
    pub suppressed: u64,
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
    let unknown_fields = crate::privacy::unknown::check(engine, opts.privacy.strict)?;

    engine.set_variable("run_id", &sql::quote(&opts.run_id))?;
    engine.set_variable("as_of", &timefmt::sql_timestamp(opts.as_of))?;
    engine.set_variable("loaded_at", &timefmt::sql_timestamptz(started_at))?;
    engine.execute_batch(sql::MASK)?;
    tracing::debug!("masked");
    let suppressed = crate::privacy::kanon::apply(engine, opts.privacy.min_k.unwrap_or(1))?.suppressed;

    let object = opts.dest.users_object(&opts.run_id);
    opts.dest
        .prepare_run(&opts.run_id)
        .map_err(|e| EngineError(format!("cannot create {}: {e}", opts.dest.run_dir(&opts.run_id))))?;
    engine
        .execute_batch(&sql::EXPORT.replace("{{output_path}}", &sql::quote(&object)))
        .map_err(|e| EngineError(format!("writing {object} failed: {e}")))?;
    // Read the object back (decrypting it) to prove it is complete before reporting success.
    let written = engine.query_i64(&format!(
        "SELECT count(*) FROM read_parquet({}, encryption_config = {{footer_key: 'duckpipe'}})",
        sql::quote(&object)
    ))? as u64;
    if written != received - suppressed {
        return Err(EngineError(format!("{object} holds {written} rows, expected {}", received - suppressed)).into());
    }
    tracing::info!(object = %object, rows = written, "written");

    Ok(LoadOutcome {
        run_id: opts.run_id.clone(),
        dest: opts.dest.to_string(),
        source: summary,
        received,
        written,
        objects: vec![object],
        as_of: timefmt::rfc3339(opts.as_of),
        started_at: timefmt::rfc3339(started_at),
        finished_at: timefmt::rfc3339(OffsetDateTime::now_utc()),
        unknown_fields,
        min_k: opts.privacy.min_k,
        suppressed,
    })
}

/// Streams the source into `raw_users`. Returns the source's summary and the users received.
fn stage(engine: &Engine, source: &SourceSpec, now: OffsetDateTime, batch_size: usize) -> anyhow::Result<(SourceSummary, u64)> {
    engine.execute_batch(sql::STAGE)?;
    let conn = engine.conn();
    let mut appender = conn.appender("raw_users").map_err(|e| EngineError(sanitize(&e.to_string())))?;
    let mut received: u64 = 0;
    let mut sink = |users: Vec<String>| -> anyhow::Result<()> {
        for user in users {
            appender.append_row(params![received as i64, user]).map_err(|e| EngineError(sanitize(&e.to_string())))?;
            received += 1;
        }
        tracing::debug!(received, "staged");
        Ok(())
    };
    let summary = match source {
        SourceSpec::Api(options) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| SourceError(format!("cannot start the HTTP runtime: {e}")))?;
            runtime.block_on(sources::api::fetch(options, &mut sink)).map_err(|e| SourceError(e.to_string()))?
        }
        SourceSpec::File { path } => {
            sources::file::read(path, batch_size, &mut sink).map_err(|e| SourceError(format!("{e:#}")))?
        }
        SourceSpec::Synthetic { seed, count, nat } => {
            let generator = sources::synthetic::Generator::new(seed, nat.as_deref(), now)
                .map_err(|e| SourceError(format!("{e:#}")))?;
            sources::synthetic::generate(&generator, *count, batch_size as u32, &mut sink)
                .map_err(|e| SourceError(format!("{e:#}")))?
        }
    };
    drop(sink);
    appender.flush().map_err(|e| EngineError(sanitize(&e.to_string())))?;
    Ok((summary, received))
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
