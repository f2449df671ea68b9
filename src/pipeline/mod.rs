//! One load, one module per step, in the order the steps run:
//!
//! `source` → `stage` (flatten, validate, mask: batch by batch) or `stream` (the same, writing
//! the clean users while DuckDB reads an NDJSON file) → `check` (input fields) → `reject` →
//! `generalize` (`--min-k`) → `overlap` (users the lake already has) → `export` (data and
//! quarantine) → `commit` (the run record, created once).
//!
//! The run record is written last, and readers only read objects a record names, so nothing a
//! load writes is seen unless every step succeeded. A staged source is held inside the run's
//! private DuckDB until the export; a streamed file has its clean users written during the pass,
//! and when a later step refuses the run, the load removes what it wrote (a crash leaves orphans
//! for `runs gc`). A record that cannot be processed is quarantined (written encrypted, with its
//! reason), never dropped: received = written + quarantined + suppressed, always.

pub mod check;
pub mod commit;
pub mod export;
pub mod generalize;
pub mod overlap;
pub mod reject;
pub mod source;
pub mod stage;
pub mod stream;

use time::OffsetDateTime;

use crate::engine::{Engine, EngineError};
use crate::error::{InternalError, SourceError};
use crate::lake::commit as lake_commit;
use crate::lake::record::{Counts, KeyFingerprints, ObjectEntry, RunRecord, SourceParameters};
use crate::lake::{Destination, integrity, objects, probe, verify};
use crate::timefmt;
use source::Source;

#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub source: std::sync::Arc<dyn Source>,
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
    /// Unknown-field strictness and k-anonymity.
    pub privacy: LoadPrivacy,
}

/// The privacy options of a load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadPrivacy {
    /// Refuse the load when the input holds fields the classification does not know.
    pub strict: bool,
    /// Make every quasi-identifier class hold at least this many records (None: off).
    pub min_k: Option<u32>,
}

/// How a load ended. Each is exit 0: the run id is recorded at the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// This load committed the run.
    Committed,
    /// The run id was already recorded when the load started: nothing was loaded.
    AlreadyRecorded,
    /// Another load with the same run id committed while this one ran: this one committed
    /// nothing and removed its objects.
    CommittedByAnother,
}

/// What [`load`] did: the run's record (this load's, or the one already there), how the load
/// ended, every complete run at the destination (this one included), and what the caller should
/// be warned about.
pub struct Loaded {
    pub record: RunRecord,
    pub outcome: Outcome,
    pub records: Vec<RunRecord>,
    pub warnings: Vec<String>,
}

/// A fresh run id: UTC time plus 6 random hex digits, e.g. `20261125T221500Z-3fa2c1`.
pub fn new_run_id(now: OffsetDateTime) -> String {
    format!("{}-{:06x}", timefmt::compact(now), rand::random::<u32>() & 0xff_ffff)
}

/// A fresh attempt token: names this attempt's objects, temporary record and probes.
fn new_attempt() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// A load that a retry can repeat safely. Before any work: the lake's records are checked, the
/// keys must be the lake's, a run id that is already recorded is not loaded again, and the
/// destination must be writable; only then is the source read.
pub fn load(engine: &Engine, opts: &LoadOptions) -> anyhow::Result<Loaded> {
    let mut records = integrity::records(engine, &opts.dest)?;
    verify::check_load_keys(&opts.dest, &records, &opts.keys)?;
    if let Some(existing) = records.iter().find(|r| r.holds_run(&opts.run_id)).cloned() {
        tracing::warn!(run_id = %opts.run_id, "this run id is already recorded at the destination: nothing loaded");
        return Ok(Loaded { record: existing, outcome: Outcome::AlreadyRecorded, records, warnings: Vec::new() });
    }
    let attempt = new_attempt();
    probe::writable(&opts.dest, &opts.run_id, &attempt)?;
    tracing::info!(run_id = %opts.run_id, attempt = %attempt, dest = %opts.dest, parquet_key = %opts.keys.parquet, hmac_key = %opts.keys.hmac, "load started");
    let attempted = attempt_run(engine, opts, &records, &attempt)?;
    let mut warnings = attempted.warnings;
    let (record, outcome) = match attempted.outcome {
        lake_commit::Outcome::Committed => (attempted.record, Outcome::Committed),
        lake_commit::Outcome::Taken(winner) => {
            let mine = &attempted.record;
            let cleanup = match objects::remove(&opts.dest, &mine.objects) {
                Ok(()) => format!("removed its {} objects", mine.objects.len()),
                Err(e) => format!("its objects are left as orphans (`duckpipe runs --orphans` lists them): {e:#}"),
            };
            let winner = winner.ok_or_else(|| {
                EngineError(format!(
                    "run {} was committed by another load while this one ran, and its record cannot be read; this load committed nothing and {cleanup}",
                    opts.run_id
                ))
            })?;
            warnings.push(format!(
                "run {} was committed by another load (attempt {}) while this one ran: this load committed nothing and {cleanup}",
                opts.run_id, winner.attempt
            ));
            (*winner, Outcome::CommittedByAnother)
        }
    };
    records.push(record.clone());
    integrity::sort(&mut records);
    Ok(Loaded { record, outcome, records, warnings })
}

/// Runs the whole load (without the checks [`load`] makes first) and returns its run record,
/// already written: the record is the last thing written, so when this returns an error no
/// reader will ever see this run's objects.
pub fn run(engine: &Engine, opts: &LoadOptions) -> anyhow::Result<RunRecord> {
    let records = integrity::records(engine, &opts.dest)?;
    let attempted = attempt_run(engine, opts, &records, &new_attempt())?;
    match attempted.outcome {
        lake_commit::Outcome::Committed => Ok(attempted.record),
        lake_commit::Outcome::Taken(_) => {
            Err(EngineError(format!("run {} was committed by another load meanwhile", opts.run_id)).into())
        }
    }
}

/// One attempt's record, whether it became the run's record, and warnings for the caller.
struct Attempted {
    record: RunRecord,
    outcome: lake_commit::Outcome,
    warnings: Vec<String>,
}

/// The steps of one attempt at the run, against the runs `stored` at the destination. Whatever
/// fails before the commit removes what the attempt wrote (best effort: the rest stays an orphan
/// for `runs gc`), and so does an interruption that comes before the commit.
fn attempt_run(engine: &Engine, opts: &LoadOptions, stored: &[RunRecord], attempt: &str) -> anyhow::Result<Attempted> {
    let started_at = OffsetDateTime::now_utc();
    engine.set_text("run_id", &opts.run_id)?;
    engine.set_timestamp("as_of", opts.as_of)?;
    engine.set_timestamptz("loaded_at", started_at)?;
    engine.set_int("streamed", 0)?;

    let mut phase = Phase::Reading;
    let attempted = attempt_steps(engine, opts, stored, attempt, started_at, &mut phase);
    let stopped = crate::interrupt::requested().is_some() && !crate::interrupt::committed();
    let remove = match phase {
        Phase::Reading => false,
        Phase::Writing => true,
        Phase::Committing => stopped,
    };
    if attempted.is_err() && remove {
        export::remove_attempt(engine, &opts.dest, &opts.run_id, attempt);
    }
    attempted
}

/// How far an attempt got, for what its failure leaves to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing written yet.
    Reading,
    /// Objects of this attempt may exist; no record.
    Writing,
    /// The run record may be being written.
    Committing,
}

/// [`attempt_run`]'s steps; `phase` says how far they got.
fn attempt_steps(
    engine: &Engine,
    opts: &LoadOptions,
    stored: &[RunRecord],
    attempt: &str,
    started_at: OffsetDateTime,
    phase: &mut Phase,
) -> anyhow::Result<Attempted> {
    let (summary, received, streamed) = read_source(engine, opts, attempt, phase)?;
    tracing::info!(received, pages = summary.pages, "source finished");
    if received == 0 {
        return Err(SourceError("the source delivered no users: nothing was written".into()).into());
    }

    // Run-level decisions, now that every user is staged (or streamed).
    check::sample(engine)?;
    let unknown_fields = check::check(engine, opts.privacy.strict)?;
    let validation = reject::validate(engine, received, opts.max_bad_ratio)?;
    let generalized = generalize::apply(engine, opts.privacy.min_k.unwrap_or(1))?;
    let relation = generalized.relation;
    let streamed_rows: u64 = streamed.iter().map(|o| o.rows).sum();
    let written = streamed_rows + engine.count(&format!("SELECT count(*) FROM {relation}"))?;
    let counts = Counts { received, written, quarantined: validation.quarantined, suppressed: generalized.suppressed };
    if !counts.balanced() {
        return Err(InternalError(format!("accounting error: {counts:?} does not balance; nothing was written")).into());
    }
    // The whole run's users: after a streamed pass, its objects and the users accepted since.
    let run_users = if streamed.is_empty() { relation } else { stream::run_users(engine, &opts.dest, &streamed)? };
    let known = overlap::check(engine, run_users, &opts.dest, stored)?;
    let warnings = overlap_warnings(&known, written);

    crate::interrupt::check()?;
    *phase = Phase::Writing;
    let objects = export::write_run(engine, relation, &opts.dest, &opts.run_id, attempt, &counts, streamed)?;
    crate::interrupt::check()?;
    crate::lake::rewrite::checkpoint("load_exported");
    verify::check_key_unchanged(engine, &opts.dest, stored, &opts.keys)?;
    crate::lake::rewrite::checkpoint("load_checked");
    let record = commit::Commit {
        opts,
        relation: run_users,
        summary,
        counts,
        objects,
        validation,
        unknown_fields,
        overlap: known.overlap,
        attempt,
        information_loss: generalized.loss,
        started_at,
    };
    *phase = Phase::Committing;
    let (record, outcome) = commit::commit(engine, record)?;
    Ok(Attempted { record, outcome, warnings })
}

/// Reads the whole source: streamed when DuckDB reads an NDJSON file and `--min-k` is off
/// ([`stream`]), else staged ([`stage`]). Returns the source's summary, the users received and
/// the objects the streamed pass wrote (none when staged).
fn read_source(
    engine: &Engine,
    opts: &LoadOptions,
    attempt: &str,
    phase: &mut Phase,
) -> anyhow::Result<(source::SourceSummary, u64, Vec<ObjectEntry>)> {
    let source = opts.source.as_ref();
    if let (Some(path), None) = (source.duckdb_file(), opts.privacy.min_k) {
        *phase = Phase::Writing;
        match stream::stream(engine, path, source.max_record_bytes(), &opts.dest, &opts.run_id, attempt)? {
            stream::WayIn::Streamed(s) => {
                let summary = stage::file_summary(s.received);
                return Ok((summary, s.received, s.objects));
            }
            stream::WayIn::Refused => {
                *phase = Phase::Reading;
                let (summary, received) = stage::stage_batches(engine, source, opts.batch_size)?;
                return Ok((summary, received, Vec::new()));
            }
            stream::WayIn::Unstreamable => *phase = Phase::Reading,
        }
    }
    let (summary, received) = stage::stage(engine, source, opts.batch_size)?;
    Ok((summary, received, Vec::new()))
}

/// What `load` says about users the lake already has, or a run that holds a user twice.
fn overlap_warnings(known: &overlap::Known, written: u64) -> Vec<String> {
    let mut out: Vec<String> = known.warning.iter().cloned().collect();
    if let Some(n) = known.overlap.already_stored.filter(|&n| n > 0) {
        let runs: Vec<String> = known.by_run.iter().take(3).map(|(id, users)| format!("{id}: {users}")).collect();
        let more = known.by_run.len().saturating_sub(3);
        out.push(format!(
            "{n} of the {written} users written are already in the lake (run {}{}): the latest load counts, so each of them is counted once",
            runs.join(", run "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
    }
    if known.overlap.repeated > 0 {
        out.push(format!(
            "{} rows of this run repeat a user_id of another row of it: one row of each user counts",
            known.overlap.repeated
        ));
    }
    for w in &out {
        tracing::warn!("{w}");
    }
    out
}
