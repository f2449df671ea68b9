//! Micro-benchmark of the masking functions, per value: the Rust function alone, and the DuckDB
//! scalar function over a 1M-row table (vectorised, NULL handling and string copies included,
//! minus the cost of the same query without the function).
//!
//!     cargo bench --bench masking [-- ROWS]        (default 1,000,000)
//!
//! `json_layout` (the record-shape fingerprint, `shape`) is measured the same way on
//! synthetic users (at most 200,000: each is about 1.1 KB of JSON).
//!
//! `pseudonym (re-keyed per value)` is the naive way — a new HMAC key schedule and a hex String
//! per value — shown for comparison with the pre-keyed state that duckpipe clones.

use std::hint::black_box;
use std::time::Instant;

use base64::Engine as _;
use duckpipe::engine::Engine;
use duckpipe::keys::{HmacKey, ParquetKey};
use duckpipe::masking::{self, Pseudonymizer};
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn main() {
    let rows: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let b64 = base64::engine::general_purpose::STANDARD;
    let hmac_key = HmacKey::parse(&b64.encode([7u8; 32])).expect("key");
    let parquet_key = ParquetKey::parse(&b64.encode([8u8; 32])).expect("key");

    let uuids: Vec<String> = (0..rows).map(|i| format!("{:08x}-4f1c-4a2b-9c3d-{:012x}", i, i * 7919)).collect();
    let emails: Vec<String> = (0..rows).map(|i| format!("jane.doe.p{}i{}@example.com", i / 5000, i % 5000)).collect();
    let phones: Vec<String> =
        (0..rows).map(|i| format!("({:03}) {:03}-{:04}", i % 1000, (i / 7) % 1000, i % 10000)).collect();
    let births: Vec<i64> = (0..rows as i64).map(|i| -820_540_800_000_000 + i * 1_987_654_321).collect();
    let as_of = 1_767_225_600_000_000i64; // 2026-01-01

    println!("Rust functions, {rows} values:");
    let p = Pseudonymizer::new(&hmac_key);
    per_value("pseudonym (pre-keyed, stack hex)", rows, || {
        uuids.iter().map(|u| p.pseudonym_hex(u.as_bytes())[0] as usize).sum()
    });
    per_value("pseudonym (re-keyed per value)", rows, || {
        uuids
            .iter()
            .map(|u| {
                let mut mac = Hmac::<Sha256>::new_from_slice(hmac_key.as_bytes()).expect("any key length");
                mac.update(u.as_bytes());
                hex::encode(mac.finalize().into_bytes()).len()
            })
            .sum()
    });
    let mut buf = String::new();
    per_value("mask_email", rows, || {
        emails
            .iter()
            .map(|e| {
                masking::mask_email_into(e, &mut buf);
                buf.len()
            })
            .sum()
    });
    per_value("mask_phone", rows, || {
        phones
            .iter()
            .map(|ph| {
                masking::mask_phone_into(ph, &mut buf);
                buf.len()
            })
            .sum()
    });
    per_value("age_years", rows, || births.iter().map(|&b| masking::age_years(b, as_of).unwrap_or(0) as usize).sum());
    let mut band = [0u8; masking::AGE_BAND_MAX];
    per_value("age_band", rows, || {
        (0..rows as i64).map(|a| masking::age_band_into(a % 100, &mut band).map_or(0, str::len)).sum()
    });

    let users: Vec<String> = {
        let generator = duckpipe::pipeline::source::synthetic::Generator::new(
            "bench",
            None,
            time::macros::datetime!(2026-01-01 00:00 UTC),
        )
        .expect("generator");
        (1..).map(|page| generator.page(page, 5000)).take(rows.min(200_000).div_ceil(5000)).flatten().collect()
    };
    let layout = duckpipe::engine::functions::layout::layout();
    let mut shape = Vec::new();
    per_value("json_layout: shape scan only", users.len(), || {
        users.iter().map(|u| layout.shape_into(u.as_bytes(), &mut shape).map_or(0, |_| shape.len())).sum()
    });
    per_value("json_layout: scan + keyed hash", users.len(), || {
        users.iter().map(|u| layout.fingerprint(u.as_bytes(), &mut shape).unwrap_or(0) as usize & 1).sum()
    });

    println!("\nDuckDB scalar functions over {rows} rows (cost above the same query without the function):");
    let engine = Engine::open(&parquet_key, Some(&hmac_key)).expect("engine");
    engine
        .execute_batch(&format!(
            "CREATE TABLE t AS SELECT \
               printf('%08x-4f1c-4a2b-9c3d-%012x', i, i * 7919) AS uuid, \
               printf('jane.doe.p%di%d@example.com', i // 5000, i % 5000) AS email, \
               printf('(%03d) %03d-%04d', i % 1000, (i // 7) % 1000, i % 10000) AS phone, \
               make_timestamp(-820540800000000 + i * 1987654321) AS birth, \
               i % 100 AS age \
             FROM range({rows}) r(i);"
        ))
        .expect("table");
    let sql_cost_rows = |name: &str, rows: usize, with: &str, without: &str| {
        let time = |q: &str| {
            (0..3)
                .map(|_| {
                    let start = Instant::now();
                    black_box(engine.query_i64(q).expect("query"));
                    start.elapsed().as_secs_f64()
                })
                .fold(f64::INFINITY, f64::min)
        };
        let (a, b) = (time(with), time(without));
        println!(
            "  {name:<34} {:8.1} ns/row  ({a:.3} s vs {b:.3} s without, {rows} rows)",
            (a - b).max(0.0) * 1e9 / rows as f64
        );
    };
    let sql_cost = |name: &str, with: &str, without: &str| sql_cost_rows(name, rows, with, without);
    sql_cost("pseudonym(uuid)", "SELECT sum(length(pseudonym(uuid))) FROM t", "SELECT sum(length(uuid)) FROM t");
    sql_cost("mask_email(email)", "SELECT sum(length(mask_email(email))) FROM t", "SELECT sum(length(email)) FROM t");
    sql_cost("mask_phone(phone)", "SELECT sum(length(mask_phone(phone))) FROM t", "SELECT sum(length(phone)) FROM t");
    sql_cost(
        "age_years(birth, as_of)",
        "SELECT sum(age_years(birth, TIMESTAMP '2026-01-01')) FROM t",
        "SELECT sum(epoch(birth)::BIGINT) FROM t",
    );
    sql_cost("age_band(age)", "SELECT sum(length(age_band(age))) FROM t", "SELECT sum(age) FROM t");
    engine.execute_batch("CREATE TABLE docs (doc VARCHAR)").expect("docs table");
    {
        let mut app = engine.appender("docs").expect("appender");
        for u in &users {
            app.append_row([u.as_str()]).expect("append");
        }
    }
    sql_cost_rows(
        "json_layout(doc)",
        users.len(),
        "SELECT sum(json_layout(doc) & 1) FROM docs",
        "SELECT sum(length(doc)) FROM docs",
    );
}

/// Best of 3 runs of `f` over `rows` values, printed as ns per value.
fn per_value(name: &str, rows: usize, mut f: impl FnMut() -> usize) {
    let best = (0..3)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    println!("  {name:<34} {:8.1} ns/value", best * 1e9 / rows as f64);
}
