//! The rewrite primitive under compact, forget and rekey: read the rows of some objects of a set
//! of runs, transform them in SQL, write new encrypted objects, commit one new run record that
//! names the runs it *supersedes* — the commit point — and only then remove the superseded
//! records and the objects nobody names any more.
//!
//! Readers ignore every record that another record supersedes (`integrity::survey`), so the
//! moment the new record exists they see the new rows and never the old ones; before it, only
//! the old ones. A crash before the commit leaves the old state plus the new objects as orphans;
//! after it, the new state plus superseded records (ignored; removed by the next rewrite or
//! `runs gc`) or orphaned old objects. Objects the rewrite did not need to change are named by
//! the new record where they are (forget touches only the objects holding the person).
//!
//! The caller holds the rewrite lock (`lock`); loads may commit meanwhile — their runs are not
//! in the plan, so they are neither lost nor rewritten.

use std::collections::HashSet;

use time::OffsetDateTime;

use super::commit::{self, Outcome};
use super::lock::Lock;
use super::record::{self, Counts, KeyFingerprints, ObjectEntry, Removed, Rewrite, RunRecord, SourceSummary};
use super::{Destination, integrity, objects};
use crate::engine::{Engine, EngineError, sql};
use crate::timefmt;

/// The documented target size of the objects a rewrite writes (as a load does).
pub const TARGET_OBJECT_BYTES: u64 = 128 * 1024 * 1024;

/// Rows per row group, as a load writes them.
const ROW_GROUP_ROWS: u64 = 122_880;

/// Which objects of one kind to rewrite, and the SQL that transforms their rows.
pub struct Part<'a> {
    /// Objects (relative paths, named by the input records) to read and write again.
    pub objects: Vec<String>,
    /// A file creating `relation` from `rewrite_data` / `rewrite_quarantine`; None: as they are.
    pub transform: Option<(&'a sql::SqlFile, &'a str)>,
}

impl Part<'_> {
    pub fn none() -> Self {
        Self { objects: Vec::new(), transform: None }
    }
}

/// One rewrite.
pub struct Plan<'a> {
    /// "compact", "forget" or "rekey": the prefix of the new run id and the record's operation.
    pub operation: &'static str,
    /// The complete runs this rewrite supersedes. Their objects not listed in `data` or
    /// `quarantine` are kept as they are.
    pub inputs: Vec<RunRecord>,
    pub data: Part<'a>,
    pub quarantine: Part<'a>,
    /// Target size of the new data objects.
    pub target_bytes: u64,
    /// The registered keys to read the inputs with (data, quarantine) and to write the
    /// quarantine with; data is written with the engine's own key.
    pub read_key: sql::KeyName,
    pub quarantine_read_key: sql::KeyName,
    pub quarantine_write_key: sql::KeyName,
    /// The key fingerprints of the new record.
    pub keys: KeyFingerprints,
}

/// What a rewrite did.
#[derive(Debug)]
pub struct Rewritten {
    pub record: RunRecord,
    pub bytes_written: u64,
    pub bytes_read: u64,
    /// What could not be removed after the commit (left as superseded records or orphans).
    pub warnings: Vec<String>,
}

/// A test hook: with `DUCKPIPE_TEST_PAUSE_AT=<step>` the process says so on stderr and waits
/// (up to two minutes, or until the file `DUCKPIPE_TEST_RESUME` names exists), so that the
/// end-to-end tests can kill it (-9) at exactly that point of a rewrite, or run a load meanwhile.
pub fn checkpoint(step: &str) {
    if std::env::var("DUCKPIPE_TEST_PAUSE_AT").is_ok_and(|s| s == step) {
        // Not a log line: the tests wait for exactly this text.
        eprintln!("duckpipe: paused at {step}");
        let resume = std::env::var_os("DUCKPIPE_TEST_RESUME").map(std::path::PathBuf::from);
        let until = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while std::time::Instant::now() < until && !resume.as_ref().is_some_and(|f| f.exists()) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// Runs the plan under the held `lock` and returns the committed record.
pub fn rewrite(engine: &Engine, dest: &Destination, lock: &Lock, plan: Plan<'_>) -> anyhow::Result<Rewritten> {
    let started_at = OffsetDateTime::now_utc();
    let run_id =
        format!("{}-{}-{:06x}", plan.operation, timefmt::compact(started_at), rand::random::<u32>() & 0xff_ffff);
    let attempt = format!("{:08x}", rand::random::<u32>());
    dest.prepare_run(&run_id).map_err(|e| EngineError(format!("cannot create the run folders under {dest}: {e}")))?;
    tracing::info!(run_id = %run_id, operation = plan.operation, runs = plan.inputs.len(), "rewrite started");

    let by_path: std::collections::HashMap<&str, &ObjectEntry> =
        plan.inputs.iter().flat_map(|r| r.objects.iter().map(|o| (o.path.as_str(), o))).collect();
    let bytes_read: u64 = plan
        .data
        .objects
        .iter()
        .chain(&plan.quarantine.objects)
        .filter_map(|p| by_path.get(p.as_str()))
        .map(|o| o.bytes)
        .sum();
    let mut steps = Steps::new(&plan);
    let mut written = Vec::new();
    if !plan.data.objects.is_empty() {
        let _ticker = steps.next(format!("rewriting {}", described(&plan.data.objects, "data object", &by_path)));
        written.extend(write_data(engine, dest, &run_id, &attempt, &plan)?);
    }
    crate::interrupt::check()?;
    if !plan.quarantine.objects.is_empty() {
        let _ticker =
            steps.next(format!("rewriting {}", described(&plan.quarantine.objects, "quarantine object", &by_path)));
        written.extend(write_quarantine(engine, dest, &run_id, &attempt, &plan)?);
    }
    checkpoint("written");

    let rewritten: HashSet<&str> =
        plan.data.objects.iter().chain(&plan.quarantine.objects).map(String::as_str).collect();
    let kept: Vec<ObjectEntry> =
        plan.inputs.iter().flat_map(|r| &r.objects).filter(|o| !rewritten.contains(o.path.as_str())).cloned().collect();
    let rows = |kind: &str, objects: &mut dyn Iterator<Item = &ObjectEntry>| -> u64 {
        objects.filter(|o| o.kind == kind).map(|o| o.rows).sum()
    };
    let removed = Removed {
        data: rows("data", &mut plan.data.objects.iter().filter_map(|p| by_path.get(p.as_str()).copied()))
            .saturating_sub(rows("data", &mut written.iter())),
        quarantine: rows(
            "quarantine",
            &mut plan.quarantine.objects.iter().filter_map(|p| by_path.get(p.as_str()).copied()),
        )
        .saturating_sub(rows("quarantine", &mut written.iter())),
    };
    let bytes_written = written.iter().map(|o| o.bytes).sum();
    let mut objects: Vec<ObjectEntry> = kept;
    objects.extend(written);
    let record = new_record(&plan, &run_id, &attempt, objects, removed, started_at);

    crate::interrupt::check()?;
    let ticker = steps.next(format!("committing, then removing the {} superseded runs", plan.inputs.len()));
    lock.check_held()?;
    match commit::create(dest, &record)? {
        Outcome::Committed => {}
        Outcome::Taken(_) => {
            return Err(EngineError(format!("run id {run_id} was taken meanwhile: nothing was committed")).into());
        }
    }
    tracing::info!(run_id = %run_id, operation = plan.operation, supersedes = plan.inputs.len(), "rewrite committed");
    checkpoint("committed");
    let warnings = remove_superseded(dest, &plan.inputs, std::slice::from_ref(&record));
    drop(ticker);
    Ok(Rewritten { record, bytes_written, bytes_read, warnings })
}

/// The progress of a rewrite: one line per step (`compact: step 1 of 2: rewriting … · 12 s`), on
/// a terminal only (`progress::Ticker`).
struct Steps {
    operation: &'static str,
    done: usize,
    total: usize,
}

impl Steps {
    fn new(plan: &Plan<'_>) -> Self {
        let parts = [&plan.data, &plan.quarantine].iter().filter(|p| !p.objects.is_empty()).count();
        Self { operation: plan.operation, done: 0, total: parts + 1 }
    }

    fn next(&mut self, what: String) -> crate::progress::Ticker {
        self.done += 1;
        crate::progress::Ticker::for_stderr(self.operation, format!("step {} of {}: {what}", self.done, self.total))
    }
}

/// `3 data objects (1.2 MB)`: how many of `paths` and their stored size.
fn described(paths: &[String], what: &str, by_path: &std::collections::HashMap<&str, &ObjectEntry>) -> String {
    let bytes: u64 = paths.iter().filter_map(|p| by_path.get(p.as_str())).map(|o| o.bytes).sum();
    let n = paths.len();
    format!("{n} {what}{} ({})", if n == 1 { "" } else { "s" }, crate::numbers::bytes(bytes))
}

/// Defines the rows of one part of the plan — `input` (a file defining the view `read`) over its
/// objects, read with `key`, then the part's transform — and returns the relation holding them
/// and its row count.
fn stage_part<'p>(
    engine: &Engine,
    dest: &Destination,
    (input, read): (&sql::SqlFile, &'p str),
    part: &Part<'p>,
    key: sql::KeyName,
) -> anyhow::Result<(&'p str, u64)> {
    engine.execute_batch(
        &input.fill(&[("objects", &list(dest, &part.objects)), ("read_key", &sql::quote(key.name()))]),
    )?;
    let relation = match part.transform {
        Some((file, relation)) => {
            engine.run(file)?;
            relation
        }
        None => read,
    };
    let rows = engine.count(&format!("SELECT count(*) FROM {relation}"))?;
    Ok((relation, rows))
}

/// Writes the new data objects of the plan and reads them back (rows from the decrypted
/// footers, sizes), as a load does before naming objects in a record.
fn write_data(
    engine: &Engine,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
    plan: &Plan<'_>,
) -> anyhow::Result<Vec<ObjectEntry>> {
    let (relation, expected) =
        stage_part(engine, dest, (&sql::REWRITE_DATA_IN, "rewrite_data"), &plan.data, plan.read_key)?;
    if expected == 0 {
        return Ok(Vec::new());
    }
    let run_dir = dest.run_dir(run_id);
    let statement = sql::WRITE_USERS.fill(&[
        ("relation", relation),
        ("run_dir", &sql::quote(&run_dir)),
        ("filename_pattern", &sql::quote(&format!("part-{attempt}-{{i}}"))),
        ("file_size_bytes", &plan.target_bytes.to_string()),
        ("row_group_rows", &ROW_GROUP_ROWS.to_string()),
    ]);
    let files = objects::copy(engine, &statement).map_err(|e| e.context(format!("writing {run_dir} failed")))?;
    let entries = read_back(engine, dest, &files, "data", sql::KeyName::Data)?;
    let rows: u64 = entries.iter().map(|o| o.rows).sum();
    if rows != expected {
        return Err(EngineError(format!("the new objects of {run_id} hold {rows} rows, expected {expected}")).into());
    }
    Ok(entries)
}

/// Writes the plan's quarantine rows into one new object, if any remain.
fn write_quarantine(
    engine: &Engine,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
    plan: &Plan<'_>,
) -> anyhow::Result<Vec<ObjectEntry>> {
    let (relation, expected) = stage_part(
        engine,
        dest,
        (&sql::REWRITE_QUARANTINE_IN, "rewrite_quarantine"),
        &plan.quarantine,
        plan.quarantine_read_key,
    )?;
    if expected == 0 {
        return Ok(Vec::new());
    }
    let object = dest.quarantine_object(run_id, attempt);
    let key = plan.quarantine_write_key;
    engine
        .execute_batch(&sql::REWRITE_WRITE_QUARANTINE.fill(&[
            ("relation", relation),
            ("output_path", &sql::quote(&object)),
            ("write_key", &sql::quote(key.name())),
        ]))
        .map_err(|e| e.context(format!("writing {object} failed")))?;
    let entries = read_back(engine, dest, std::slice::from_ref(&object), "quarantine", key)?;
    if entries.iter().map(|o| o.rows).sum::<u64>() != expected {
        return Err(EngineError(format!("{object} does not hold the {expected} rows written")).into());
    }
    Ok(entries)
}

/// The entries of objects just written: rows from their decrypted footers, sizes.
fn read_back(
    engine: &Engine,
    dest: &Destination,
    files: &[String],
    kind: &str,
    key: sql::KeyName,
) -> anyhow::Result<Vec<ObjectEntry>> {
    let rows = integrity::object_rows_keyed(engine, key, files)
        .map_err(|e| e.context("reading back the objects just written failed"))?;
    let sizes = objects::sizes(engine, files)?;
    let mut out: Vec<ObjectEntry> = files
        .iter()
        .map(|f| ObjectEntry {
            path: dest.relative(f),
            kind: kind.to_string(),
            rows: rows.get(f).copied().unwrap_or(0),
            bytes: sizes.get(f).copied().unwrap_or(0),
            purged_at: None,
        })
        .collect();
    out.sort_by(|a, b| a.path.len().cmp(&b.path.len()).then_with(|| a.path.cmp(&b.path)));
    Ok(out)
}

/// `[<quoted full path>, …]` of relative paths.
fn list(dest: &Destination, relative: &[String]) -> String {
    let quoted: Vec<String> = relative.iter().map(|p| sql::quote(&dest.resolve(p))).collect();
    format!("[{}]", quoted.join(", "))
}

/// The record of a rewrite: its objects, the counts they hold, and the lineage of the inputs.
fn new_record(
    plan: &Plan<'_>,
    run_id: &str,
    attempt: &str,
    objects: Vec<ObjectEntry>,
    removed: Removed,
    started_at: OffsetDateTime,
) -> RunRecord {
    let lineage = record::sorted_origins(&plan.inputs);
    let mut earlier_removed = Removed::default();
    for r in plan.inputs.iter().filter_map(|r| r.rewrite.as_ref()) {
        earlier_removed.data += r.removed.data;
        earlier_removed.quarantine += r.removed.quarantine;
    }
    let written = objects.iter().filter(|o| o.kind == "data").map(|o| o.rows).sum();
    let quarantined = objects.iter().filter(|o| o.kind == "quarantine").map(|o| o.rows).sum();
    let suppressed = plan.inputs.iter().map(|r| r.counts.suppressed).sum();
    let first = plan.inputs.first();
    let union = |get: fn(&RunRecord) -> &Vec<String>| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in plan.inputs.iter().flat_map(get) {
            if !out.contains(v) {
                out.push(v.clone());
            }
        }
        out
    };
    let min_ks: HashSet<Option<u32>> = plan.inputs.iter().map(|r| r.min_k).collect();
    RunRecord {
        format: record::FORMAT.to_string(),
        run_id: run_id.to_string(),
        status: "complete".to_string(),
        duckpipe_version: env!("CARGO_PKG_VERSION").to_string(),
        source: SourceSummary { kind: plan.operation.to_string(), users: written, ..Default::default() },
        parameters: Default::default(),
        counts: Counts { received: written + quarantined + suppressed, written, quarantined, suppressed },
        objects,
        schema: first.map(|r| r.schema.clone()).unwrap_or_default(),
        rejections: Vec::new(),
        absent_fields: union(|r| &r.absent_fields),
        unanswerable: union(|r| &r.unanswerable),
        keys: plan.keys.clone(),
        attempt: attempt.to_string(),
        overlap: None,
        unknown_fields: Vec::new(),
        min_k: if min_ks.len() == 1 { min_ks.into_iter().next().flatten() } else { None },
        information_loss: None,
        supersedes: plan.inputs.iter().map(|r| r.run_id.clone()).collect(),
        rewrite: Some(Rewrite {
            operation: plan.operation.to_string(),
            lineage,
            removed: Removed {
                data: earlier_removed.data + removed.data,
                quarantine: earlier_removed.quarantine + removed.quarantine,
            },
        }),
        as_of: first.map(|r| r.as_of.clone()).unwrap_or_default(),
        started_at: timefmt::rfc3339(started_at),
        finished_at: timefmt::rfc3339(OffsetDateTime::now_utc()),
    }
}

/// After a commit: removes the records of `superseded` first (so that a crash leaves orphans,
/// never a record naming deleted objects), then their objects that no record in `remaining`
/// names. Returns what could not be removed (a warning each; `runs gc` retries).
pub fn remove_superseded(dest: &Destination, superseded: &[RunRecord], remaining: &[RunRecord]) -> Vec<String> {
    let mut warnings = Vec::new();
    for r in superseded {
        if let Err(e) = objects::delete(dest, &format!("runs/{}.json", r.run_id)) {
            warnings.push(format!("the superseded record of run {} is left (readers ignore it): {e:#}", r.run_id));
        }
    }
    if let Destination::Local(_) = dest {
        let _ = super::durable::sync(std::path::Path::new(&dest.resolve("runs")));
    }
    checkpoint("records_removed");
    let named: HashSet<&str> = remaining.iter().flat_map(|r| r.objects.iter().map(|o| o.path.as_str())).collect();
    for r in superseded {
        for o in r.objects.iter().filter(|o| !named.contains(o.path.as_str())) {
            if let Err(e) = objects::delete(dest, &o.path) {
                warnings.push(format!("object {} is left as an orphan (`runs gc` removes it): {e:#}", o.path));
            }
            checkpoint("object_removed");
        }
        if let Destination::Local(_) = dest {
            // Only when empty: folders a rewrite kept objects in stay.
            let _ = std::fs::remove_dir(dest.run_dir(&r.run_id));
            let _ = std::fs::remove_dir(dest.resolve(&format!("quarantine/{}", r.run_id)));
        }
    }
    for w in &warnings {
        tracing::warn!("{w}");
    }
    warnings
}
