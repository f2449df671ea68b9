//! Run records: the commit log of the lake.
//!
//! Object stores have no transactions across objects, so every `load` writes, as its very last
//! step, one small JSON object `<dest>/runs/<run_id>.json` naming the objects it wrote (with
//! sizes and row counts), its counts and its parameters. Readers (`report`, `risk`, `sql`) read
//! only objects named by a complete record: a run that failed or was killed before its record
//! was written has objects that nobody reads (`duckpipe runs --orphans` lists them).
//!
//! A record holds no personal data and no key: only key fingerprints. Records are created once
//! (`commit`) and checked on every read (`integrity`).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::Destination;
use crate::engine::{Engine, EngineError, sql};

/// The record format; readers refuse formats they do not know.
pub const FORMAT: &str = "duckpipe-run/1";

/// One complete run, as stored in `<dest>/runs/<run_id>.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub format: String,
    pub run_id: String,
    /// Always "complete": a record is only written when everything before it succeeded.
    pub status: String,
    pub duckpipe_version: String,
    pub source: SourceSummary,
    /// The parameters of the source as given (count, page size, API URL without query, file).
    pub parameters: SourceParameters,
    pub counts: Counts,
    pub objects: Vec<ObjectEntry>,
    /// Columns of the data objects, as DuckDB types.
    pub schema: Vec<Column>,
    /// Why records were quarantined, grouped: reasons name fields, never values.
    pub rejections: Vec<Rejection>,
    /// Required groups (e.g. "dob") that no record of this run delivered at all — typical of
    /// responses requested with `inc=`/`exc=` — and the questions that therefore have no answer
    /// from this run.
    pub absent_fields: Vec<String>,
    pub unanswerable: Vec<String>,
    pub keys: KeyFingerprints,
    /// The load attempt that wrote the run (its objects are named `part-<attempt>-<n>`): tells a
    /// retry's own record from another attempt's after a lost answer or a race.
    #[serde(default)]
    pub attempt: String,
    /// How this run's users relate to the runs stored before it (None in records written before
    /// duckpipe checked): readers use it to know whether each user is stored once.
    #[serde(default)]
    pub overlap: Option<Overlap>,
    /// Input fields the classification (docs/privacy.md) does not know: dropped, named with the
    /// number of users holding them — never their values.
    #[serde(default)]
    pub unknown_fields: Vec<UnknownField>,
    /// `load --min-k` when given (suppressed records are in `counts.suppressed`).
    #[serde(default)]
    pub min_k: Option<u32>,
    /// With `--min-k`: how many written users each generalisation touched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_loss: Option<InformationLoss>,
    /// Runs this record replaces (a rewrite: `compact`, `forget`, `rekey`). Readers ignore every
    /// record named here from the moment this one exists (docs/runs.md, "Rewrites").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<String>,
    /// What a rewrite did and the loads its rows come from; None for a load's own record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<Rewrite>,
    /// Reference time for ages (RFC 3339).
    pub as_of: String,
    pub started_at: String,
    pub finished_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceParameters {
    pub count: Option<u64>,
    pub page_size: Option<u32>,
    pub api_url: Option<String>,
    pub input: Option<String>,
}

/// The accounting of a run. Invariant: received = written + quarantined + suppressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub received: u64,
    pub written: u64,
    pub quarantined: u64,
    pub suppressed: u64,
}

impl Counts {
    pub fn balanced(&self) -> bool {
        self.received == self.written + self.quarantined + self.suppressed
    }
}

/// Users of a run that the lake already held. `runs_checked` counts the complete runs at the
/// destination when the load listed them (before it read its source); their data was compared
/// with this run's users by `user_id`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overlap {
    pub runs_checked: u64,
    /// Distinct users of this run that those runs already held; None when they could not be
    /// read (the load warned).
    pub already_stored: Option<u64>,
    /// Rows of this run whose user_id an earlier row of this run has too.
    pub repeated: u64,
}

/// How a rewrite record came to be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rewrite {
    /// "compact", "forget" or "rekey".
    pub operation: String,
    /// The loads whose rows this record holds, oldest first, as their records said (lineage
    /// survives any number of rewrites).
    pub lineage: Vec<Origin>,
    /// Rows this rewrite removed (forget), by kind.
    #[serde(default)]
    pub removed: Removed,
}

/// One load in a rewrite's lineage: where its rows came from and how they related to the runs
/// before them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    pub run_id: String,
    pub finished_at: String,
    pub source: SourceSummary,
    pub counts: Counts,
    #[serde(default)]
    pub overlap: Option<Overlap>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub data: u64,
    pub quarantine: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectEntry {
    /// Relative to the destination, e.g. `users/<run_id>/part-<attempt>-0.parquet`.
    pub path: String,
    /// "data" or "quarantine".
    pub kind: String,
    pub rows: u64,
    pub bytes: u64,
    /// When a quarantine object was deleted by `runs purge-quarantine` (RFC 3339); the entry
    /// stays, so the run's counts still add up and nothing is reported missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purged_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
}

/// What `load --min-k` generalised, in written users (sql/run/information_loss.sql).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InformationLoss {
    pub exact_age_removed: u64,
    /// A band other than the ten-year one.
    pub age_band_widened: u64,
    pub city_other: u64,
    pub country_other: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    pub reason: String,
    pub records: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyFingerprints {
    pub parquet: String,
    pub hmac: String,
    /// The quarantine's own key (records written before it existed have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<String>,
}

impl RunRecord {
    /// A complete record of run `run_id` with nothing in it, for tests to fill in.
    #[cfg(test)]
    pub fn sample(run_id: &str) -> Self {
        serde_json::from_value(serde_json::json!({
            "format": FORMAT, "run_id": run_id, "status": "complete", "duckpipe_version": "0",
            "source": {"kind": "file", "seed": null, "pages": 1, "users": 1, "api_version": null, "nat": null},
            "parameters": {"count": null, "page_size": null, "api_url": null, "input": null},
            "counts": {"received": 0, "written": 0, "quarantined": 0, "suppressed": 0},
            "objects": [], "schema": [], "rejections": [], "absent_fields": [], "unanswerable": [],
            "keys": {"parquet": "", "hmac": ""}, "as_of": "", "started_at": "", "finished_at": ""
        }))
        .expect("the sample record parses")
    }

    /// The loads whose rows this record holds: itself for a load, its lineage for a rewrite.
    pub fn origins(&self) -> Vec<Origin> {
        match &self.rewrite {
            Some(r) => r.lineage.clone(),
            None => vec![Origin {
                run_id: self.run_id.clone(),
                finished_at: self.finished_at.clone(),
                source: self.source.clone(),
                counts: self.counts,
                overlap: self.overlap,
            }],
        }
    }

    /// Whether the rows of load `run_id` are held by this record (its own, or in its lineage): a
    /// load retried with a run id that was since compacted is still "already recorded".
    pub fn holds_run(&self, run_id: &str) -> bool {
        self.run_id == run_id || self.rewrite.as_ref().is_some_and(|r| r.lineage.iter().any(|o| o.run_id == run_id))
    }

    /// The data objects of this run, as full paths under `dest`.
    pub fn data_objects(&self, dest: &Destination) -> impl Iterator<Item = (String, &ObjectEntry)> {
        self.objects.iter().filter(|o| o.kind == "data").map(|o| (dest.resolve(&o.path), o))
    }
}

/// The loads behind `records` (inside rewrites too), oldest first: the order in which "the
/// latest load wins".
pub fn sorted_origins(records: &[RunRecord]) -> Vec<Origin> {
    let mut origins: Vec<Origin> = records.iter().flat_map(RunRecord::origins).collect();
    origins.sort_by(|a, b| (&a.finished_at, &a.run_id).cmp(&(&b.finished_at, &b.run_id)));
    origins
}

/// What a source did, for logs and the run summary. Holds no user data.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SourceSummary {
    /// "api", "file" or "synthetic".
    pub kind: String,
    /// The seed used (given or generated), so that a run can be reproduced.
    pub seed: Option<String>,
    /// Pages requested (api) or batches produced (file, synthetic).
    pub pages: u32,
    /// Users handed to the sink.
    pub users: u64,
    /// API version reported by the server (`info.version`), when known.
    pub api_version: Option<String>,
    /// Nationalities requested, if any.
    pub nat: Option<Vec<String>>,
}

/// A field some users hold that is not classified — or a classified field that holds a
/// structure (`shape` "object" or "array") instead of a value — and how many users hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownField {
    pub path: String,
    pub records: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
}

/// `location.foo (3 users), hobby (1 user)`.
pub fn describe_unknown(unknown: &[UnknownField]) -> String {
    unknown
        .iter()
        .map(|u| {
            let shape = u.shape.as_deref().map(|s| format!("holds an {s}, ")).unwrap_or_default();
            format!("{} ({shape}{} user{})", u.path, u.records, if u.records == 1 { "" } else { "s" })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Is `id` acceptable as a run id? It becomes part of object paths and SQL literals, so it is
/// restricted to a safe alphabet.
pub fn valid_run_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !id.starts_with('.')
}

/// The text of every run record file at `dest` with its name relative to the destination
/// (`runs/<name>.json`), in no particular order. Parsing and checking them is `integrity`'s job.
pub fn read_files(engine: &Engine, dest: &Destination) -> anyhow::Result<Vec<(String, String)>> {
    match dest {
        Destination::Local(_) => {
            let mut out = Vec::new();
            for name in local_names(dest)? {
                let path = dest.resolve(&format!("runs/{name}"));
                let text = match std::fs::read_to_string(&path) {
                    Ok(text) => text,
                    // Removed since the listing (a rewrite cleaning up what it superseded).
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(EngineError(format!("cannot read {path}: {e}")).into()),
                };
                out.push((format!("runs/{name}"), text));
            }
            Ok(out)
        }
        Destination::S3 { .. } => {
            let query = sql::RUN_RECORDS.fill(&[("glob", &sql::quote(&dest.records_glob()))]);
            let rows: Vec<(String, String)> = engine
                .rows(&query, [], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| e.context(format!("cannot read the run records at {dest}")))?;
            Ok(rows
                .into_iter()
                .map(|(path, text)| (dest.relative(&path), text))
                .filter(|(name, _)| is_record_name(name.rsplit('/').next().unwrap_or_default()))
                .collect())
        }
    }
}

/// The records at `dest` whose run ids are not in `known`: listed, and only those read (a load
/// just before its commit, to see what was committed since it read the records). A record that
/// cannot be read or parsed now is left out: the next survey reports it.
pub fn read_new(engine: &Engine, dest: &Destination, known: &HashSet<&str>) -> anyhow::Result<Vec<RunRecord>> {
    let id = |name: &str| name.rsplit('/').next().unwrap_or_default().trim_end_matches(".json").to_string();
    let texts: Vec<String> = match dest {
        Destination::Local(_) => local_names(dest)?
            .into_iter()
            .filter(|name| !known.contains(id(name).as_str()))
            .filter_map(|name| std::fs::read_to_string(dest.resolve(&format!("runs/{name}"))).ok())
            .collect(),
        Destination::S3 { .. } => {
            let query = sql::LIST_OBJECTS.fill(&[("glob", &sql::quote(&dest.records_glob()))]);
            let files: Vec<String> = engine
                .rows(&query, [], |r| r.get(0))
                .map_err(|e| e.context(format!("cannot list the run records at {dest}")))?;
            let new: Vec<String> = files
                .iter()
                .filter(|f| {
                    let name = f.rsplit('/').next().unwrap_or_default();
                    is_record_name(name) && !known.contains(id(name).as_str())
                })
                .map(|f| sql::quote(f))
                .collect();
            if new.is_empty() {
                return Ok(Vec::new());
            }
            let query = sql::RUN_RECORDS.fill(&[("glob", &format!("[{}]", new.join(", ")))]);
            engine
                .rows(&query, [], |r| r.get::<_, String>(1))
                .map_err(|e| e.context(format!("cannot read the run records at {dest}")))?
        }
    };
    Ok(texts.iter().filter_map(|t| serde_json::from_str(t).ok()).collect())
}

/// Whether a local destination holds any run record (read without an engine, to decide whether
/// a load may create keys).
pub fn local_has_runs(dest: &Destination) -> anyhow::Result<bool> {
    Ok(!local_names(dest)?.is_empty())
}

/// The names of the record files in a local `runs/` (`*.json`, not hidden).
fn local_names(dest: &Destination) -> anyhow::Result<Vec<String>> {
    let dir = dest.resolve("runs");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(EngineError(format!("cannot list {dir}: {e}")).into()),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| EngineError(format!("cannot list {dir}: {e}")))?;
        let name = entry.file_name().to_string_lossy().to_string();
        if is_record_name(&name) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// A file in `runs/` that is a run record (rather than a load's temporary file or probe).
pub fn is_record_name(name: &str) -> bool {
    name.ends_with(".json") && !name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_restricted() {
        for good in ["20261125T221500Z-3fa2c1", "daily_2026-11-25", "a.b"] {
            assert!(valid_run_id(good), "{good}");
        }
        for bad in ["", ".hidden", "a/b", "a'b", "x y", "../up", &"x".repeat(65), "r'); DROP TABLE users; --"] {
            assert!(!valid_run_id(bad), "{bad:?} must be refused");
        }
    }

    #[test]
    fn counts_balance() {
        assert!(Counts { received: 10, written: 7, quarantined: 2, suppressed: 1 }.balanced());
        assert!(!Counts { received: 10, written: 7, quarantined: 2, suppressed: 0 }.balanced());
    }
}
