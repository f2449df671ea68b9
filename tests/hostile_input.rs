//! Hostile input (issue 4): no panic on any bytes, and odd values pass through as data.
//!
//! Property tests feed arbitrary bytes to the file source and arbitrary text to the masking
//! functions (in Rust and through DuckDB), and check that values full of quotes, backslashes,
//! NUL, RTL/zero-width characters, SQL fragments or sheer length come out of the SQL steps
//! exactly as they went in.

use base64::Engine as _;
use duckdb::params;
use duckpipe::engine::{Engine, sql};
use duckpipe::keys::{HmacKey, ParquetKey};
use duckpipe::masking::{Pseudonymizer, age_band, age_years, mask_email, mask_phone};
use proptest::prelude::*;

fn keys() -> (ParquetKey, HmacKey) {
    let b64 = base64::engine::general_purpose::STANDARD;
    (ParquetKey::parse(&b64.encode([3u8; 32])).unwrap(), HmacKey::parse(&b64.encode([4u8; 32])).unwrap())
}

/// Values that broke naive pipelines somewhere: SQL, escapes, control and bidi characters.
const NASTY: [&str; 12] = [
    "Robert'); DROP TABLE users; --",
    "O'Brien \"the\" \\ escaper\\",
    "nul\u{0}inside",
    "\u{202e}evil-rtl\u{202c}",
    "zero\u{200b}width\u{200d}joiner\u{feff}",
    "'; COPY users TO '/tmp/x.csv'; --",
    "{{output_path}}",
    "getvariable('as_of')",
    "line\nbreak\r\ttab",
    "émoji 🦆 ünïcödé",
    "%s %n %x",
    "",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn file_source_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.json");
        std::fs::write(&path, &bytes).unwrap();
        let mut n = 0usize;
        // Ok or a clean error: never a panic.
        let _ = duckpipe::sources::file::read(&path, 7, &mut |batch: Vec<String>| { n += batch.len(); Ok(()) });
    }

    #[test]
    fn file_source_never_panics_on_json_like_text(text in "[\\[\\]{}\":,0-9a-z \\n\\\\]{0,400}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.ndjson");
        std::fs::write(&path, &text).unwrap();
        let _ = duckpipe::sources::file::read(&path, 3, &mut |_batch: Vec<String>| Ok(()));
    }

    #[test]
    fn masking_functions_never_panic(s in any::<String>(), n in any::<i64>(), m in any::<i64>()) {
        let p = Pseudonymizer::new(&keys().1);
        let a = p.pseudonym(&s);
        prop_assert_eq!(a.len(), 64);
        prop_assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        prop_assert_eq!(a, p.pseudonym(&s));
        let _ = mask_email(&s);
        let _ = mask_phone(&s);
        let _ = age_years(n, m);
        let _ = age_band(n);
    }
}

#[test]
fn masking_functions_in_duckdb_take_any_text() {
    let (pk, hk) = keys();
    let engine = Engine::open(&pk, Some(&hk)).unwrap();
    let p = Pseudonymizer::new(&hk);
    let long = "x".repeat(1_000_000);
    let mut values: Vec<String> = NASTY.iter().map(|s| s.to_string()).collect();
    values.push(long);
    for v in &values {
        let got: String = engine.conn().query_row("SELECT pseudonym(?)", params![v], |r| r.get(0)).unwrap();
        assert_eq!(got, p.pseudonym(v), "pseudonym differs in SQL for {:?}", &v[..v.len().min(40)]);
    }
}

#[test]
fn hostile_values_pass_through_the_sql_steps_as_data() {
    let (pk, hk) = keys();
    let engine = Engine::open(&pk, Some(&hk)).unwrap();
    engine.execute_batch(sql::STAGE).unwrap();
    let mut cities: Vec<String> = NASTY.iter().filter(|s| !s.is_empty()).map(|s| s.to_string()).collect();
    cities.push("Ω".repeat(100_000));
    {
        let mut app = engine.conn().appender("raw_users").unwrap();
        for (i, city) in cities.iter().enumerate() {
            let user = serde_json::json!({
                "gender": "female", "email": format!("{city}@example.com"), "nat": "GB",
                "login": {"uuid": format!("uuid-{i}-{city}")},
                "dob": {"date": "1990-01-02T03:04:05.000Z", "age": 36},
                "registered": {"date": "2015-06-07T08:09:10.000Z", "age": 11},
                "location": {"city": city, "country": city},
            });
            app.append_row(params![i as i64, user.to_string()]).unwrap();
        }
    }
    engine.execute_batch(sql::FLATTEN).unwrap();
    engine.set_variable("required", "['login.uuid', 'email', 'gender', 'dob.date', 'registered.date', 'location.country', 'location.city']::VARCHAR[]").unwrap();
    engine.execute_batch(sql::VALIDATE).unwrap();
    assert_eq!(engine.query_i64("SELECT count(*) FROM rejected_users").unwrap(), 0);
    engine.set_variable("run_id", &sql::quote("run'; DROP TABLE x; --")).unwrap();
    engine.set_variable("as_of", "TIMESTAMP '2026-11-25 00:00:00'").unwrap();
    engine.set_variable("loaded_at", "TIMESTAMPTZ '2026-11-25 00:00:00+00'").unwrap();
    engine.execute_batch(sql::MASK).unwrap();
    let mut stmt = engine.conn().prepare("SELECT city, country, run_id FROM masked_users ORDER BY user_id").unwrap();
    let rows: Vec<(String, String, String)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    let mut got: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    got.sort();
    let mut want = cities.clone();
    want.sort();
    assert_eq!(got, want, "cities changed on the way through flatten → validate → mask");
    assert!(rows.iter().all(|r| r.0 == r.1 && r.2 == "run'; DROP TABLE x; --"));

    // And through an encrypted Parquet file and back.
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("o'dd; name").to_string_lossy().to_string();
    std::fs::create_dir_all(&run_dir).unwrap();
    engine
        .execute_batch(&duckpipe::export::export_sql(&run_dir, "a1", duckpipe::export::TARGET_OBJECT_BYTES, duckpipe::export::ROW_GROUP_ROWS))
        .unwrap();
    let glob = format!("{run_dir}/part-a1-*.parquet");
    let mut stmt = engine
        .conn()
        .prepare(&format!("SELECT city FROM read_parquet({}, encryption_config = {{footer_key: 'duckpipe'}}) ORDER BY city", sql::quote(&glob)))
        .unwrap();
    let back: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(back, want);
}
