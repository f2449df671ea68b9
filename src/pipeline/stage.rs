//! The stage step, batch by batch: the source's users go into DuckDB (`raw_users`), are
//! flattened, checked and masked by the views of `sql/stage/` (`flat_users` → `checked_users` →
//! `masked_rows`, in the order of [`sql::STAGE_STEPS`]) and appended to `staged_users`, the one
//! narrow table that grows with the input. The raw JSON of only one batch is held at a time.
//!
//! Two ways in, measured in docs/benchmarks.md (a third, `super::stream`, writes an NDJSON file's
//! clean users during the pass instead of staging them):
//! - An NDJSON file is read by DuckDB itself (`sql/stage/raw_users_from_file.sql`): one parallel pass over
//!   the file on every core, nothing copied through duckpipe. If DuckDB refuses the file (a line
//!   that is not JSON, a byte-order mark, …), the load falls back to the next way, which hands
//!   such a line on as a record to quarantine. A load stages a file this way only with
//!   `--min-k`, or when its reference shape cannot stream.
//! - Every other source (API requests included) runs on its own thread and passes pages to this
//!   one through a channel of at most [`PAGES_IN_FLIGHT`] pages, so fetching, parsing or
//!   generating the next page overlaps with DuckDB's work. Pages go into `raw_users` through DuckDB's appender; every
//!   [`BATCH_ROWS`] users, the per-batch steps run on the batch (on every core) and `raw_users` starts
//!   afresh.

use duckdb::{Appender, params};

use super::source::{self as sources, BatchSink, Record, Source, SourceSummary};
use crate::engine::{self, Engine, EngineError, sql};
use crate::error::SourceError;

/// Pages buffered between the source thread and DuckDB.
pub const PAGES_IN_FLIGHT: usize = 2;

/// Users per batch through the per-batch steps: two of DuckDB's row groups (122,880 rows each), so that
/// both cores work on a batch, and about 270 MB of raw JSON for randomuser-sized users — about half
/// the default memory limit.
pub const BATCH_ROWS: u64 = 2 * 122_880;

/// Bytes of raw JSON per batch at most, whatever the number of users: a batch of large records
/// (up to the maximum record size each) is cut short rather than outgrow memory.
pub const BATCH_BYTES: u64 = 256 << 20;

/// Runs the stage step on the whole source. Returns the source's summary and the users received (all
/// in `staged_users`). A source failure is a [`SourceError`], a DuckDB failure an [`EngineError`].
pub fn stage(engine: &Engine, source: &dyn Source, batch_size: usize) -> anyhow::Result<(SourceSummary, u64)> {
    if let Some(path) = source.duckdb_file() {
        match stage_ndjson(engine, path, source.max_record_bytes()) {
            Ok(received) => return Ok((file_summary(received), received)),
            // DuckDB refused the text (a line that is not JSON, a byte-order mark, …): duckpipe's
            // reader takes every line as a record, to quarantine if need be. DuckDB's message is
            // not shown: it may describe the content of a line.
            Err(e) if refused_input(&e) => forget_file(engine, path)?,
            // Anything else (out of memory, a read error) would fail the line reader too.
            Err(e) => return Err(e),
        }
    }
    stage_batches(engine, source, batch_size)
}

/// The summary of a file DuckDB read itself, in one page.
pub fn file_summary(received: u64) -> SourceSummary {
    SourceSummary { kind: "file".into(), pages: 1, users: received, ..Default::default() }
}

/// Whether DuckDB failed on the file's content (its "Invalid Input" errors: malformed JSON,
/// invalid UTF-8, a byte-order mark, an object too large), rather than for want of memory or of
/// the file.
pub(super) fn refused_input(e: &impl std::fmt::Display) -> bool {
    e.to_string().contains("Invalid Input Error")
}

/// After DuckDB refused the file at `path`: says so, and drops what was made over it, so that
/// the line reader starts afresh.
pub(super) fn forget_file(engine: &Engine, path: &std::path::Path) -> Result<(), EngineError> {
    // A warning, not detail: the load goes on, but slower than the user may expect.
    tracing::warn!(file = %path.display(), "DuckDB could not read the file as NDJSON: reading it line by line");
    engine.execute_batch("DROP TABLE IF EXISTS staged_users; DROP VIEW IF EXISTS raw_users;")
}

/// The progress line while DuckDB reads `path` in one statement: what it reads, and `doing`.
pub(super) fn file_ticker(path: &std::path::Path, doing: &str) -> crate::progress::Ticker {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    crate::progress::Ticker::for_stderr(
        "loading",
        format!("DuckDB reads {name} ({}){doing}", crate::numbers::bytes(size)),
    )
}

/// The stage step with DuckDB reading `path` (a [`Source::duckdb_file`]).
fn stage_ndjson(engine: &Engine, path: &std::path::Path, max_record_bytes: u64) -> anyhow::Result<u64> {
    engine.execute_batch(&raw_users_from_file(path, max_record_bytes))?;
    tracing::info!(file = %path.display(), "DuckDB reads the file (all cores, one pass)");
    let ticker = file_ticker(path, "");
    let result = start_steps(engine).and_then(|()| engine.run(&sql::APPEND_BATCH));
    drop(ticker);
    result?;
    Ok(engine.query_i64("SELECT count(*) FROM staged_users")? as u64)
}

/// `sql/stage/raw_users_from_file.sql` for `path`: records over `max_record_bytes` become one
/// quarantined record each, with the reason the line reader gives them. DuckDB's own object limit
/// is set just above, so that every record within the limit is read.
pub fn raw_users_from_file(path: &std::path::Path, max_record_bytes: u64) -> String {
    sql::RAW_USERS_FROM_FILE.fill(&[
        ("input", &sql::quote(&path.to_string_lossy())),
        ("max_record_bytes", &max_record_bytes.to_string()),
        ("maximum_object_size", &max_record_bytes.saturating_add(1 << 12).min(u64::from(u32::MAX)).to_string()),
        ("oversized_reason", &sql::quote(&sources::oversized_reason(max_record_bytes))),
    ])
}

/// Creates the per-batch views and `staged_users` ([`sql::STAGE_STEPS`]), once `raw_users` holds
/// the first users (`layout_first` notes the reference shape: the first complete user's).
pub(super) fn start_steps(engine: &Engine) -> Result<(), EngineError> {
    engine.run_all(&sql::STAGE_STEPS)
}

/// Batches of users in `raw_users`, through the per-batch steps into `staged_users` (see [`BATCH_ROWS`]).
pub struct Batches<'e> {
    engine: &'e Engine,
    /// The statement that moves a batch into `staged_users`.
    append: &'static sql::SqlFile,
    appender: Option<Appender<'e>>,
    batch_rows: u64,
    in_batch: u64,
    in_batch_bytes: u64,
    received: u64,
    started: bool,
}

impl<'e> Batches<'e> {
    pub fn new(engine: &'e Engine) -> anyhow::Result<Self> {
        Self::with_batch_rows(engine, BATCH_ROWS)
    }

    /// Batches of `batch_rows` users instead of [`BATCH_ROWS`] (tests use small ones).
    pub fn with_batch_rows(engine: &'e Engine, batch_rows: u64) -> anyhow::Result<Self> {
        engine.run(&sql::RAW_USERS)?;
        Ok(Self {
            engine,
            append: &sql::APPEND_BATCH,
            appender: None,
            batch_rows: batch_rows.max(1),
            in_batch: 0,
            in_batch_bytes: 0,
            received: 0,
            started: false,
        })
    }

    /// Batches of the records a streamed load set aside (`super::stream`), into the
    /// `staged_users` its pass created, through the views it created (the run's first shape
    /// stays the one the pass used), leaving out clean users (`sql/stage/append_set_aside.sql`).
    pub fn set_aside(engine: &'e Engine) -> anyhow::Result<Self> {
        engine.execute_batch("DROP VIEW IF EXISTS raw_users;")?;
        let mut batches = Self::new(engine)?;
        batches.append = &sql::APPEND_SET_ASIDE;
        batches.started = true;
        Ok(batches)
    }

    /// Appends records (users' JSON texts, or records to quarantine) in order, each at the next
    /// position; runs the per-batch steps whenever a batch is full.
    pub fn push<R: Into<Record>>(&mut self, users: impl IntoIterator<Item = R>) -> anyhow::Result<()> {
        for user in users {
            self.push_at(self.received, user.into())?;
        }
        Ok(())
    }

    /// Appends one record at position `seq` of the run.
    pub fn push_at(&mut self, seq: u64, record: Record) -> anyhow::Result<()> {
        if self.appender.is_none() {
            self.appender = Some(self.engine.appender("raw_users")?);
        }
        let appender = self.appender.as_mut().expect("just set");
        self.in_batch_bytes += record.len() as u64;
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        match &record {
            Record::Text(doc) => appender.append_row(params![doc, None::<&str>, seq]),
            Record::Unreadable { reason, doc } => appender.append_row(params![doc, reason, seq]),
        }
        .map_err(db_error)?;
        self.in_batch += 1;
        self.received += 1;
        if self.in_batch == self.batch_rows || self.in_batch_bytes >= BATCH_BYTES {
            self.run_steps()?;
        }
        Ok(())
    }

    /// Runs the per-batch steps on what is staged and returns the users received in all.
    pub fn finish(mut self) -> anyhow::Result<u64> {
        self.run_steps()?;
        Ok(self.received)
    }

    fn run_steps(&mut self) -> anyhow::Result<()> {
        crate::interrupt::check()?;
        if let Some(mut appender) = self.appender.take() {
            appender.flush().map_err(db_error)?;
        }
        if self.in_batch == 0 && self.started {
            return Ok(());
        }
        if !self.started {
            start_steps(self.engine)?;
            self.started = true;
        }
        self.engine.run(self.append)?;
        // A fresh table frees the batch's raw JSON (a DELETE would keep its memory).
        self.engine.run(&sql::RAW_USERS)?;
        tracing::debug!(batch = self.in_batch, received = self.received, "batch staged");
        self.in_batch = 0;
        self.in_batch_bytes = 0;
        Ok(())
    }
}

fn db_error(e: duckdb::Error) -> anyhow::Error {
    engine::db_error(e).into()
}

/// The stage step through [`Batches`], the source on its own thread where it can run ahead. (Public for
/// the staging benchmark, which compares it with DuckDB reading a file itself.)
pub fn stage_batches(engine: &Engine, source: &dyn Source, batch_size: usize) -> anyhow::Result<(SourceSummary, u64)> {
    let mut batches = Batches::new(engine)?;
    let mut progress = crate::progress::Progress::for_stderr(source.expected_users());
    let mut append = |users: Vec<Record>| -> anyhow::Result<()> {
        progress.batch(users.len() as u64, users.iter().map(|u| u.len() as u64).sum());
        batches.push(users)
    };
    // The source runs on its own thread; at most PAGES_IN_FLIGHT pages wait (back-pressure).
    let summary = pipelined(|sink| source.produce(batch_size, sink), &mut append)?;
    progress.finish();
    let received = batches.finish()?;
    Ok((summary, received))
}

/// Runs `produce` on its own thread and `consume`s its pages here, in order. The first error
/// stops both sides: a consumer error is returned as is, a producer error as a [`SourceError`].
fn pipelined<P>(produce: P, consume: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary>
where
    P: FnOnce(&mut BatchSink<'_>) -> anyhow::Result<SourceSummary> + Send,
{
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Record>>(PAGES_IN_FLIGHT);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut send = |page: Vec<Record>| tx.send(page).map_err(|_| anyhow::anyhow!("staging stopped"));
            produce(&mut send)
        });
        let mut failed = None;
        for page in rx.iter() {
            if let Err(e) = consume(page) {
                failed = Some(e);
                break;
            }
        }
        // Closing the channel makes the producer's next send fail, so it stops.
        drop(rx);
        let produced = match producer.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        match failed {
            Some(e) => Err(e),
            None => produced.map_err(|e| SourceError(format!("{e:#}")).into()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EngineError;

    fn pages(n: usize) -> impl FnOnce(&mut BatchSink<'_>) -> anyhow::Result<SourceSummary> + Send {
        move |sink| {
            for i in 0..n {
                sink(vec![format!("{i}a").into(), format!("{i}b").into()])?;
            }
            Ok(SourceSummary { users: 2 * n as u64, pages: n as u32, ..Default::default() })
        }
    }

    #[test]
    fn pages_arrive_in_order() {
        let mut got = Vec::new();
        let summary = pipelined(pages(50), &mut |p| {
            got.extend(p);
            Ok(())
        })
        .unwrap();
        assert_eq!(summary.users, 100);
        let want: Vec<Record> = (0..50).flat_map(|i| [format!("{i}a").into(), format!("{i}b").into()]).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn consumer_error_stops_the_producer_and_is_returned() {
        let mut calls = 0;
        let err = pipelined(pages(1000), &mut |_| {
            calls += 1;
            if calls == 3 { Err(EngineError("disk full".into()).into()) } else { Ok(()) }
        })
        .unwrap_err();
        assert!(err.is::<EngineError>(), "{err:#}");
        assert_eq!(calls, 3);
    }

    #[test]
    fn producer_error_is_a_source_error() {
        let err = pipelined(
            |sink: &mut BatchSink<'_>| {
                sink(vec![Record::Text("x".into())])?;
                anyhow::bail!("users.ndjson line 2: not valid JSON")
            },
            &mut |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.is::<SourceError>());
        assert!(err.to_string().contains("line 2"));
    }
}
