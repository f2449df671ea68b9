//! The objects under a destination: their sizes, and those no run record names (orphans).

use std::collections::HashMap;

use super::{Destination, RunRecord, record};
use crate::engine::{Engine, EngineError, sql};

/// Everything under the destination that a load leaves and no record names: data and
/// quarantine objects of failed or killed attempts, and temporary records and probes in `runs/`,
/// with their sizes in bytes. Safe to delete once no load is running (a running load's objects
/// are orphans until it commits).
pub fn orphans(engine: &Engine, dest: &Destination, records: &[RunRecord]) -> anyhow::Result<Vec<(String, u64)>> {
    let named: std::collections::HashSet<&str> =
        records.iter().flat_map(|r| r.objects.iter().map(|o| o.path.as_str())).collect();
    let mut out: Vec<(String, u64)> =
        list(engine, dest)?.into_iter().filter(|(rel, _)| !named.contains(rel.as_str()) && !is_record(rel)).collect();
    out.sort();
    Ok(out)
}

/// A record file (`runs/<name>.json`): not an orphan even when it is broken (`runs --verify`
/// reports those).
fn is_record(rel: &str) -> bool {
    rel.strip_prefix("runs/").is_some_and(|name| !name.contains('/') && record::is_record_name(name))
}

/// Every file a load may leave, relative to the destination, with its size: `users/*/*`,
/// `quarantine/*/*` and `runs/*`. Locally through the file system (never a DuckDB pattern); on
/// S3 through DuckDB's listing (S3 prefixes hold no pattern characters).
fn list(engine: &Engine, dest: &Destination) -> anyhow::Result<Vec<(String, u64)>> {
    match dest {
        Destination::Local(_) => {
            let mut out = Vec::new();
            for top in ["users", "quarantine"] {
                for folder in local_entries(dest, top)? {
                    if std::fs::metadata(dest.resolve(&folder)).is_ok_and(|m| m.is_dir()) {
                        out.extend(local_files(dest, &folder)?);
                    }
                }
            }
            out.extend(local_files(dest, "runs")?);
            Ok(out)
        }
        Destination::S3 { .. } => {
            let mut out = Vec::new();
            for glob in dest.object_globs() {
                // The glob table function returns nothing when nothing matches.
                let query = sql::LIST_OBJECTS.fill(&[("glob", &sql::quote(&glob))]);
                let files: Vec<String> = engine
                    .rows(&query, [], |r| r.get(0))
                    .map_err(|e| e.context(format!("cannot list objects at {dest}")))?;
                if files.is_empty() {
                    continue;
                }
                let sizes = sizes(engine, &files)?;
                out.extend(files.iter().map(|f| (dest.relative(f), sizes.get(f).copied().unwrap_or(0))));
            }
            Ok(out)
        }
    }
}

/// The names (relative to the destination) in one local folder; none if it does not exist.
fn local_entries(dest: &Destination, folder: &str) -> anyhow::Result<Vec<String>> {
    let dir = dest.resolve(folder);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(EngineError(format!("cannot list {dir}: {e}")).into()),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| EngineError(format!("cannot list {dir}: {e}")))?;
        out.push(format!("{folder}/{}", entry.file_name().to_string_lossy()));
    }
    Ok(out)
}

/// The regular files in one local folder, relative to the destination, with their sizes.
fn local_files(dest: &Destination, folder: &str) -> anyhow::Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    for rel in local_entries(dest, folder)? {
        let meta = std::fs::symlink_metadata(dest.resolve(&rel))
            .map_err(|e| EngineError(format!("cannot read {}: {e}", dest.resolve(&rel))))?;
        if meta.is_file() {
            out.push((rel, meta.len()));
        }
    }
    Ok(out)
}

/// The sizes of objects in bytes, in one statement (HEAD requests on S3; the content is not
/// read). Fails if any of them cannot be read.
pub fn sizes(engine: &Engine, files: &[String]) -> Result<HashMap<String, u64>, EngineError> {
    if files.is_empty() {
        return Ok(HashMap::new());
    }
    let list: Vec<String> = files.iter().map(|f| sql::quote(f)).collect();
    let query = sql::OBJECT_SIZES.fill(&[("objects", &format!("[{}]", list.join(", ")))]);
    let rows: Vec<(String, i64)> = engine.rows(&query, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.into_iter().map(|(f, n)| (f, n as u64)).collect())
}

/// Compares an object's size with the size its run record states (no data read). The error
/// says what is wrong, for the caller to name the object.
pub fn check_size(engine: &Engine, path: &str, expected: u64) -> Result<(), String> {
    match object_size(engine, path) {
        Err(e) => Err(format!("cannot be read: {e}")),
        Ok(size) => size_matches(size, expected),
    }
}

/// `size` is what the record says, or the problem.
pub fn size_matches(size: u64, expected: u64) -> Result<(), String> {
    if size == expected {
        Ok(())
    } else {
        Err(format!("is {size} bytes but its run record says {expected}: it was truncated or replaced"))
    }
}

/// The size of one object in bytes (a HEAD request on S3; the content is not read).
pub fn object_size(engine: &Engine, path: &str) -> anyhow::Result<u64> {
    let size = engine.query_i64(&sql::OBJECT_SIZE.fill(&[("object", &sql::quote(path))]))?;
    Ok(size as u64)
}

/// The objects one attempt at a run wrote (`part-<attempt>-*` in the run's data and quarantine
/// folders), relative to the destination, as far as they exist: what an interrupted attempt
/// leaves. Locally through the file system; on S3 through DuckDB's listing (run ids and attempt
/// tokens hold no pattern characters).
pub fn attempt_objects(
    engine: &Engine,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
) -> anyhow::Result<Vec<String>> {
    let prefix = format!("part-{attempt}-");
    let folders = [format!("users/{run_id}"), format!("quarantine/{run_id}")];
    let mut out = Vec::new();
    match dest {
        Destination::Local(_) => {
            for folder in &folders {
                for (rel, _) in local_files(dest, folder)? {
                    if rel.rsplit('/').next().is_some_and(|name| name.starts_with(&prefix)) {
                        out.push(rel);
                    }
                }
            }
        }
        Destination::S3 { .. } => {
            for folder in &folders {
                let glob = format!("{}/{prefix}*", dest.resolve(folder));
                let query = sql::LIST_OBJECTS.fill(&[("glob", &sql::quote(&glob))]);
                let files: Vec<String> = engine
                    .rows(&query, [], |r| r.get(0))
                    .map_err(|e| e.context(format!("cannot list objects at {dest}")))?;
                out.extend(files.iter().map(|f| dest.relative(f)));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Removes objects named relative to the destination.
pub fn remove_paths(dest: &Destination, paths: &[String]) -> anyhow::Result<()> {
    match dest {
        Destination::Local(_) => {
            for rel in paths {
                let path = dest.resolve(rel);
                std::fs::remove_file(&path).map_err(|e| EngineError(format!("cannot remove {path}: {e}")))?;
            }
        }
        Destination::S3 { .. } => {
            let settings = super::S3Settings::from_process_env()?;
            for rel in paths {
                let (bucket, key) = dest.s3_key(rel).expect("an S3 destination");
                super::s3_client::delete(&settings, bucket, &key)?;
            }
        }
    }
    Ok(())
}

/// Removes objects (relative to the destination) that this load wrote and no record names: a
/// load that lost the race for its run id cleans up after itself.
pub fn remove(dest: &Destination, objects: &[super::record::ObjectEntry]) -> anyhow::Result<()> {
    let paths: Vec<String> = objects.iter().map(|o| o.path.clone()).collect();
    remove_paths(dest, &paths)
}

/// Runs a COPY … RETURN_FILES statement and returns the objects it wrote, with no listing.
pub fn copy(engine: &Engine, statement: &str) -> Result<Vec<String>, EngineError> {
    use duckdb::types::Value;
    let files = engine.one(statement, [], |r| r.get::<_, Value>(1))?;
    let Value::List(items) = files else {
        return Err(EngineError("the export did not name the objects it wrote".into()));
    };
    Ok(items.into_iter().filter_map(|v| if let Value::Text(t) = v { Some(t) } else { None }).collect())
}

/// Deletes one object (relative to the destination); one that is already gone is fine.
pub fn delete(dest: &Destination, relative: &str) -> anyhow::Result<()> {
    match dest {
        Destination::Local(_) => {
            let path = dest.resolve(relative);
            match std::fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(EngineError(format!("cannot remove {path}: {e}")).into()),
            }
        }
        Destination::S3 { .. } => {
            let settings = super::S3Settings::from_process_env()?;
            let (bucket, key) = dest.s3_key(relative).expect("an S3 destination");
            super::s3_client::delete(&settings, bucket, &key)
        }
    }
}

/// When each object (full paths) was last written, in Unix seconds (a stat locally, a HEAD
/// request on S3).
pub fn modified(engine: &Engine, dest: &Destination, files: &[String]) -> anyhow::Result<HashMap<String, i64>> {
    if files.is_empty() {
        return Ok(HashMap::new());
    }
    match dest {
        Destination::Local(_) => {
            let mut out = HashMap::new();
            for f in files {
                let meta = std::fs::metadata(f).map_err(|e| EngineError(format!("cannot read {f}: {e}")))?;
                let secs = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_secs() as i64);
                out.insert(f.clone(), secs);
            }
            Ok(out)
        }
        Destination::S3 { .. } => {
            let list: Vec<String> = files.iter().map(|f| sql::quote(f)).collect();
            let query = sql::OBJECT_TIMES.fill(&[("objects", &format!("[{}]", list.join(", ")))]);
            let rows: Vec<(String, i64)> = engine.rows(&query, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.into_iter().collect())
        }
    }
}
