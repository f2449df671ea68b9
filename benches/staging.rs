//! Where the time of `load --source file` goes, and which way of handing JSON to DuckDB is
//! fastest. Runs the load's steps one by one on the same engine setup as `duckpipe load`:
//!
//! - stage, three ways:
//!   `appender`     the file source's pages (one String per user) through DuckDB's appender
//!                  (what duckpipe does);
//!   `ndjson-chunks` each page written to a temporary NDJSON file, inserted with
//!                  read_ndjson_objects;
//!   `read-file`    DuckDB reads the whole input itself with read_ndjson_objects;
//! - then flatten, mask and export (sql/01..03) after the `appender` stage.
//!
//!     cargo bench --bench staging -- INPUT.ndjson
//!
//! (bench/run.sh makes inputs: `duckpipe generate --ndjson --count N --out FILE`.)

use std::io::Write as _;
use std::time::Instant;

use base64::Engine as _;
use duckdb::params;
use duckpipe::engine::{Engine, sql};
use duckpipe::keys::{HmacKey, ParquetKey};

fn engine() -> Engine {
    let b64 = base64::engine::general_purpose::STANDARD;
    let hk = HmacKey::parse(&b64.encode([7u8; 32])).expect("key");
    let pk = ParquetKey::parse(&b64.encode([8u8; 32])).expect("key");
    let engine = Engine::open(&pk, Some(&hk)).expect("engine");
    engine.execute_batch(sql::STAGE).expect("stage table");
    engine
}

fn timed<T>(name: &str, users: u64, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let s = start.elapsed().as_secs_f64();
    println!("  {name:<44} {s:7.2} s  {:>9.0} users/s", users as f64 / s);
    out
}

fn main() {
    let input = std::env::args().skip(1).find(|a| !a.starts_with('-')).expect("usage: cargo bench --bench staging -- INPUT.ndjson");
    let input = std::path::PathBuf::from(input);
    let users = std::fs::read_to_string(&input).expect("input").lines().count() as u64;
    println!("{users} users from {}", input.display());

    // 1. Appender (duckpipe's staging, with the source on its own thread).
    let e = engine();
    timed("stage: appender (pipelined, duckpipe)", users, || {
        let spec = duckpipe::load::SourceSpec::File { path: input.clone() };
        duckpipe::staging::stage(&e, &spec, time::OffsetDateTime::now_utc(), 5000).expect("stage")
    });
    assert_eq!(e.query_i64("SELECT count(*) FROM raw_users").expect("count") as u64, users);
    timed("flatten (sql/01)", users, || e.execute_batch(sql::FLATTEN).expect("flatten"));
    e.set_variable("run_id", "'bench'").expect("var");
    e.set_variable("as_of", "TIMESTAMP '2026-01-01 00:00:00'").expect("var");
    e.set_variable("loaded_at", "TIMESTAMPTZ '2026-01-01 00:00:00+00'").expect("var");
    e.set_variable("required", "['login.uuid', 'email', 'gender', 'dob.date', 'registered.date', 'location.country', 'location.city']::VARCHAR[]").expect("var");
    timed("validate (sql/02)", users, || e.execute_batch(sql::VALIDATE).expect("validate"));
    timed("mask (sql/03)", users, || e.execute_batch(sql::MASK).expect("mask"));
    let out = tempfile::tempdir().expect("tempdir");
    let run_dir = out.path().to_string_lossy().to_string();
    timed("export (sql/04) + read back", users, || {
        e.execute_batch(&duckpipe::export::export_sql(&run_dir, "bench", duckpipe::export::TARGET_OBJECT_BYTES, duckpipe::export::ROW_GROUP_ROWS))
            .expect("export");
        duckpipe::export::read_back(&e, &format!("{run_dir}/part-bench-*.parquet")).expect("read back")
    });
    drop(e);

    // 2. Temporary NDJSON chunks, one per page, inserted with read_ndjson_objects.
    let e = engine();
    let chunks = tempfile::tempdir().expect("tempdir");
    timed("stage: ndjson chunks + read_ndjson_objects", users, || {
        let mut seq = 0u64;
        let mut page_no = 0;
        let mut sink = |page: Vec<String>| -> anyhow::Result<()> {
            let path = chunks.path().join(format!("page-{page_no}.ndjson"));
            let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
            for u in &page {
                f.write_all(u.as_bytes())?;
                f.write_all(b"\n")?;
            }
            f.flush()?;
            e.conn().execute(
                "INSERT INTO raw_users SELECT ? + row_number() OVER () - 1, json FROM read_ndjson_objects(?)",
                params![seq as i64, path.to_string_lossy()],
            )?;
            std::fs::remove_file(&path)?;
            seq += page.len() as u64;
            page_no += 1;
            Ok(())
        };
        duckpipe::sources::file::read(&input, 5000, &mut sink).expect("read")
    });
    assert_eq!(e.query_i64("SELECT count(*) FROM raw_users").expect("count") as u64, users);
    drop(e);

    // 3. DuckDB reads the input file itself.
    let e = engine();
    timed("stage: DuckDB reads the file (read_ndjson_objects)", users, || {
        e.conn()
            .execute(
                "INSERT INTO raw_users SELECT row_number() OVER () - 1, json FROM read_ndjson_objects(?)",
                params![input.to_string_lossy()],
            )
            .expect("insert")
    });
    assert_eq!(e.query_i64("SELECT count(*) FROM raw_users").expect("count") as u64, users);
}
