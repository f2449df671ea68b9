//! Step 0 of a load: hands the source's users to DuckDB (`raw_users`, see `sql/00_stage.sql`).
//!
//! The file and synthetic sources run on their own thread and pass pages to this one through a
//! channel of at most [`PAGES_IN_FLIGHT`] pages, so parsing or generating the next page overlaps
//! with DuckDB taking the current one, and memory held outside DuckDB stays a few pages. Pages go
//! into DuckDB through its appender as they arrive; DuckDB's memory limit makes staged data spill
//! (encrypted) to disk instead of growing memory (see `engine::workspace`).
//!
//! The appender was measured against the alternatives (docs/benchmarks.md): writing pages to
//! temporary NDJSON files for `read_ndjson_objects`, and letting DuckDB read the input file
//! itself. Raw strings through the appender cost the least on the critical path.

use duckdb::params;
use time::OffsetDateTime;

use crate::engine::{Engine, EngineError, sanitize, sql};
use crate::load::{SourceError, SourceSpec};
use crate::sources::{self, BatchSink, SourceSummary};

/// Pages buffered between the source thread and DuckDB.
pub const PAGES_IN_FLIGHT: usize = 2;

/// Streams the source into `raw_users`. Returns the source's summary and the users received.
/// A source failure is a [`SourceError`], a DuckDB failure an [`EngineError`].
pub fn stage(engine: &Engine, source: &SourceSpec, now: OffsetDateTime, batch_size: usize) -> anyhow::Result<(SourceSummary, u64)> {
    engine.execute_batch(sql::STAGE)?;
    let conn = engine.conn();
    let mut appender = conn.appender("raw_users").map_err(|e| EngineError(sanitize(&e.to_string())))?;
    let mut received: u64 = 0;
    let mut progress = crate::progress::Progress::for_stderr();
    let mut append = |users: Vec<String>| -> anyhow::Result<()> {
        progress.batch(&users);
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
            let fetched = runtime.block_on(sources::api::fetch(options, &mut append));
            fetched.map_err(|e| SourceError(e.to_string()))?
        }
        SourceSpec::File { path } => pipelined(|sink| sources::file::read(path, batch_size, sink), &mut append)?,
        SourceSpec::Synthetic { seed, count, nat } => {
            let generator = sources::synthetic::Generator::new(seed, nat.as_deref(), now)
                .map_err(|e| SourceError(format!("{e:#}")))?;
            pipelined(|sink| sources::synthetic::generate(&generator, *count, batch_size as u32, sink), &mut append)?
        }
    };
    progress.finish();
    appender.flush().map_err(|e| EngineError(sanitize(&e.to_string())))?;
    Ok((summary, received))
}

/// Runs `produce` on its own thread and `consume`s its pages here, in order. The first error
/// stops both sides: a consumer error is returned as is, a producer error as a [`SourceError`].
fn pipelined<P>(produce: P, consume: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary>
where
    P: FnOnce(&mut BatchSink<'_>) -> anyhow::Result<SourceSummary> + Send,
{
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<String>>(PAGES_IN_FLIGHT);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut send = |page: Vec<String>| tx.send(page).map_err(|_| anyhow::anyhow!("staging stopped"));
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

    fn pages(n: usize) -> impl FnOnce(&mut BatchSink<'_>) -> anyhow::Result<SourceSummary> + Send {
        move |sink| {
            for i in 0..n {
                sink(vec![format!("{i}a"), format!("{i}b")])?;
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
        let want: Vec<String> = (0..50).flat_map(|i| [format!("{i}a"), format!("{i}b")]).collect();
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
                sink(vec!["x".into()])?;
                anyhow::bail!("users.ndjson line 2: not valid JSON")
            },
            &mut |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.is::<SourceError>());
        assert!(err.to_string().contains("line 2"));
    }
}
