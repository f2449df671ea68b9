//! The objects under a destination: their sizes, and those no run record names (orphans).

use super::{Destination, RunRecord};
use crate::engine::{Engine, sql};

/// Objects under the destination that no complete record names: left by failed or killed runs.
/// Safe to delete once no load is running.
pub fn orphans(engine: &Engine, dest: &Destination, records: &[RunRecord]) -> anyhow::Result<Vec<(String, u64)>> {
    let named: std::collections::HashSet<String> =
        records.iter().flat_map(|r| r.objects.iter().map(|o| o.path.clone())).collect();
    let mut out = Vec::new();
    for (path, bytes) in list_objects(engine, dest)? {
        let rel = dest.relative(&path);
        if !named.contains(&rel) {
            out.push((rel, bytes));
        }
    }
    out.sort();
    Ok(out)
}

/// Every data and quarantine object at the destination with its size in bytes.
fn list_objects(engine: &Engine, dest: &Destination) -> anyhow::Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    for glob in dest.object_globs() {
        // The glob table function returns nothing when nothing matches (locally and on S3).
        let query = sql::LIST_OBJECTS.fill(&[("glob", &sql::quote(&glob))]);
        let files: Vec<String> =
            engine.rows(&query, [], |r| r.get(0)).map_err(|e| e.context(format!("cannot list objects at {dest}")))?;
        for file in files {
            out.push((file.clone(), object_size(engine, &file)?));
        }
    }
    Ok(out)
}

/// Compares an object's size with the size its run record states (no data read). The error
/// says what is wrong, for the caller to name the object.
pub fn check_size(engine: &Engine, path: &str, expected: u64) -> Result<(), String> {
    match object_size(engine, path) {
        Err(e) => Err(format!("cannot be read: {e}")),
        Ok(size) if size != expected => {
            Err(format!("is {size} bytes but its run record says {expected}: it was truncated or replaced"))
        }
        Ok(_) => Ok(()),
    }
}

/// The size of one object in bytes (a HEAD request on S3; the content is not read).
pub fn object_size(engine: &Engine, path: &str) -> anyhow::Result<u64> {
    let size = engine.query_i64(&sql::OBJECT_SIZE.fill(&[("object", &sql::quote(path))]))?;
    Ok(size as u64)
}
