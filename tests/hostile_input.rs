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
use duckpipe::pipeline::source::Record;
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
        let _ = duckpipe::pipeline::source::file::read(&path, 7, 64, &mut |batch: Vec<Record>| { n += batch.len(); Ok(()) });
    }

    #[test]
    fn file_source_never_panics_on_json_like_text(text in "[\\[\\]{}\":,0-9a-z \\n\\\\]{0,400}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.ndjson");
        std::fs::write(&path, &text).unwrap();
        let _ = duckpipe::pipeline::source::file::read(&path, 3, 64, &mut |_batch: Vec<Record>| Ok(()));
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
        let got: String = engine.one("SELECT pseudonym(?)", params![v], |r| r.get(0)).unwrap();
        assert_eq!(got, p.pseudonym(v), "pseudonym differs in SQL for {:?}", &v[..v.len().min(40)]);
    }
}

#[test]
fn hostile_values_pass_through_the_sql_steps_as_data() {
    let (pk, hk) = keys();
    let engine = Engine::open(&pk, Some(&hk)).unwrap();
    engine.set_variable("run_id", &sql::quote("run'; DROP TABLE x; --")).unwrap();
    engine.set_variable("as_of", "TIMESTAMP '2026-11-25 00:00:00'").unwrap();
    engine.set_variable("loaded_at", "TIMESTAMPTZ '2026-11-25 00:00:00+00'").unwrap();
    let mut cities: Vec<String> = NASTY.iter().filter(|s| !s.is_empty()).map(|s| s.to_string()).collect();
    cities.push("Ω".repeat(100_000));
    let users: Vec<String> = cities
        .iter()
        .enumerate()
        .map(|(i, city)| {
            serde_json::json!({
                "gender": "female", "email": format!("{city}@example.com"), "nat": "GB",
                "login": {"uuid": format!("uuid-{i}-{city}")},
                "dob": {"date": "1990-01-02T03:04:05.000Z", "age": 36},
                "registered": {"date": "2015-06-07T08:09:10.000Z", "age": 11},
                "location": {"city": city, "country": city},
            })
            .to_string()
        })
        .collect();
    let mut batches = duckpipe::pipeline::stage::Batches::new(&engine).unwrap();
    batches.push(users).unwrap();
    batches.finish().unwrap();
    duckpipe::pipeline::check::sample(&engine).unwrap();
    engine.set_list("required", &duckpipe::schema::required::paths()).unwrap();
    engine.run_all(&sql::REJECT_STEPS).unwrap();
    assert_eq!(engine.query_i64("SELECT count(*) FROM rejected_users").unwrap(), 0);
    let rows: Vec<(String, String, String)> = engine
        .rows("SELECT city, country, run_id FROM masked_users ORDER BY user_id", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
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
        .execute_batch(&duckpipe::pipeline::export::export_sql(
            "masked_users",
            &run_dir,
            "a1",
            duckpipe::pipeline::export::TARGET_OBJECT_BYTES,
            duckpipe::pipeline::export::ROW_GROUP_ROWS,
        ))
        .unwrap();
    let glob = format!("{run_dir}/part-a1-*.parquet");
    let back: Vec<String> = engine
        .rows(
            &format!(
                "SELECT city FROM read_parquet({}, encryption_config = {{footer_key: 'duckpipe'}}) ORDER BY city",
                sql::quote(&glob)
            ),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(back, want);
}

/// Keys whose scalars the shape types in these tests (as `json_layout()` does for the kept fields).
const TYPED: [&str; 3] = ["a", "city", "é"];

/// The shape `json_layout()` fingerprints (src/shape.rs), worked out from a parsed value: keys (as
/// their JSON text, escapes and all) in order, objects followed, arrays one token, scalars one
/// token — by JSON type under a typed key (one of [`TYPED`], or one written with an escape).
fn reference_shape(v: &serde_json::Value, typed: bool, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            out.push('{');
            for (k, v) in map {
                let quoted = serde_json::to_string(k).unwrap();
                let raw = &quoted[1..quoted.len() - 1];
                out.push_str(raw);
                out.push('"');
                reference_shape(v, TYPED.contains(&raw) || raw.contains('\\'), out);
            }
            out.push('}');
        }
        Value::Array(_) => out.push('['),
        _ if !typed => out.push('s'),
        Value::String(_) => out.push('q'),
        Value::Number(_) => out.push('n'),
        Value::Bool(_) => out.push('b'),
        Value::Null => out.push('z'),
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        (-1e9f64..1e9).prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
        prop::sample::select(NASTY.to_vec()).prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::vec(
                (prop_oneof![".{0,8}", prop::sample::select(NASTY.to_vec()).prop_map(String::from)], inner),
                0..5
            )
            .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Whatever the keys and values (quotes, backslashes, brackets inside strings, nesting), the
    /// scanner sees exactly the keys and kinds a JSON parser sees, compact or pretty-printed.
    #[test]
    fn layout_shapes_match_a_json_parser(fields in prop::collection::vec((".{0,8}", json_value()), 0..6)) {
        let doc = serde_json::Value::Object(fields.into_iter().collect());
        let mut want = String::new();
        reference_shape(&doc, false, &mut want);
        let mut buf = Vec::new();
        let layout = duckpipe::shape::Layout::new(&TYPED);
        for text in [serde_json::to_string(&doc).unwrap(), serde_json::to_string_pretty(&doc).unwrap()] {
            prop_assert_eq!(layout.shape_into(text.as_bytes(), &mut buf), Some(()));
            prop_assert_eq!(std::str::from_utf8(&buf).unwrap(), want.as_str());
        }
    }

    #[test]
    fn layout_never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut buf = Vec::new();
        let _ = duckpipe::shape::Layout::new(&TYPED).shape_into(&bytes, &mut buf);
    }
}
