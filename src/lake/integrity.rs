//! The lake's invariants, checked every time records are read: a record is trusted only when it
//! is what a load writes.
//!
//! - A record's file name is its run id (`runs/<run_id>.json`): a copy made by a sync tool is
//!   not a second run.
//! - Each object a record names is relative, inside that run's folder of its kind
//!   (`users/<run_id>/` for data, `quarantine/<run_id>/` for quarantine), free of pattern
//!   characters, and named once in the whole lake.
//! - Counts balance (received = written + quarantined + suppressed) and the objects' rows add up
//!   to them; each object holds the rows and bytes its record says (checked by reading sizes and
//!   Parquet footers, never the data).
//! - Every run was written with the same Parquet key and the same HMAC key: pseudonyms under two
//!   HMAC keys do not join, and one person would count as two.
//!
//! Readers (`report`, `risk`, `sql`, `load`) refuse a lake that breaks one, naming the first
//! problem; `runs --verify` lists all of them.

use std::collections::{BTreeMap, HashMap};

use super::record::{self, ObjectEntry, RunRecord};
use super::{Destination, objects};
use crate::engine::{Engine, EngineError, sql};

/// One broken invariant: what (a record file, an object, the lake) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub subject: String,
    pub problem: String,
    /// "The lake mixes Parquet keys": the one finding `rekey` may move a lake past.
    #[serde(skip)]
    pub mixed_parquet_keys: bool,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.subject, self.problem)
    }
}

pub fn finding(subject: impl Into<String>, problem: impl Into<String>) -> Finding {
    Finding { subject: subject.into(), problem: problem.into(), mixed_parquet_keys: false }
}

/// Every record that could be read (oldest first), and every problem found in the records.
pub struct Survey {
    /// The records readers read: every record no other record supersedes.
    pub records: Vec<RunRecord>,
    /// Records a committed rewrite supersedes, not yet removed (a rewrite was cut short after
    /// its commit): ignored by readers, removed by the next rewrite or `runs gc`.
    pub superseded: Vec<RunRecord>,
    pub findings: Vec<Finding>,
}

impl Survey {
    /// Every record, superseded ones included: what may not be deleted as an orphan.
    pub fn all(&self) -> Vec<RunRecord> {
        self.records.iter().chain(&self.superseded).cloned().collect()
    }
}

/// The run ids some record supersedes.
fn superseded_ids<'a>(records: impl Iterator<Item = &'a RunRecord>) -> std::collections::HashSet<&'a str> {
    records.flat_map(|r| r.supersedes.iter().map(String::as_str)).collect()
}

/// Reads and checks every record at `dest`; only a failure to list or read them is an error.
pub fn survey(engine: &Engine, dest: &Destination) -> anyhow::Result<Survey> {
    let mut findings = Vec::new();
    let mut parsed = Vec::new();
    for (name, text) in record::read_files(engine, dest)? {
        match parse(&name, &text) {
            Ok(r) => parsed.push((name, r)),
            Err(f) => findings.push(f),
        }
    }
    findings.extend(check_records(&parsed));
    let gone: std::collections::HashSet<String> =
        superseded_ids(parsed.iter().map(|(_, r)| r)).into_iter().map(str::to_string).collect();
    let (mut superseded, mut records): (Vec<RunRecord>, Vec<RunRecord>) =
        parsed.into_iter().map(|(_, r)| r).partition(|r| gone.contains(&r.run_id));
    sort(&mut records);
    sort(&mut superseded);
    Ok(Survey { records, superseded, findings })
}

/// The complete runs at `dest`, oldest first, if the records keep every invariant; otherwise
/// an error naming the first problem.
pub fn records(engine: &Engine, dest: &Destination) -> anyhow::Result<Vec<RunRecord>> {
    let survey = survey(engine, dest)?;
    refuse(dest, &survey.findings)?;
    Ok(survey.records)
}

/// An error naming the first finding, if there is one (exit 4).
pub fn refuse(dest: &Destination, findings: &[Finding]) -> Result<(), EngineError> {
    match findings {
        [] => Ok(()),
        [only] => {
            Err(EngineError(format!("the lake at {dest} is inconsistent: {only} (see `duckpipe runs --verify`)")))
        }
        [first, rest @ ..] => Err(EngineError(format!(
            "the lake at {dest} is inconsistent: {first}, and {} more problem{} (`duckpipe runs --verify` lists them)",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ))),
    }
}

/// Oldest first: the order in which "the latest load wins".
pub fn sort(records: &mut [RunRecord]) {
    records.sort_by(|a, b| (&a.finished_at, &a.run_id).cmp(&(&b.finished_at, &b.run_id)));
}

fn parse(name: &str, text: &str) -> Result<RunRecord, Finding> {
    let subject = format!("run record {name}");
    if text.trim().is_empty() {
        return Err(finding(subject, "is empty (a load that was cut off before fsync existed?); remove it"));
    }
    let record: RunRecord = serde_json::from_str(text.trim())
        .map_err(|e| finding(&subject, format!("is not a readable run record ({e}); fix or remove it")))?;
    if record.format != record::FORMAT || record.status != "complete" {
        return Err(finding(
            subject,
            format!(
                "has format {:?} status {:?}; this duckpipe reads {} complete records",
                record.format,
                record.status,
                record::FORMAT
            ),
        ));
    }
    Ok(record)
}

/// What is wrong with a record on its own and with the records together. No I/O.
pub fn check_records(records: &[(String, RunRecord)]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, r) in records {
        check_one(name, r, &mut out);
    }
    // Each run id once; each object named once and one key set among the records readers read
    // (a superseded record may share objects and keys with the rewrite that replaced it).
    let gone = superseded_ids(records.iter().map(|(_, r)| r));
    let live: Vec<&(String, RunRecord)> = records.iter().filter(|(_, r)| !gone.contains(r.run_id.as_str())).collect();
    let mut named: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut ids: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, r) in records {
        ids.entry(&r.run_id).or_default().push(name);
    }
    for (_, r) in &live {
        for o in &r.objects {
            named.entry(&o.path).or_default().push(&r.run_id);
        }
    }
    for (path, runs) in named.iter().filter(|(_, runs)| runs.len() > 1) {
        out.push(finding(
            format!("object {path}"),
            format!("is named {} times (runs {})", runs.len(), runs.join(", ")),
        ));
    }
    for (id, files) in ids.iter().filter(|(_, files)| files.len() > 1) {
        out.push(finding(format!("run {id}"), format!("has {} records ({})", files.len(), files.join(", "))));
    }
    // One key set per lake.
    for (which, key) in [("Parquet", 0), ("HMAC", 1)] {
        let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (_, r) in &live {
            let fingerprint = if key == 0 { &r.keys.parquet } else { &r.keys.hmac };
            by_key.entry(fingerprint).or_default().push(&r.run_id);
        }
        if by_key.len() > 1 {
            let groups: Vec<String> =
                by_key.iter().map(|(fp, runs)| format!("key {}… for {}", short(fp), list_runs(runs))).collect();
            let why = if key == 1 { ": their pseudonyms do not join and one person counts once per key" } else { "" };
            let mut f =
                finding("the lake", format!("mixes {} {which} keys ({}){why}", by_key.len(), groups.join("; ")));
            f.mixed_parquet_keys = key == 0;
            out.push(f);
        }
    }
    out
}

/// The first 12 hex digits of a fingerprint, as messages show them.
pub fn short(fingerprint: &str) -> &str {
    &fingerprint[..12.min(fingerprint.len())]
}

fn list_runs(runs: &[&str]) -> String {
    match runs {
        [one] => format!("run {one}"),
        [a, b] => format!("runs {a}, {b}"),
        [a, b, rest @ ..] => format!("runs {a}, {b} and {} more", rest.len()),
        [] => String::new(),
    }
}

fn check_one(name: &str, r: &RunRecord, out: &mut Vec<Finding>) {
    let subject = format!("run record {name}");
    if !record::valid_run_id(&r.run_id) {
        out.push(finding(&subject, "holds a run id duckpipe would never write"));
    } else if name != format!("runs/{}.json", r.run_id) {
        out.push(finding(
            &subject,
            format!(
                "is the record of run {}: a record's file name is its run id (a copy, as sync tools make?)",
                r.run_id
            ),
        ));
    }
    for o in &r.objects {
        if let Some(problem) = object_path_problem(r, o) {
            out.push(finding(&subject, problem));
        }
    }
    let c = &r.counts;
    if !c.balanced() {
        out.push(finding(
            &subject,
            format!(
                "does not balance: received {} ≠ written {} + quarantined {} + suppressed {}",
                c.received, c.written, c.quarantined, c.suppressed
            ),
        ));
    }
    for (kind, expected) in [("data", c.written), ("quarantine", c.quarantined)] {
        let rows: u64 = r.objects.iter().filter(|o| o.kind == kind).map(|o| o.rows).sum();
        if rows != expected {
            let count = if kind == "data" { "written" } else { "quarantined" };
            out.push(finding(&subject, format!("names {kind} objects of {rows} rows but counts {expected} {count}")));
        }
    }
}

/// Why an object's path is not one the run of `r` writes (None when it is). A rewrite keeps the
/// objects it did not need to change where they are, so its objects may be in any run's folder.
pub fn object_path_problem(r: &RunRecord, o: &ObjectEntry) -> Option<String> {
    let run_id = r.run_id.as_str();
    let path = &o.path;
    let folder = match o.kind.as_str() {
        "data" => "users",
        "quarantine" => "quarantine",
        other => return Some(format!("names {path:?} of an unknown kind {other:?}")),
    };
    if path.starts_with('/') || path.contains("://") || path.split('/').any(|part| matches!(part, "" | "." | "..")) {
        return Some(format!("names {path:?}, which is not a relative path inside the lake"));
    }
    if path.chars().any(|c| super::destination::GLOB_CHARACTERS.contains(c)) {
        return Some(format!("names {path:?}, which holds pattern characters"));
    }
    let mut parts = path.split('/');
    let (top, run, file) = (parts.next(), parts.next(), parts.next());
    let run_ok = run == Some(run_id) || (r.rewrite.is_some() && run.is_some_and(record::valid_run_id));
    if parts.next().is_some() || top != Some(folder) || !run_ok {
        return Some(format!(
            "names {path:?} as a {} object, but run {run_id} keeps those in {folder}/{run_id}/",
            o.kind
        ));
    }
    let file = file.unwrap_or_default();
    let name_ok = file.ends_with(".parquet")
        && !file.starts_with('.')
        && file.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !name_ok {
        return Some(format!("names {path:?}: object names are letters, digits, '-', '_' and '.' ending in .parquet"));
    }
    None
}

/// Before a reader reads the data: every data object has the size its record states (a
/// truncated or replaced object is named). One statement for the whole lake.
pub fn check_data_sizes(engine: &Engine, dest: &Destination, records: &[RunRecord]) -> Result<(), EngineError> {
    let entries: Vec<(String, &ObjectEntry)> = records.iter().flat_map(|r| r.data_objects(dest)).collect();
    let files: Vec<String> = entries.iter().map(|(f, _)| f.clone()).collect();
    let Ok(sizes) = objects::sizes(engine, &files) else {
        // One of them is missing or unreadable: find which.
        for (file, o) in &entries {
            objects::check_size(engine, file, o.bytes).map_err(|p| EngineError(format!("object {} {p}", o.path)))?;
        }
        return Ok(());
    };
    for (file, o) in &entries {
        let size = sizes.get(file).ok_or_else(|| EngineError(format!("object {} cannot be read", o.path)))?;
        objects::size_matches(*size, o.bytes).map_err(|p| EngineError(format!("object {} {p}", o.path)))?;
    }
    Ok(())
}

/// Before a reader reads the data: every data object holds the rows its record states, from
/// its footer (no column is read). One statement for the whole lake; it fails on an object whose
/// footer does not decrypt (the caller names it).
pub fn check_data_rows(engine: &Engine, dest: &Destination, records: &[RunRecord]) -> Result<(), EngineError> {
    let entries: Vec<(String, &ObjectEntry)> = records.iter().flat_map(|r| r.data_objects(dest)).collect();
    let files: Vec<String> = entries.iter().map(|(f, _)| f.clone()).collect();
    let rows = object_rows(engine, &files)?;
    for (file, o) in &entries {
        let held = rows.get(file).copied().unwrap_or(0);
        if held != o.rows {
            return Err(EngineError(format!("object {} holds {held} rows but its run record says {}", o.path, o.rows)));
        }
    }
    Ok(())
}

/// Objects per footer query in [`object_rows_keyed`].
const OBJECTS_PER_QUERY: usize = 64;

/// The rows each object holds, from their footers (a statement per [`OBJECTS_PER_QUERY`]).
pub fn object_rows(engine: &Engine, files: &[String]) -> Result<HashMap<String, u64>, EngineError> {
    object_rows_keyed(engine, sql::KeyName::Data, files)
}

/// [`object_rows`] for objects under another registered key (the quarantine's).
pub fn object_rows_keyed(
    engine: &Engine,
    key: sql::KeyName,
    files: &[String],
) -> Result<HashMap<String, u64>, EngineError> {
    if files.is_empty() {
        return Ok(HashMap::new());
    }
    let mut out = HashMap::with_capacity(files.len());
    // Each object in a query holds a read buffer while the query runs (on S3 about a MiB): a
    // lake of a thousand small runs in one query would outgrow the memory limit.
    for chunk in files.chunks(OBJECTS_PER_QUERY) {
        let parts: Vec<String> =
            chunk.iter().map(|f| sql::OBJECT_ROWS.fill_keyed(key, &[("object", &sql::quote(f))])).collect();
        let query = parts.join("\nUNION ALL\n");
        let rows: Vec<(String, i64)> = engine.rows(&query, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        out.extend(rows.into_iter().map(|(f, n)| (f, n as u64)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_rows_reads_every_object_of_a_lake_larger_than_one_query() {
        let key = crate::keys::ParquetKey::parse(&crate::keys::new_key()).unwrap();
        let engine = Engine::open(&key, None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<String> = (0..OBJECTS_PER_QUERY * 2 + 3)
            .map(|i| {
                let f = dir.path().join(format!("o{i}.parquet")).to_string_lossy().into_owned();
                engine
                    .execute_batch(&format!(
                        "COPY (SELECT range AS n FROM range({})) TO {} (FORMAT parquet, ENCRYPTION_CONFIG {{footer_key: '{}'}})",
                        i % 5,
                        sql::quote(&f),
                        sql::KeyName::Data.name()
                    ))
                    .unwrap();
                f
            })
            .collect();
        let rows = object_rows(&engine, &files).unwrap();
        assert_eq!(rows.len(), files.len(), "one count per object, over three queries");
        for (i, f) in files.iter().enumerate() {
            assert_eq!(rows[f], (i % 5) as u64, "{f}");
        }
    }
    use crate::lake::record::{Counts, KeyFingerprints};

    fn record(run_id: &str, objects: &[(&str, &str, u64)]) -> RunRecord {
        let written = objects.iter().filter(|o| o.1 == "data").map(|o| o.2).sum();
        let quarantined = objects.iter().filter(|o| o.1 == "quarantine").map(|o| o.2).sum();
        RunRecord {
            format: record::FORMAT.into(),
            run_id: run_id.into(),
            status: "complete".into(),
            duckpipe_version: "0".into(),
            source: Default::default(),
            parameters: Default::default(),
            counts: Counts { received: written + quarantined, written, quarantined, suppressed: 0 },
            objects: objects
                .iter()
                .map(|(p, k, rows)| ObjectEntry {
                    path: p.to_string(),
                    kind: k.to_string(),
                    rows: *rows,
                    bytes: 10,
                    purged_at: None,
                })
                .collect(),
            schema: vec![],
            rejections: vec![],
            absent_fields: vec![],
            unanswerable: vec![],
            keys: KeyFingerprints { parquet: "p1".into(), hmac: "h1".into(), quarantine: None },
            attempt: "a".into(),
            overlap: None,
            unknown_fields: vec![],
            min_k: None,
            information_loss: None,
            supersedes: vec![],
            rewrite: None,
            as_of: String::new(),
            started_at: String::new(),
            finished_at: String::new(),
        }
    }

    fn named(r: RunRecord) -> (String, RunRecord) {
        (format!("runs/{}.json", r.run_id), r)
    }

    fn problems(records: &[(String, RunRecord)]) -> Vec<String> {
        check_records(records).iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn a_sound_lake_has_no_findings() {
        let a =
            record("a", &[("users/a/part-x-0.parquet", "data", 5), ("quarantine/a/part-x-0.parquet", "quarantine", 1)]);
        let b = record("b", &[("users/b/part-y-0.parquet", "data", 3)]);
        assert_eq!(problems(&[named(a), named(b)]), Vec::<String>::new());
    }

    #[test]
    fn paths_must_stay_inside_their_run_folder() {
        for (path, kind, expect) in [
            ("../other/users/a/p.parquet", "data", "not a relative path"),
            ("/etc/users/a/p.parquet", "data", "not a relative path"),
            ("users/a/../b/p.parquet", "data", "not a relative path"),
            ("users/a/*.parquet", "data", "pattern characters"),
            ("users/a/p[1].parquet", "data", "pattern characters"),
            ("users/a/p.parquet", "quarantine", "keeps those in quarantine/a/"),
            ("quarantine/a/p.parquet", "data", "keeps those in users/a/"),
            ("users/b/p.parquet", "data", "keeps those in users/a/"),
            ("users/a/x/p.parquet", "data", "keeps those in users/a/"),
            ("users/a/p.csv", "data", "ending in .parquet"),
            ("users/a/p.parquet", "other", "unknown kind"),
        ] {
            let r = record("a", &[(path, kind, 1)]);
            let got = problems(&[named(r)]);
            assert!(got.iter().any(|p| p.contains(expect)), "{path} {kind}: {got:?}");
        }
    }

    #[test]
    fn copies_duplicates_counts_and_keys_are_found() {
        let a = record("a", &[("users/a/part-x-0.parquet", "data", 5)]);
        let copy = ("runs/a (1).json".to_string(), a.clone());
        let got = problems(&[named(a.clone()), copy]);
        assert!(got.iter().any(|p| p.contains("is the record of run a")), "{got:?}");
        assert!(got.iter().any(|p| p.contains("is named 2 times")), "{got:?}");
        assert!(got.iter().any(|p| p.contains("run a has 2 records")), "{got:?}");

        let mut unbalanced = record("b", &[("users/b/part-x-0.parquet", "data", 5)]);
        unbalanced.counts.received = 9;
        unbalanced.objects[0].rows = 4;
        let got = problems(&[named(unbalanced)]);
        assert!(got.iter().any(|p| p.contains("does not balance")), "{got:?}");
        assert!(got.iter().any(|p| p.contains("objects of 4 rows but counts 5 written")), "{got:?}");

        let mut other_key = record("c", &[("users/c/part-x-0.parquet", "data", 1)]);
        other_key.keys.hmac = "h2".into();
        let got = problems(&[named(a), named(other_key)]);
        assert!(got.iter().any(|p| p.contains("mixes 2 HMAC keys") && p.contains("run c")), "{got:?}");
        assert!(!got.iter().any(|p| p.contains("Parquet keys")), "{got:?}");
    }

    #[test]
    fn unreadable_records_are_findings() {
        assert!(parse("runs/a.json", "").unwrap_err().problem.contains("is empty"));
        assert!(parse("runs/a.json", "{").unwrap_err().problem.contains("not a readable run record"));
    }
}
