//! Where the time of `load --source file` goes, and which way of handing JSON to DuckDB is
//! fastest. Runs the load's steps one by one on the same engine set-up as `duckpipe load`, once
//! for each way in:
//!
//! - `duckdb-reads-file`: DuckDB reads the NDJSON file itself (sql/stage/raw_users_from_file.sql): one
//!   parallel pass, the per-batch steps in one INSERT — what `load` does for a file DuckDB accepts;
//! - `appender-batches`: duckpipe reads the file line by line on its own thread and hands the
//!   users to DuckDB's appender; the per-batch steps run per batch of `stage::BATCH_ROWS` users — what
//!   `load` does for every other source and for files DuckDB refuses.
//!
//! Then, on each: the unknown-field check, reject (sql/03a), export (sql/04) and read-back.
//!
//!     cargo bench --bench staging -- INPUT.ndjson
//!
//! (bench/run.sh makes inputs: `duckpipe generate --ndjson --count N --out FILE`.)

use std::time::Instant;

use base64::Engine as _;
use duckpipe::engine::{Engine, sql};
use duckpipe::keys::{HmacKey, ParquetKey};
use duckpipe::pipeline::source::file::FileSource;

fn engine() -> Engine {
    let b64 = base64::engine::general_purpose::STANDARD;
    let hk = HmacKey::parse(&b64.encode([7u8; 32])).expect("key");
    let pk = ParquetKey::parse(&b64.encode([8u8; 32])).expect("key");
    let engine = Engine::open(&pk, Some(&hk)).expect("engine");
    engine.set_variable("run_id", "'bench'").expect("var");
    engine.set_variable("as_of", "TIMESTAMP '2026-01-01 00:00:00'").expect("var");
    engine.set_variable("loaded_at", "TIMESTAMPTZ '2026-01-01 00:00:00+00'").expect("var");
    engine
}

fn timed<T>(name: &str, users: u64, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let s = start.elapsed().as_secs_f64();
    println!("  {name:<44} {s:7.2} s  {:>9.0} users/s", users as f64 / s);
    out
}

/// The run-level steps after staging, as `load` runs them.
fn finish(e: &Engine, users: u64) {
    assert_eq!(e.query_i64("SELECT count(*) FROM staged_users").expect("count") as u64, users);
    timed("unknown-field check", users, || {
        duckpipe::pipeline::check::sample(e).expect("sample");
        duckpipe::pipeline::check::detect(e).expect("check")
    });
    e.set_list("required", &duckpipe::schema::required::paths()).expect("var");
    timed("reject (sql/run/rejected_users, masked_users)", users, || e.run_all(&sql::REJECT_STEPS).expect("reject"));
    let out = tempfile::tempdir().expect("tempdir");
    let run_dir = out.path().to_string_lossy().to_string();
    let exported = timed("export (sql/write/users) + read back", users, || {
        let files = duckpipe::pipeline::export::copy(
            e,
            &duckpipe::pipeline::export::export_sql(
                "masked_users",
                &run_dir,
                "bench",
                duckpipe::pipeline::export::TARGET_OBJECT_BYTES,
                duckpipe::pipeline::export::ROW_GROUP_ROWS,
            ),
        )
        .expect("export");
        duckpipe::pipeline::export::read_back(e, &files).expect("read back")
    });
    assert_eq!(exported.rows, users);
}

fn main() {
    let input = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .expect("usage: cargo bench --bench staging -- INPUT.ndjson");
    let input = std::path::PathBuf::from(input);
    assert!(
        duckpipe::pipeline::source::file::duckdb_can_read(&input, duckpipe::pipeline::source::DEFAULT_MAX_RECORD_BYTES),
        "{} is not an NDJSON file DuckDB can read",
        input.display()
    );
    let users =
        std::io::BufRead::lines(std::io::BufReader::new(std::fs::File::open(&input).expect("input"))).count() as u64;
    println!("{users} users from {}", input.display());
    let spec = FileSource::new(&input);

    println!("duckdb-reads-file");
    let e = engine();
    timed("stage: DuckDB reads the file", users, || duckpipe::pipeline::stage::stage(&e, &spec, 5000).expect("stage"));
    finish(&e, users);
    drop(e);

    println!("appender-batches");
    let e = engine();
    timed("stage: line by line, appender batches", users, || {
        duckpipe::pipeline::stage::stage_batches(&e, &spec, 5000).expect("stage")
    });
    finish(&e, users);
}
