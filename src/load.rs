//! The load job: source → DuckDB (stage → flatten → validate → mask, batch by batch; then reject →
//! export, quarantine) →
//! object store → run record.
//!
//! Nothing is written unless every step before the export succeeded: the source is staged fully
//! inside the run's private DuckDB first, so a failed page or a bad file leaves the destination
//! untouched. A record that cannot be processed is quarantined (written encrypted, with its
//! reason), never dropped: received = written + quarantined + suppressed, always. The run
//! record is written last; readers only read objects a record names.

use time::OffsetDateTime;

use crate::engine::{Engine, EngineError, sanitize, sql};
use crate::runs::{self, Column, Counts, KeyFingerprints, ObjectEntry, Rejection, RunRecord, SourceParameters};
use crate::sources::api::ApiOptions;
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
    pub parameters: SourceParameters,
    pub dest: Destination,
    /// Reference time for ages.
    pub as_of: OffsetDateTime,
    pub run_id: String,
    /// Users per batch handed from the source to DuckDB (file and synthetic sources).
    pub batch_size: usize,
    /// The largest share of received users that may be quarantined before the run fails.
    pub max_bad_ratio: f64,
    pub keys: KeyFingerprints,
    /// Unknown-field strictness and k-anonymity (see `privacy`).
    pub privacy: crate::privacy::LoadPrivacy,
}

/// A required field: its path in the user object (as sql/02_validate.sql names it), the
/// top-level group that holds it (sql/checks/delivered_groups.sql names it), the question that
/// needs it.
struct Required {
    path: &'static str,
    group: &'static str,
    question: Option<&'static str>,
}

const REQUIRED: [Required; 7] = [
    Required { path: "login.uuid", group: "login", question: None },
    Required { path: "email", group: "email", question: None },
    Required { path: "gender", group: "gender", question: Some("Q2 gender distribution") },
    Required { path: "dob.date", group: "dob", question: Some("Q2 age distribution") },
    Required { path: "registered.date", group: "registered", question: Some("Q1 time since registration") },
    Required { path: "location.country", group: "location", question: Some("Q3 countries and cities") },
    Required { path: "location.city", group: "location", question: Some("Q3 countries and cities") },
];

/// A fresh run id: UTC time plus 6 random hex digits, e.g. `20261125T221500Z-3fa2c1`.
pub fn new_run_id(now: OffsetDateTime) -> String {
    format!("{}-{:06x}", timefmt::compact(now), rand::random::<u32>() & 0xff_ffff)
}

/// Runs the whole load and returns its run record, already written: the record is the last
/// thing written, so when this returns an error no reader will ever see this run's objects.
pub fn run(engine: &Engine, opts: &LoadOptions) -> anyhow::Result<RunRecord> {
    let started_at = OffsetDateTime::now_utc();
    let attempt = format!("{:08x}", rand::random::<u32>());
    engine.set_variable("run_id", &sql::quote(&opts.run_id))?;
    engine.set_variable("as_of", &timefmt::sql_timestamp(opts.as_of))?;
    engine.set_variable("loaded_at", &timefmt::sql_timestamptz(started_at))?;
    // Steps 0-3, per batch: every user ends up flattened, checked and masked in staged_users.
    let (summary, received) = crate::staging::stage(engine, &opts.source, opts.as_of, opts.batch_size)?;
    tracing::info!(received, pages = summary.pages, "source finished");
    if received == 0 {
        return Err(SourceError("the source delivered no users: nothing was written".into()).into());
    }

    // Run-level decisions, now that every user is staged.
    crate::privacy::layout::sample(engine)?;
    let unknown_fields = crate::privacy::unknown::check(engine, opts.privacy.strict)?;
    let validation = validate(engine, received, opts.max_bad_ratio)?;
    let suppressed = crate::privacy::kanon::apply(engine, opts.privacy.min_k.unwrap_or(1))?.suppressed;
    let to_write = engine.query_i64("SELECT count(*) FROM masked_users")? as u64;
    let counts = Counts { received, written: to_write, quarantined: validation.quarantined, suppressed };
    if !counts.balanced() {
        return Err(EngineError(format!(
            "internal accounting error: {counts:?} does not balance; nothing was written"
        ))
        .into());
    }

    opts.dest
        .prepare_run(&opts.run_id)
        .map_err(|e| EngineError(format!("cannot create the run folders under {}: {e}", opts.dest)))?;
    let mut objects = export_data(engine, &opts.dest, &opts.run_id, &attempt, counts.written)?;
    if counts.quarantined > 0 {
        objects.push(export_quarantine(engine, &opts.dest, &opts.run_id, &attempt, counts.quarantined)?);
    }

    let record = RunRecord {
        format: runs::FORMAT.to_string(),
        run_id: opts.run_id.clone(),
        status: "complete".to_string(),
        duckpipe_version: env!("CARGO_PKG_VERSION").to_string(),
        source: summary,
        parameters: opts.parameters.clone(),
        counts,
        objects,
        schema: schema(engine)?,
        rejections: validation.rejections,
        absent_fields: validation.absent_groups,
        unanswerable: validation.unanswerable,
        keys: opts.keys.clone(),
        as_of: timefmt::rfc3339(opts.as_of),
        started_at: timefmt::rfc3339(started_at),
        finished_at: timefmt::rfc3339(OffsetDateTime::now_utc()),
        unknown_fields,
        min_k: opts.privacy.min_k,
    };
    // The commit point.
    runs::write(engine, &opts.dest, &record)?;
    tracing::info!(run_id = %record.run_id, written = counts.written, quarantined = counts.quarantined, "run recorded");
    Ok(record)
}

/// What validation found.
struct Validation {
    quarantined: u64,
    rejections: Vec<Rejection>,
    absent_groups: Vec<String>,
    unanswerable: Vec<String>,
}

/// Splits the users into loadable ones (`masked_users`) and `rejected_users` (sql/03a_reject.sql) and fails the
/// run when too many are bad. A required group that *no* record delivered (an `inc=`/`exc=`
/// response) is not a per-record fault: it is recorded, and the questions needing it are listed
/// as unanswerable for this run.
fn validate(engine: &Engine, received: u64, max_bad_ratio: f64) -> anyhow::Result<Validation> {
    // REQUIRED lists the fields of one group next to each other, so dedup leaves each group once.
    let mut groups: Vec<&str> = REQUIRED.iter().map(|r| r.group).collect();
    groups.dedup();
    let parsed = engine.query_i64("SELECT count(*) FROM staged_users WHERE parsed")?;
    let mut stmt = engine.conn().prepare(sql::DELIVERED_GROUPS).map_err(|e| EngineError(sanitize(&e.to_string())))?;
    let delivered: Vec<(String, bool)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect::<Result<_, _>>())
        .map_err(|e| EngineError(sanitize(&e.to_string())))?;
    let delivered: Vec<bool> = groups.iter().map(|g| delivered.iter().any(|(name, yes)| name == g && *yes)).collect();
    let absent_groups: Vec<String> = groups
        .iter()
        .zip(&delivered)
        .filter(|(_, delivered)| parsed > 0 && !**delivered)
        .map(|(g, _)| g.to_string())
        .collect();
    let enforced: Vec<&Required> = REQUIRED.iter().filter(|r| !absent_groups.iter().any(|g| g == r.group)).collect();
    let mut unanswerable: Vec<String> = REQUIRED
        .iter()
        .filter(|r| absent_groups.iter().any(|g| g == r.group))
        .filter_map(|r| r.question.map(str::to_string))
        .collect();
    unanswerable.dedup();
    if !absent_groups.is_empty() {
        tracing::warn!(absent = ?absent_groups, unanswerable = ?unanswerable, "the source delivered no values at all for some required fields");
    }
    let list: Vec<String> = enforced.iter().map(|r| sql::quote(r.path)).collect();
    engine.set_variable("required", &format!("[{}]::VARCHAR[]", list.join(", ")))?;
    engine.execute_batch(sql::REJECT)?;

    let mut stmt = engine
        .conn()
        .prepare("SELECT reason, count(*) FROM rejected_users GROUP BY reason ORDER BY count(*) DESC, reason")
        .map_err(|e| EngineError(sanitize(&e.to_string())))?;
    let rejections: Vec<Rejection> = stmt
        .query_map([], |r| Ok(Rejection { reason: r.get(0)?, records: r.get::<_, i64>(1)? as u64 }))
        .and_then(|rows| rows.collect::<Result<_, _>>())
        .map_err(|e| EngineError(sanitize(&e.to_string())))?;
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

/// Writes the data (sql/04_export.sql, one or more objects: see [`crate::export`]), then reads
/// every written object back — decrypting it — to prove it is complete before it may be named in
/// a record.
fn export_data(
    engine: &Engine,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
    expected: u64,
) -> anyhow::Result<Vec<ObjectEntry>> {
    let exported = crate::export::write(engine, dest, run_id, attempt)?;
    let mut objects = Vec::new();
    for (file, rows) in exported.objects {
        let bytes = runs::object_size(engine, &file)?;
        tracing::info!(object = %file, rows, bytes, "written");
        objects.push(ObjectEntry { path: dest.relative(&file), kind: "data".into(), rows, bytes });
    }
    if exported.rows != expected {
        return Err(EngineError(format!(
            "the data objects of run {run_id} hold {} rows, expected {expected}",
            exported.rows
        ))
        .into());
    }
    Ok(objects)
}

/// Writes the rejected records with their reasons (sql/05_quarantine.sql) and checks the count.
fn export_quarantine(
    engine: &Engine,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
    expected: u64,
) -> anyhow::Result<ObjectEntry> {
    let object = dest.quarantine_object(run_id, attempt);
    engine
        .execute_batch(&sql::QUARANTINE.replace("{{output_path}}", &sql::quote(&object)))
        .map_err(|e| EngineError(format!("writing {object} failed: {e}")))?;
    let rows = crate::export::read_back(engine, &object)?.rows;
    if rows != expected {
        return Err(EngineError(format!("{object} holds {rows} rows, expected {expected}")).into());
    }
    let bytes = runs::object_size(engine, &object)?;
    tracing::info!(object = %object, rows, bytes, "quarantine written");
    Ok(ObjectEntry { path: dest.relative(&object), kind: "quarantine".into(), rows, bytes })
}

/// The columns of the exported data.
fn schema(engine: &Engine) -> anyhow::Result<Vec<Column>> {
    let mut stmt = engine
        .conn()
        .prepare("SELECT column_name, column_type FROM (DESCRIBE masked_users)")
        .map_err(|e| EngineError(sanitize(&e.to_string())))?;
    let columns = stmt
        .query_map([], |r| Ok(Column { name: r.get(0)?, data_type: r.get(1)? }))
        .and_then(|rows| rows.collect::<Result<_, _>>())
        .map_err(|e| EngineError(sanitize(&e.to_string())))?;
    Ok(columns)
}
