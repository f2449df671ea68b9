//! Privacy steps through the real load job (file source → local destination): unknown input
//! fields are dropped and reported (or refused with strict), the risk report matches class sizes
//! known by construction, and `--min-k` yields k ≥ K with the gender split and registration dates
//! untouched.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine as _;
use duckpipe::analytics::risk;
use duckpipe::engine::Engine;
use duckpipe::keys::{HmacKey, ParquetKey};
use duckpipe::lake::Destination;
use duckpipe::lake::record::{KeyFingerprints, RunRecord, SourceParameters};
use duckpipe::lake::users_view as report;
use duckpipe::pipeline::LoadPrivacy;
use duckpipe::pipeline::source::file::FileSource;
use duckpipe::pipeline::{self as load, LoadOptions};
use serde_json::{Value, json};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ru13_050_mixed.json");
const AS_OF: time::OffsetDateTime = time::macros::datetime!(2026-11-25 00:00 UTC);

fn keys() -> (ParquetKey, HmacKey) {
    let b64 = base64::engine::general_purpose::STANDARD;
    (ParquetKey::parse(&b64.encode([9u8; 32])).unwrap(), HmacKey::parse(&b64.encode([5u8; 32])).unwrap())
}

fn quarantine_key() -> ParquetKey {
    ParquetKey::parse_quarantine(&base64::engine::general_purpose::STANDARD.encode([6u8; 32])).unwrap()
}

fn engine() -> Engine {
    let (p, h) = keys();
    let engine = Engine::open(&p, Some(&h)).unwrap();
    engine.add_quarantine_key(&quarantine_key()).unwrap();
    engine
}

fn fixture_users() -> Vec<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    doc["results"].as_array().unwrap().clone()
}

fn synthetic_users(seed: &str, count: u32) -> Vec<Value> {
    let generator = duckpipe::pipeline::source::synthetic::Generator::new(seed, None, AS_OF).unwrap();
    generator.page(1, count).iter().map(|u| serde_json::from_str(u).unwrap()).collect()
}

fn write_ndjson(dir: &Path, users: &[Value]) -> std::path::PathBuf {
    let path = dir.join("users.ndjson");
    let text: Vec<String> = users.iter().map(Value::to_string).collect();
    std::fs::write(&path, text.join("\n")).unwrap();
    path
}

fn load(engine: &Engine, input: &Path, dest: &Path, privacy: LoadPrivacy) -> anyhow::Result<RunRecord> {
    let options = LoadOptions {
        source: std::sync::Arc::new(FileSource::new(input)),
        dest: Destination::Local(dest.to_path_buf()),
        as_of: AS_OF,
        run_id: load::new_run_id(time::OffsetDateTime::now_utc()),
        batch_size: 1000,
        parameters: SourceParameters::default(),
        max_bad_ratio: 0.0,
        keys: KeyFingerprints {
            parquet: keys().0.fingerprint(),
            hmac: keys().1.fingerprint(),
            quarantine: Some(quarantine_key().fingerprint()),
        },
        privacy,
    };
    load::run(engine, &options)
}

fn parquet_files(dir: &Path) -> Vec<std::path::PathBuf> {
    fn walk(d: &Path, out: &mut Vec<std::path::PathBuf>) {
        if let Ok(entries) = std::fs::read_dir(d) {
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out)
                } else if p.extension().is_some_and(|x| x == "parquet") {
                    out.push(p)
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out
}

#[test]
fn unknown_fields_are_dropped_and_reported_or_refused_with_strict() {
    let mut users = fixture_users();
    // 3 users with a nested unknown field (one of them an object), 2 with a top-level one.
    users[0]["location"]["foo"] = json!("secret-value-1");
    users[1]["location"]["foo"] = json!({"deeper": "secret-value-2"});
    users[2]["location"]["foo"] = json!(42);
    users[3]["hobby"] = json!("secret-value-3");
    users[4]["hobby"] = json!(["a", "b"]);
    users[4]["login"]["totp_seed"] = json!("secret-value-4");
    // A dropped field holding a structure: dropped like any other value.
    users[5]["picture"]["large"] = json!({"url": "secret-value-5"});
    let dir = tempfile::tempdir().unwrap();
    let input = write_ndjson(dir.path(), &users);

    let lake = dir.path().join("lake");
    let outcome = load(&engine(), &input, &lake, LoadPrivacy::default()).unwrap();
    let got: Vec<(String, u64)> = outcome.unknown_fields.iter().map(|u| (u.path.clone(), u.records)).collect();
    assert_eq!(got, vec![("hobby".into(), 2), ("location.foo".into(), 3), ("login.totp_seed".into(), 1)]);
    assert!(outcome.unknown_fields.iter().all(|u| u.shape.is_none()));
    assert_eq!(outcome.counts.written, users.len() as u64);
    let json = serde_json::to_string(&outcome).unwrap();
    assert!(json.contains(r#""unknown_fields":[{"path":"hobby","records":2}"#), "{json}");
    assert!(!json.contains("secret-value"), "values never reach the summary");

    // The stored table has exactly the allow-listed columns: nothing of the unknown fields. The
    // users of other shapes than the first are written last, into an object of their own.
    let files = parquet_files(&lake);
    assert_eq!(files.len(), 2, "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(!bytes.windows(12).any(|w| w == b"secret-value"));
    }

    // The known shape alone: nothing reported.
    let plain = write_ndjson(&dir.path().join("plain").tap_mkdir(), &fixture_users());
    let outcome = load(&engine(), &plain, &dir.path().join("lake2"), LoadPrivacy::default()).unwrap();
    assert!(outcome.unknown_fields.is_empty(), "{:?}", outcome.unknown_fields);

    // --strict: a source error (exit 3) naming the fields, nothing written.
    let strict_lake = dir.path().join("lake-strict");
    let err = load(&engine(), &input, &strict_lake, LoadPrivacy { strict: true, min_k: None }).unwrap_err();
    assert_eq!(duckpipe::cli::exit_code(&err), duckpipe::error::SOURCE);
    let msg = format!("{err:#}");
    assert!(msg.contains("location.foo") && msg.contains("--strict"), "{msg}");
    assert!(!msg.contains("secret-value"), "{msg}");
    assert!(parquet_files(&strict_lake).is_empty(), "strict wrote data");
}

#[test]
fn a_kept_field_holding_a_structure_is_refused_even_without_strict() {
    let cases = [
        ("location.city", json!({"name": "secret-city"})),
        ("email", json!(["secret-city"])),
        ("nat", json!({"x": "secret-city"})),
    ];
    for (i, (field, value)) in cases.into_iter().enumerate() {
        let mut users = fixture_users();
        match field {
            "location.city" => users[7]["location"]["city"] = value,
            _ => users[7][field] = value,
        }
        let dir = tempfile::tempdir().unwrap();
        let input = write_ndjson(dir.path(), &users);
        let lake = dir.path().join("lake");
        let err = load(&engine(), &input, &lake, LoadPrivacy::default()).unwrap_err();
        assert_eq!(duckpipe::cli::exit_code(&err), duckpipe::error::SOURCE);
        let msg = format!("{err:#}");
        let shape = if i == 1 { "array" } else { "object" };
        assert!(msg.contains(&format!("{field} (holds an {shape}, 1 user)")), "{msg}");
        assert!(!msg.contains("secret-city"), "{msg}");
        assert!(parquet_files(&lake).is_empty());
    }
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}
impl TapMkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

/// Users whose (gender, age band, country, city) classes have exactly `sizes` members.
fn crafted(sizes: &[usize]) -> Vec<Value> {
    let total: usize = sizes.iter().sum();
    let mut base = synthetic_users("crafted", total as u32).into_iter();
    let mut out = Vec::new();
    for (class, &size) in sizes.iter().enumerate() {
        for member in 0..size {
            let mut u = base.next().unwrap();
            u["gender"] = json!(if class % 2 == 0 { "female" } else { "male" });
            // Ages 34..=39 at AS_OF: all in band 30-39, different exact ages within a class.
            u["dob"]["date"] = json!(format!("{}-03-01T12:00:00.000Z", 1992 - (member % 6)));
            u["location"]["country"] = json!(format!("Country {}", class % 3));
            u["location"]["city"] = json!(format!("City {class}"));
            out.push(u);
        }
    }
    out
}

#[test]
fn risk_matches_classes_known_by_construction() {
    let sizes = [1, 1, 1, 2, 3, 4, 5, 7, 9, 10, 12, 20];
    let users = crafted(&sizes);
    let dir = tempfile::tempdir().unwrap();
    let input = write_ndjson(dir.path(), &users);
    let lake = dir.path().join("lake");
    let engine = engine();
    load(&engine, &input, &lake, LoadPrivacy::default()).unwrap();
    report::open_users_view(&engine, &Destination::Local(lake.clone())).unwrap();
    let r = risk::compute(&engine, &risk::DEFAULT_QI).unwrap();

    let total: usize = sizes.iter().sum();
    let below = |k: usize| sizes.iter().filter(|&&s| s < k).sum::<usize>() as i64;
    assert_eq!(r.records, total as i64);
    assert_eq!(r.classes, sizes.len() as i64);
    assert_eq!(r.k, Some(1));
    assert_eq!(r.smallest_classes, 3);
    assert_eq!((r.below.k2, r.below.k5, r.below.k10), (below(2), below(5), below(10)));
    let unique = sizes.iter().filter(|&&s| s == 1).count() as f64 / total as f64;
    assert!((r.unique_share.unwrap() - unique).abs() < 1e-4, "{:?} vs {unique}", r.unique_share);
    assert!(r.generalised.is_empty(), "{:?}", r.generalised);

    // Exact age as a QI splits the classes further (ages 34..39 within each class).
    let by_age = risk::compute(&engine, &["gender", "age", "country", "city"]).unwrap();
    let age_classes: usize = sizes.iter().map(|&s| s.min(6)).sum();
    assert_eq!(by_age.classes, age_classes as i64);
    // Country alone: three classes.
    let country = risk::compute(&engine, &["country"]).unwrap();
    let mut per_country = [0usize; 3];
    for (i, s) in sizes.iter().enumerate() {
        per_country[i % 3] += s;
    }
    assert_eq!(country.classes, 3);
    assert_eq!(country.k, Some(*per_country.iter().min().unwrap() as i64));
}

/// (gender, age_band, country, city) → count, from the stored rows.
fn class_sizes(engine: &Engine) -> HashMap<(String, String, String, String), i64> {
    engine
        .rows("SELECT gender, coalesce(age_band, '-'), country, city, count(*) FROM users GROUP BY ALL", [], |r| {
            Ok(((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?), r.get(4)?))
        })
        .unwrap()
        .into_iter()
        .collect()
}

#[test]
fn min_k_makes_every_class_hold_k_and_keeps_gender_and_registration() {
    let users = synthetic_users("min-k", 3000);
    let dir = tempfile::tempdir().unwrap();
    let input = write_ndjson(dir.path(), &users);
    for k in [2u32, 5, 25] {
        let lake = dir.path().join(format!("lake-{k}"));
        let engine = engine();
        let outcome = load(&engine, &input, &lake, LoadPrivacy { strict: false, min_k: Some(k) }).unwrap();
        assert_eq!(outcome.counts.written + outcome.counts.suppressed, users.len() as u64);
        report::open_users_view(&engine, &Destination::Local(lake)).unwrap();
        let sizes = class_sizes(&engine);
        let smallest = *sizes.values().min().unwrap();
        assert!(smallest >= k as i64, "k={k}: a class holds {smallest}");
        let r = risk::compute(&engine, &risk::DEFAULT_QI).unwrap();
        assert_eq!(r.k, Some(smallest));
        assert_eq!(r.below.k2, 0);
        assert_eq!(r.generalised.exact_age_removed, outcome.counts.written as i64);
        assert_eq!(engine.query_i64("SELECT count(*) FROM users WHERE age IS NOT NULL").unwrap(), 0);
        if outcome.counts.suppressed == 0 {
            // Gender split and registration dates, computed from the input.
            let mut want: HashMap<String, i64> = HashMap::new();
            for u in &users {
                *want.entry(u["gender"].as_str().unwrap().to_string()).or_default() += 1;
            }
            for (g, n) in want {
                let got = engine.query_i64(&format!("SELECT count(*) FROM users WHERE gender = '{g}'")).unwrap();
                assert_eq!(got, n, "k={k}: gender {g}");
            }
            let want_days: i64 = users
                .iter()
                .map(|u| {
                    let d = u["registered"]["date"].as_str().unwrap();
                    let t = time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339).unwrap();
                    (t.date() - time::Date::from_calendar_date(1970, time::Month::January, 1).unwrap()).whole_days()
                })
                .sum();
            let got_days = engine
                .query_i64("SELECT sum(date_diff('day', DATE '1970-01-01', registered_date)) FROM users")
                .unwrap();
            assert_eq!(got_days, want_days, "k={k}: registration dates changed");
        }
    }
}

/// Benchmark, not a timed test: the unknown-field check against the flatten step on 100,000
/// synthetic users. Run with
/// `cargo test --release --test privacy_steps -- --ignored --nocapture bench_unknown_field_check`.
#[test]
#[ignore]
fn bench_unknown_field_check() {
    let generator = duckpipe::pipeline::source::synthetic::Generator::new("bench", None, AS_OF).unwrap();
    let engine = engine();
    engine.set_variable("as_of", "TIMESTAMP '2026-11-25 00:00:00'").unwrap();
    engine.set_variable("loaded_at", "TIMESTAMPTZ '2026-11-25 00:00:00+00'").unwrap();
    let users: Vec<String> = (1..=20).flat_map(|page| generator.page(page, 5000)).collect();
    let t = std::time::Instant::now();
    let mut batches = duckpipe::pipeline::stage::Batches::new(&engine).unwrap();
    batches.push(users).unwrap();
    batches.finish().unwrap();
    let steps = t.elapsed();
    let t = std::time::Instant::now();
    duckpipe::pipeline::check::sample(&engine).unwrap();
    let unknown = duckpipe::pipeline::check::detect(&engine).unwrap();
    let check = t.elapsed();
    assert!(unknown.is_empty());
    println!("100000 users: stage step {steps:?}, unknown-field check {check:?}");
}

/// The generalisation order on a dataset small enough to work out by hand (K = 3).
#[test]
fn min_k_generalises_in_the_documented_order() {
    // (gender, country, city, nat, ages)
    let plan: [(&str, &str, &str, &str, &[i32]); 7] = [
        ("female", "Norway", "Oslo", "NO", &[31, 32, 33]), // a class of 3 already: untouched
        ("male", "Norway", "Oslo", "NO", &[25, 35, 36, 52]), // no band holds 3: together they are "20-59"
        ("female", "Norway", "Bergen", "NO", &[40, 41]),   // too small a city → "(other)" in Norway …
        ("female", "Norway", "Tromsø", "NO", &[70]),       // … together with this one: 3, bands 40-79
        ("male", "Spain", "Madrid", "ES", &[20]),          // too small a country → "(other)" …
        ("male", "Italy", "Rome", "IT", &[21, 60]),        // … with these: 3 men, "20-69"
        ("female", "Spain", "Madrid", "ES", &[44]),        // alone even in "(other)": suppressed
    ];
    let mut base = synthetic_users("order", 20).into_iter();
    let mut users = Vec::new();
    for (gender, country, city, nat, ages) in plan {
        for age in ages {
            let mut u = base.next().unwrap();
            u["gender"] = json!(gender);
            u["location"]["country"] = json!(country);
            u["location"]["city"] = json!(city);
            u["nat"] = json!(nat);
            u["dob"]["date"] = json!(format!("{}-01-15T00:00:00.000Z", 2026 - age));
            users.push(u);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let input = write_ndjson(dir.path(), &users);
    let lake = dir.path().join("lake");
    let engine = engine();
    let outcome = load(&engine, &input, &lake, LoadPrivacy { strict: false, min_k: Some(3) }).unwrap();
    assert_eq!(outcome.counts.suppressed, 1);
    assert_eq!(outcome.counts.written, users.len() as u64 - 1);
    report::open_users_view(&engine, &Destination::Local(lake)).unwrap();
    let got: Vec<(String, String, String, String, String, i64, i64)> = engine
        .rows(
            "SELECT gender, country, city, nat, age_band, count(*), count(age) FROM users GROUP BY ALL ORDER BY ALL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .unwrap();
    let row = |g: &str, c: &str, city: &str, nat: &str, band: &str, n: i64| {
        (g.to_string(), c.to_string(), city.to_string(), nat.to_string(), band.to_string(), n, 0)
    };
    assert_eq!(
        got,
        vec![
            row("female", "Norway", "(other)", "NO", "40-79", 3),
            row("female", "Norway", "Oslo", "NO", "30-39", 3),
            row("male", "(other)", "(other)", "(other)", "20-69", 3),
            row("male", "Norway", "Oslo", "NO", "20-59", 4),
        ]
    );
    let r = risk::compute(&engine, &risk::DEFAULT_QI).unwrap();
    assert_eq!(r.k, Some(3));
    assert_eq!(r.generalised.exact_age_removed, 13);
    assert_eq!(r.generalised.city_other, 3);
    assert_eq!(r.generalised.country_other, 3);
    let widened: Vec<(String, i64)> = r.generalised.widened_bands.iter().map(|b| (b.band.clone(), b.records)).collect();
    assert_eq!(widened, vec![("20-59".to_string(), 4), ("20-69".to_string(), 3), ("40-79".to_string(), 3)]);
}

/// A thin band borrows from its neighbour only the rows it needs (K = 3): one 19-year-old joins
/// the two youngest of the 20-29 band as "10-29"; the rest of that band keeps its label.
#[test]
fn min_k_widens_age_for_few_rows_not_for_the_band() {
    let ages = [19, 27, 21, 25, 28, 24, 22, 33, 35, 31, 38];
    let mut users = synthetic_users("lend", ages.len() as u32);
    for (u, age) in users.iter_mut().zip(ages) {
        u["gender"] = json!("female");
        u["location"]["country"] = json!("Norway");
        u["location"]["city"] = json!("Bergen");
        u["nat"] = json!("NO");
        u["dob"]["date"] = json!(format!("{}-01-15T00:00:00.000Z", 2026 - age));
    }
    let dir = tempfile::tempdir().unwrap();
    let input = write_ndjson(dir.path(), &users);
    let lake = dir.path().join("lake");
    let engine = engine();
    let outcome = load(&engine, &input, &lake, LoadPrivacy { strict: false, min_k: Some(3) }).unwrap();
    assert_eq!(outcome.counts.suppressed, 0);
    report::open_users_view(&engine, &Destination::Local(lake)).unwrap();
    let got: Vec<(String, i64)> = engine
        .rows("SELECT age_band, count(*) FROM users GROUP BY ALL ORDER BY ALL", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(got, [("10-29".to_string(), 3), ("20-29".to_string(), 4), ("30-39".to_string(), 4)]);
    // The two lent rows are the youngest of the band: 21 and 22.
    let lent: Vec<String> = engine.rows("SELECT city FROM users WHERE age_band = '10-29'", [], |r| r.get(0)).unwrap();
    assert_eq!(lent.len(), 3);
    let r = risk::compute(&engine, &risk::DEFAULT_QI).unwrap();
    assert_eq!(r.k, Some(3));
}

/// The classification covers exactly the fields the real recorded response and the synthetic
/// generator deliver: no field unclassified, no classified field that never occurs.
#[test]
fn classification_matches_the_delivered_shape() {
    fn leaves(prefix: &str, v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    leaves(&path, child, out);
                }
            }
            _ => {
                out.insert(prefix.to_string());
            }
        }
    }
    let classified: std::collections::BTreeSet<String> =
        duckpipe::schema::fields::FIELDS.iter().map(|f| f.path.to_string()).collect();
    for (name, users) in [("fixture", fixture_users()), ("synthetic", synthetic_users("shape", 3000))] {
        let mut seen = std::collections::BTreeSet::new();
        for u in &users {
            leaves("", u, &mut seen);
        }
        assert_eq!(seen, classified, "{name}: delivered leaf paths differ from src/privacy/fields.rs");
    }
}

/// A lake of many small objects is read once for a report (`users_view::read_once`); other
/// lakes are read by each question. Both must give the same report, risk included, over many
/// runs (the last repeating users of the first, so the latest-run rule is in the view).
#[test]
fn reading_the_lake_once_gives_the_same_report() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let dest = Destination::Local(lake.clone());
    let seeds: Vec<(String, u32)> = (0..report::READ_ONCE_OBJECTS).map(|i| (format!("s{i}"), 20)).collect();
    let runs = seeds.iter().map(|(s, n)| (s.as_str(), *n)).chain([("s0", 10)]);
    for (i, (seed, count)) in runs.enumerate() {
        let sub = dir.path().join(format!("in{i}"));
        std::fs::create_dir(&sub).unwrap();
        let input = write_ndjson(&sub, &synthetic_users(seed, count));
        load(&engine(), &input, &lake, LoadPrivacy::default()).unwrap();
    }
    let engine = engine();
    let records = report::open_users_view(&engine, &dest).unwrap();
    let per_question = duckpipe::analytics::compute(&engine, AS_OF, 5, None).unwrap();
    report::read_once(&engine, &dest, &records).unwrap();
    let held: i64 = engine.query_i64("SELECT count(*) FROM users_read_once").unwrap();
    let users = 20 * report::READ_ONCE_OBJECTS as i64;
    assert_eq!(held, users, "the rows of view users, each user once");
    let once = duckpipe::analytics::compute(&engine, AS_OF, 5, None).unwrap();
    assert_eq!(per_question, once);
    assert_eq!(once.users, users);
}
