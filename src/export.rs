//! Step 3 of a load: writes `masked_users` as encrypted Parquet into the run's folder
//! (`sql/03_export.sql`) and reads every object back, decrypting it, before the load may report
//! success.

use crate::engine::{Engine, EngineError, PARQUET_KEY_NAME, sanitize, sql};
use crate::store::Destination;

/// Target size of one Parquet object. DuckDB starts a new object once the current one passes it
/// (checked per row group, after some buffering), so objects are this size or somewhat larger:
/// about 2M masked users (~75 bytes each with zstd) per object.
pub const TARGET_OBJECT_BYTES: u64 = 128 * 1024 * 1024;

/// Rows per Parquet row group (DuckDB's default; about 9 MB of masked users).
pub const ROW_GROUP_ROWS: u64 = 122_880;

/// What the export wrote: every object of the run, and the rows read back from all of them.
#[derive(Debug)]
pub struct Exported {
    pub objects: Vec<String>,
    pub rows: u64,
}

/// The export statement for `run_dir` with objects of about `object_bytes` made of row groups of
/// `row_group_rows` rows.
pub fn export_sql(run_dir: &str, object_bytes: u64, row_group_rows: u64) -> String {
    sql::EXPORT
        .replace("{{run_dir}}", &sql::quote(run_dir))
        .replace("{{file_size_bytes}}", &object_bytes.to_string())
        .replace("{{row_group_rows}}", &row_group_rows.to_string())
}

/// Writes the run's objects and reads them back. `dest.prepare_run` must have been called.
pub fn write(engine: &Engine, dest: &Destination, run_id: &str) -> anyhow::Result<Exported> {
    let run_dir = dest.run_dir(run_id);
    engine
        .execute_batch(&export_sql(&run_dir, TARGET_OBJECT_BYTES, ROW_GROUP_ROWS))
        .map_err(|e| EngineError(format!("writing {run_dir} failed: {e}")))?;
    read_back(engine, &run_dir)
}

/// Counts the rows of every object in `run_dir`, decrypting each one: a missing, truncated or
/// unreadable object fails here.
pub fn read_back(engine: &Engine, run_dir: &str) -> anyhow::Result<Exported> {
    let query = format!(
        "SELECT filename, count(*) FROM read_parquet({}, filename = true, encryption_config = {{footer_key: {}}}) \
         GROUP BY filename ORDER BY filename",
        sql::quote(&format!("{run_dir}/*.parquet")),
        sql::quote(PARQUET_KEY_NAME)
    );
    let err = |e: duckdb::Error| EngineError(format!("reading back {run_dir} failed: {}", sanitize(&e.to_string())));
    let mut statement = engine.conn().prepare(&query).map_err(err)?;
    let counts: Vec<(String, i64)> =
        statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).and_then(Iterator::collect).map_err(err)?;
    let mut objects: Vec<(String, i64)> = counts;
    // part-10 after part-9: order by the part number, not the text.
    objects.sort_by_key(|(name, _)| part_number(name));
    Ok(Exported { rows: objects.iter().map(|(_, n)| *n as u64).sum(), objects: objects.into_iter().map(|(name, _)| name).collect() })
}

/// The `i` of `.../part-<i>.parquet` (unknown names sort last).
fn part_number(name: &str) -> u64 {
    name.rsplit('/')
        .next()
        .and_then(|f| f.strip_prefix("part-"))
        .and_then(|f| f.strip_suffix(".parquet"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_sort_by_number() {
        let mut names = vec!["d/part-10.parquet", "d/part-2.parquet", "d/x.parquet", "d/part-0.parquet"];
        names.sort_by_key(|n| part_number(n));
        assert_eq!(names, ["d/part-0.parquet", "d/part-2.parquet", "d/part-10.parquet", "d/x.parquet"]);
    }

    #[test]
    fn sql_fills_both_placeholders() {
        let s = export_sql("/tmp/lake/users/r1", 1000, 77);
        assert!(s.contains("TO '/tmp/lake/users/r1'") && s.contains("FILE_SIZE_BYTES 1000"), "{s}");
        assert!(s.contains("ROW_GROUP_SIZE 77"), "{s}");
        assert!(!s.contains("{{"), "{s}");
    }
}
