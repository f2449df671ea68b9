//! The export step: writes the users (`masked_users`, or `generalized_users` with `--min-k`) as
//! encrypted Parquet into the run's folder (`sql/write/users.sql`) and the rejected records into
//! its quarantine object (`sql/write/quarantine.sql`), and reads every object back, decrypting
//! its footer, before it may be named in a run record. The objects are named after the attempt
//! (`part-<attempt>-<n>`), so a retry never collides with what a failed attempt left.

use crate::engine::sql::KeyName;
use crate::engine::{Engine, EngineError, sql};
use crate::error::InternalError;
use crate::lake::record::{Counts, ObjectEntry};
use crate::lake::{Destination, integrity, objects};
use crate::schema::fields;

/// Writes the run's data objects from `relation` and, when records were rejected, its quarantine
/// object. After a streamed pass (`streamed`: the objects it wrote), `relation` holds only the
/// users set aside and accepted, written into objects of their own (`part-<attempt>-late-<i>`).
pub fn write_run(
    engine: &Engine,
    relation: &str,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
    counts: &Counts,
    streamed: Vec<ObjectEntry>,
) -> anyhow::Result<Vec<ObjectEntry>> {
    dest.prepare_run(run_id).map_err(|e| EngineError(format!("cannot create the run folders under {dest}: {e}")))?;
    let already: u64 = streamed.iter().map(|o| o.rows).sum();
    let mut objects = streamed;
    if objects.is_empty() {
        objects = export_data(engine, relation, dest, run_id, attempt, counts.written)?;
    } else if counts.written > already {
        let late = format!("{attempt}-late");
        objects.extend(export_data(engine, relation, dest, run_id, &late, counts.written - already)?);
    }
    if counts.quarantined > 0 {
        objects.push(export_quarantine(engine, dest, run_id, attempt, counts.quarantined)?);
    }
    Ok(objects)
}

/// Removes what one attempt wrote, as far as it got (after an interruption), locally or on S3.
/// Best effort: what cannot be removed stays an orphan that `runs --orphans` lists.
pub fn remove_attempt(engine: &Engine, dest: &Destination, run_id: &str, attempt: &str) {
    let removed = objects::attempt_objects(engine, dest, run_id, attempt)
        .and_then(|paths| objects::remove_paths(dest, &paths).map(|()| paths.len()));
    match removed {
        Ok(0) => {}
        Ok(n) => tracing::info!(run_id, attempt, objects = n, "removed the objects of the attempt"),
        Err(e) => {
            tracing::warn!(
                run_id,
                attempt,
                "objects of the attempt are left as orphans (`duckpipe runs --orphans` lists them): {e:#}"
            )
        }
    }
    if let Destination::Local(_) = dest {
        // The run's folders, only when empty: another attempt's objects stay.
        for dir in [dest.run_dir(run_id), format!("{}/quarantine/{run_id}", dest.root())] {
            let _ = std::fs::remove_dir(&dir);
        }
    }
}

/// Target size of one Parquet object. DuckDB starts a new object once the current one passes it
/// (checked per row group, after some buffering), so objects are this size or somewhat larger:
/// about 2M masked users (~75 bytes each with zstd) per object.
pub const TARGET_OBJECT_BYTES: u64 = 128 * 1024 * 1024;

/// [`TARGET_OBJECT_BYTES`], unless `DUCKPIPE_OBJECT_BYTES` sets another size: a knob for tests
/// that need a run of many objects (an interruption between two of them) from few users.
fn target_object_bytes() -> u64 {
    std::env::var("DUCKPIPE_OBJECT_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(TARGET_OBJECT_BYTES)
}

/// Rows per Parquet row group (DuckDB's default; about 9 MB of masked users).
pub const ROW_GROUP_ROWS: u64 = 122_880;

/// What the export wrote: every object of this attempt with its rows, and the rows in total.
#[derive(Debug)]
pub struct Exported {
    pub objects: Vec<(String, u64)>,
    pub rows: u64,
}

/// The export statement writing `relation` into `run_dir` with objects named
/// `part-<attempt>-<i>` of about `object_bytes` made of row groups of `row_group_rows` rows.
pub fn export_sql(relation: &str, run_dir: &str, attempt: &str, object_bytes: u64, row_group_rows: u64) -> String {
    debug_assert!(relation.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
    sql::WRITE_USERS.fill(&[
        ("relation", relation),
        ("run_dir", &sql::quote(run_dir)),
        ("filename_pattern", &sql::quote(&format!("part-{attempt}-{{i}}"))),
        ("file_size_bytes", &object_bytes.to_string()),
        ("row_group_rows", &row_group_rows.to_string()),
    ])
}

/// Writes the run's objects and reads them back. `dest.prepare_run` must have been called.
pub fn write(
    engine: &Engine,
    relation: &str,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
) -> anyhow::Result<Exported> {
    let run_dir = dest.run_dir(run_id);
    let files = copy(engine, &export_sql(relation, &run_dir, attempt, target_object_bytes(), ROW_GROUP_ROWS))
        .map_err(|e| EngineError(format!("writing {run_dir} failed: {e}")))?;
    read_back(engine, &files)
}

/// Runs an export statement ([`export_sql`]) and returns the objects it wrote (its
/// RETURN_FILES list).
pub fn copy(engine: &Engine, statement: &str) -> Result<Vec<String>, EngineError> {
    objects::copy(engine, statement)
}

/// Counts the rows of every object in `files` (one attempt's objects), from their decrypted
/// footers: a missing, truncated or unreadable object fails here.
pub fn read_back(engine: &Engine, files: &[String]) -> anyhow::Result<Exported> {
    let rows = integrity::object_rows(engine, files)
        .map_err(|e| EngineError(format!("reading back the objects just written failed: {}", e.0)))?;
    let mut objects: Vec<(String, u64)> =
        files.iter().map(|f| (f.clone(), rows.get(f).copied().unwrap_or(0))).collect();
    // part-10 after part-9: order by the part number, not the text.
    objects.sort_by_key(|(name, _)| part_number(name));
    Ok(Exported { rows: objects.iter().map(|(_, n)| *n).sum(), objects })
}

/// The `i` of `.../part-<attempt>-<i>.parquet` (unknown names sort last).
fn part_number(name: &str) -> u64 {
    name.rsplit('/')
        .next()
        .and_then(|f| f.strip_suffix(".parquet"))
        .and_then(|f| f.rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

/// Writes the data (sql/write/users.sql, one or more objects: see [`write`]), then reads
/// every written object back — decrypting it — to prove it is complete before it may be named in
/// a record.
pub fn export_data(
    engine: &Engine,
    relation: &str,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
    expected: u64,
) -> anyhow::Result<Vec<ObjectEntry>> {
    let exported = write(engine, relation, dest, run_id, attempt)?;
    let objects = exported
        .objects
        .iter()
        .map(|(file, rows)| entry(engine, dest, file, *rows))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if exported.rows != expected {
        return Err(EngineError(format!(
            "the data objects of run {run_id} hold {} rows, expected {expected}",
            exported.rows
        ))
        .into());
    }
    Ok(objects)
}

/// The record's entry for the data object `file`, just written and read back with `rows`.
pub fn entry(engine: &Engine, dest: &Destination, file: &str, rows: u64) -> anyhow::Result<ObjectEntry> {
    let bytes = objects::object_size(engine, file)?;
    tracing::info!(object = %file, rows, bytes, "written");
    Ok(ObjectEntry { path: dest.relative(file), kind: "data".into(), rows, bytes, purged_at: None })
}

/// Writes the rejected records with their reasons, without credential fields, under the
/// quarantine's own key (sql/write/quarantine.sql), and checks the count.
pub fn export_quarantine(
    engine: &Engine,
    dest: &Destination,
    run_id: &str,
    attempt: &str,
    expected: u64,
) -> anyhow::Result<ObjectEntry> {
    if engine.quarantine_fingerprint().is_none() {
        return Err(InternalError("records were rejected but no quarantine key is registered".into()).into());
    }
    let object = dest.quarantine_object(run_id, attempt);
    engine.set_text("credential_patch", &fields::credential_patch())?;
    engine.set_text("credential_keys", &fields::credential_names().join("|"))?;
    engine
        .execute_batch(&sql::WRITE_QUARANTINE.fill_keyed(KeyName::Quarantine, &[("output_path", &sql::quote(&object))]))
        .map_err(|e| EngineError(format!("writing {object} failed: {e}")))?;
    let rows = integrity::object_rows_keyed(engine, KeyName::Quarantine, std::slice::from_ref(&object))
        .map_err(|e| EngineError(format!("reading back {object} failed: {}", e.0)))?
        .values()
        .sum::<u64>();
    if rows != expected {
        return Err(EngineError(format!("{object} holds {rows} rows, expected {expected}")).into());
    }
    let bytes = objects::object_size(engine, &object)?;
    tracing::info!(object = %object, rows, bytes, "quarantine written");
    Ok(ObjectEntry { path: dest.relative(&object), kind: "quarantine".into(), rows, bytes, purged_at: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_sort_by_number() {
        let mut names = vec!["d/part-a1-10.parquet", "d/part-a1-2.parquet", "d/x.parquet", "d/part-a1-0.parquet"];
        names.sort_by_key(|n| part_number(n));
        assert_eq!(names, ["d/part-a1-0.parquet", "d/part-a1-2.parquet", "d/part-a1-10.parquet", "d/x.parquet"]);
    }

    #[test]
    fn sql_fills_every_placeholder() {
        let s = export_sql("masked_users", "/tmp/lake/users/r1", "a1b2", 1000, 77);
        assert!(s.contains("TO '/tmp/lake/users/r1'") && s.contains("FILE_SIZE_BYTES 1000"), "{s}");
        assert!(s.contains("FILENAME_PATTERN 'part-a1b2-{i}'"), "{s}");
        assert!(s.contains("ROW_GROUP_SIZE 77"), "{s}");
        assert!(!s.contains("{{"), "{s}");
    }
}
