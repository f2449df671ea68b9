//! One load, one module per step, in the order the steps run:
//!
//! `source` → `stage` (flatten, validate, mask: batch by batch) → `check` (input fields) →
//! `reject` → `generalize` (`--min-k`) → `export` (data and quarantine) → `commit` (the run record).
//!
//! Nothing is written unless every step before the export succeeded: the source is staged fully
//! inside the run's private DuckDB first, so a failed page or a bad file leaves the destination
//! untouched. A record that cannot be processed is quarantined (written encrypted, with its
//! reason), never dropped: received = written + quarantined + suppressed, always. The run
//! record is written last; readers only read objects a record names.

pub mod check;
pub mod commit;
pub mod export;
pub mod generalize;
pub mod reject;
pub mod source;
pub mod stage;

use time::OffsetDateTime;

use crate::engine::Engine;
use crate::error::{InternalError, SourceError};
use crate::lake::Destination;
use crate::lake::record::{self, Counts, KeyFingerprints, RunRecord, SourceParameters};
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

/// What [`load`] did: the run's record, whether the run id was already recorded (and nothing
/// was loaded), and every complete run at the destination, this one included.
pub struct Loaded {
    pub record: RunRecord,
    pub skipped: bool,
    pub records: Vec<RunRecord>,
}

/// A fresh run id: UTC time plus 6 random hex digits, e.g. `20261125T221500Z-3fa2c1`.
pub fn new_run_id(now: OffsetDateTime) -> String {
    format!("{}-{:06x}", timefmt::compact(now), rand::random::<u32>() & 0xff_ffff)
}

/// A load that a retry can repeat safely: a run id that is already recorded at the destination
/// is not loaded again.
pub fn load(engine: &Engine, opts: &LoadOptions) -> anyhow::Result<Loaded> {
    let mut records = record::list(engine, &opts.dest)?;
    if let Some(existing) = records.iter().find(|r| r.run_id == opts.run_id).cloned() {
        tracing::warn!(run_id = %opts.run_id, "this run id is already recorded at the destination: nothing loaded");
        return Ok(Loaded { record: existing, skipped: true, records });
    }
    tracing::info!(run_id = %opts.run_id, dest = %opts.dest, parquet_key = %opts.keys.parquet, hmac_key = %opts.keys.hmac, "load started");
    let record = run(engine, opts)?;
    records.push(record.clone());
    Ok(Loaded { record, skipped: false, records })
}

/// Runs the whole load and returns its run record, already written: the record is the last
/// thing written, so when this returns an error no reader will ever see this run's objects.
pub fn run(engine: &Engine, opts: &LoadOptions) -> anyhow::Result<RunRecord> {
    let started_at = OffsetDateTime::now_utc();
    let attempt = format!("{:08x}", rand::random::<u32>());
    engine.set_text("run_id", &opts.run_id)?;
    engine.set_timestamp("as_of", opts.as_of)?;
    engine.set_timestamptz("loaded_at", started_at)?;

    let (summary, received) = stage::stage(engine, opts.source.as_ref(), opts.batch_size)?;
    tracing::info!(received, pages = summary.pages, "source finished");
    if received == 0 {
        return Err(SourceError("the source delivered no users: nothing was written".into()).into());
    }

    // Run-level decisions, now that every user is staged.
    check::sample(engine)?;
    let unknown_fields = check::check(engine, opts.privacy.strict)?;
    let validation = reject::validate(engine, received, opts.max_bad_ratio)?;
    let generalized = generalize::apply(engine, opts.privacy.min_k.unwrap_or(1))?;
    let relation = generalized.relation;
    let written = engine.count(&format!("SELECT count(*) FROM {relation}"))?;
    let counts = Counts { received, written, quarantined: validation.quarantined, suppressed: generalized.suppressed };
    if !counts.balanced() {
        return Err(InternalError(format!("accounting error: {counts:?} does not balance; nothing was written")).into());
    }

    crate::interrupt::check()?;
    let committed =
        export::write_run(engine, relation, &opts.dest, &opts.run_id, &attempt, &counts).and_then(|objects| {
            crate::interrupt::check()?;
            let record =
                commit::Commit { opts, relation, summary, counts, objects, validation, unknown_fields, started_at };
            commit::commit(engine, record)
        });
    if committed.is_err() && crate::interrupt::requested().is_some() {
        // Stopped on purpose: what this attempt wrote is removed, not left as orphans.
        export::remove_attempt(&opts.dest, &opts.run_id, &attempt);
    }
    committed
}
