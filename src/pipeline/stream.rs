//! The streamed way in, for an NDJSON file DuckDB reads itself: one statement reads the file,
//! flattens, checks and masks each user (the views of `sql/stage/`) and writes every clean user
//! straight into the run's objects (`sql/stage/streamed_users.sql` → `sql/write/users.sql`), on
//! every core. The other records are set aside as they pass (`set_aside()` keeps a hash of each
//! text), and a second pass, duckpipe's own line reader, finds them again with their positions
//! and stages only those, so that the run-level steps decide about them, and about the run, once
//! the file is read.
//!
//! The written objects are invisible until the run record names them (`commit`). When the run is
//! refused later (too many bad records, `--strict`, a structure in a kept field), the load
//! removes them; a crash leaves them as orphans for `runs gc`.
//!
//! A clean user is written whatever the rest of the file holds, with one exception decided before
//! the pass: when the reference shape (the first complete user's) puts a number or a boolean in
//! a kept field, every user of that shape is a reject, so such a file is staged instead
//! ([`WayIn::Unstreamable`]).

use super::export::{self, Exported};
use super::source::file;
use super::stage;
use crate::engine::{Engine, EngineError, sql};
use crate::error::InternalError;
use crate::lake::Destination;
use crate::lake::record::ObjectEntry;
use crate::schema::fields;

/// How the file got in.
pub enum WayIn {
    /// The clean users are written (`objects`); the records set aside are in `staged_users`.
    Streamed(Streamed),
    /// DuckDB refused the file's text (a line that is not JSON, …): nothing is written, and the
    /// file is to be read line by line.
    Refused,
    /// The file cannot stream (its reference shape has a kept field of the wrong type, or no
    /// user parsed): nothing is written, and it is to be staged.
    Unstreamable,
}

/// What the streamed pass did.
pub struct Streamed {
    /// The data objects written, each read back (rows from its decrypted footer).
    pub objects: Vec<ObjectEntry>,
    /// Records received in all: those written and those set aside.
    pub received: u64,
}

/// Streams `path` into the run's folder at `dest` (objects `part-<attempt>-<i>`). An error after
/// the pass started may leave objects of this attempt: the caller removes them.
pub fn stream(
    engine: &Engine,
    path: &std::path::Path,
    max_record_bytes: u64,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
) -> anyhow::Result<WayIn> {
    engine.execute_batch(&stage::raw_users_from_file(path, max_record_bytes))?;
    match stage::start_steps(engine) {
        Ok(()) => {}
        Err(e) if stage::refused_input(&e) => return refused(engine, path),
        Err(e) => return Err(e.into()),
    }
    if !first_shape_streams(engine)? {
        tracing::info!(file = %path.display(), "the reference shape (the first complete user's) cannot stream: staging the file");
        engine.execute_batch("DROP TABLE IF EXISTS staged_users; DROP VIEW IF EXISTS raw_users;")?;
        return Ok(WayIn::Unstreamable);
    }
    tracing::info!(file = %path.display(), "DuckDB reads the file (all cores, one pass) and writes its clean users");
    engine.run(&sql::STREAMED_USERS)?;
    dest.prepare_run(run_id).map_err(|e| EngineError(format!("cannot create the run folders under {dest}: {e}")))?;
    engine.take_set_aside();
    let ticker = stage::file_ticker(path, " and writes the run");
    let written = export::write(engine, "streamed_users", dest, run_id, attempt);
    drop(ticker);
    let exported = match written {
        Ok(exported) => exported,
        Err(e) if stage::refused_input(&e) => {
            export::remove_attempt(engine, dest, run_id, attempt);
            return refused(engine, path);
        }
        Err(e) => return Err(e),
    };
    let objects = keep_nonempty(engine, dest, exported)?;
    let written: u64 = objects.iter().map(|o| o.rows).sum();
    let set_aside = stage_set_aside(engine, path, max_record_bytes)?;
    engine.set_int("streamed", i64::try_from(written).unwrap_or(i64::MAX))?;
    tracing::info!(written, set_aside, "file read: clean users written, the others staged");
    Ok(WayIn::Streamed(Streamed { objects, received: written + set_aside }))
}

/// DuckDB refused the file (its message is not shown: it may describe the content of a line).
fn refused(engine: &Engine, path: &std::path::Path) -> anyhow::Result<WayIn> {
    stage::forget_file(engine, path)?;
    Ok(WayIn::Refused)
}

/// Whether the first parsed user's shape holds every kept field with a type that can be
/// written (sql/run/kept_types.sql on that one sample). No parsed user at all: nothing is clean.
fn first_shape_streams(engine: &Engine) -> anyhow::Result<bool> {
    if engine.count("SELECT count(*) FROM layout_first")? == 0 {
        return Ok(false);
    }
    engine.set_list("kept_leaves", &fields::kept_paths())?;
    engine.set_int("streamed", 1)?;
    engine.run_all(&[&sql::LAYOUT_SAMPLES, &sql::KEPT_TYPES])?;
    engine.set_int("streamed", 0)?;
    Ok(engine.count("SELECT count(*) FROM kept_types")? == 0)
}

/// The written objects that hold rows, with their sizes; an empty one (a file without a clean
/// user) is removed.
fn keep_nonempty(engine: &Engine, dest: &Destination, exported: Exported) -> anyhow::Result<Vec<ObjectEntry>> {
    let (full, empty): (Vec<_>, Vec<_>) = exported.objects.into_iter().partition(|(_, rows)| *rows > 0);
    if !empty.is_empty() {
        let paths: Vec<String> = empty.iter().map(|(f, _)| dest.relative(f)).collect();
        crate::lake::objects::remove_paths(dest, &paths)?;
    }
    full.into_iter().map(|(file, rows)| export::entry(engine, dest, &file, rows)).collect()
}

/// The second pass, when records were set aside: duckpipe reads the file's lines again (by the
/// rules of the line reader a file DuckDB refuses gets, so positions and texts are the ones that
/// way gives) and stages each record noted by `set_aside()`, at its position. Returns how many
/// were staged, which must be how many were set aside. One thread, but only a hash per line: no
/// JSON is parsed.
fn stage_set_aside(engine: &Engine, path: &std::path::Path, max_record_bytes: u64) -> anyhow::Result<u64> {
    let noted = engine.take_set_aside();
    if noted.records == 0 {
        return Ok(0);
    }
    let mut batches = stage::Batches::set_aside(engine)?;
    // A record over the size limit is found whatever its text: DuckDB's pass noted it without.
    file::find_records(path, max_record_bytes, |text| noted.holds(text), |seq, record| batches.push_at(seq, record))?;
    batches.finish()?;
    let staged = engine.count("SELECT count(*) FROM staged_users")?;
    if staged != noted.records {
        return Err(InternalError(format!(
            "the streamed pass set {} records aside, but {staged} were found again in the file: nothing was committed",
            noted.records
        ))
        .into());
    }
    Ok(staged)
}

/// Creates `run_users` (sql/run/run_users.sql) over the streamed `objects` and the users accepted
/// since, and returns its name.
pub fn run_users(engine: &Engine, dest: &Destination, objects: &[ObjectEntry]) -> anyhow::Result<&'static str> {
    let files: Vec<String> = objects.iter().map(|o| sql::quote(&dest.resolve(&o.path))).collect();
    engine.execute_batch(&sql::RUN_USERS.fill(&[("objects", &format!("[{}]", files.join(", ")))]))?;
    Ok("run_users")
}
