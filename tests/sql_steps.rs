//! The SQL steps in `sql/`, run on the embedded engine with the real recorded API response
//! (v1.3, 50 users): flatten reads every field a later step uses with the right types, mask keeps only the
//! allowed columns with the right values, export writes encrypted Parquet that reads back only
//! with the key.

use base64::Engine as _;
use duckdb::params;
use duckpipe::engine::{Engine, sql};
use duckpipe::keys::{HmacKey, ParquetKey};
use duckpipe::masking::{Pseudonymizer, age_band, age_years};
use duckpipe::pipeline::export;
use duckpipe::schema::required;
use serde_json::Value;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ru13_050_mixed.json");

fn keys() -> (ParquetKey, HmacKey) {
    let b64 = base64::engine::general_purpose::STANDARD;
    (ParquetKey::parse(&b64.encode([9u8; 32])).unwrap(), HmacKey::parse(&b64.encode([5u8; 32])).unwrap())
}

fn fixture_users() -> Vec<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    doc["results"].as_array().unwrap().clone()
}

fn staged_engine(users: &[Value]) -> Engine {
    staged_engine_raw(&users.iter().map(Value::to_string).collect::<Vec<_>>())
}

/// Stages the given texts as they are (they need not be valid JSON) in `raw_users` and creates
/// the flatten view over them.
fn staged_engine_raw(docs: &[String]) -> Engine {
    let (pk, hk) = keys();
    let engine = Engine::open(&pk, Some(&hk)).unwrap();
    engine.run(&sql::RAW_USERS).unwrap();
    {
        let mut app = engine.appender("raw_users").unwrap();
        for doc in docs {
            app.append_row(params![doc, None::<&str>, None::<i64>]).unwrap();
        }
    }
    engine.run_all(sql::stage_steps_through(&sql::FLAT_USERS)).unwrap();
    engine
}

/// The stage step on `docs` (texts, or records as a source hands them on) in batches, as a load
/// runs it, with run id `run-1` and ages as of 2026-11-25; then the reject step with every field
/// required.
fn rejected_engine<R: Into<duckpipe::pipeline::source::Record>>(docs: Vec<R>) -> Engine {
    let engine = run_engine();
    let mut batches = duckpipe::pipeline::stage::Batches::new(&engine).unwrap();
    let n = docs.len() as u64;
    batches.push(docs).unwrap();
    assert_eq!(batches.finish().unwrap(), n);
    reject(&engine);
    engine
}

/// An engine with the run's variables: run id `run-1`, ages as of 2026-11-25.
fn run_engine() -> Engine {
    let (pk, hk) = keys();
    let engine = Engine::open(&pk, Some(&hk)).unwrap();
    engine.set_variable("run_id", "'run-1'").unwrap();
    engine.set_variable("as_of", "TIMESTAMP '2026-11-25 00:00:00'").unwrap();
    engine.set_variable("loaded_at", "TIMESTAMPTZ '2026-11-25 01:02:03+00'").unwrap();
    engine
}

/// The reject step over what is staged, with every field required.
fn reject(engine: &Engine) {
    duckpipe::pipeline::check::sample(engine).unwrap();
    engine.set_list("required", &required::paths()).unwrap();
    engine.run_all(&sql::REJECT_STEPS).unwrap();
}

/// Staged, flattened and masked: `masked_users` holds the users.
fn masked_engine(users: &[Value]) -> Engine {
    rejected_engine(users.iter().map(Value::to_string).collect())
}

#[test]
fn validate_rejects_each_kind_of_bad_record_with_its_reason() {
    let good = fixture_users();
    let mut docs: Vec<String> = good.iter().take(5).map(Value::to_string).collect();
    let mut expected: Vec<(i64, &str)> = Vec::new();
    let mut bad = |doc: String, reason: &'static str, docs: &mut Vec<String>| {
        expected.push((docs.len() as i64, reason));
        docs.push(doc);
    };
    let mut no_dob = good[0].clone();
    no_dob.as_object_mut().unwrap().remove("dob");
    let mut bad_date = good[1].clone();
    bad_date["registered"]["date"] = Value::from("last tuesday");
    let mut wrong_type = good[2].clone();
    wrong_type["location"] = Value::from("Paris");
    let mut two_problems = good[3].clone();
    two_problems.as_object_mut().unwrap().remove("email");
    two_problems["gender"] = Value::Null;
    bad("{\"gender\": \"female\", \"name\": ".to_string(), "not a valid JSON object", &mut docs);
    bad("[1, 2, 3]".to_string(), "not a valid JSON object", &mut docs);
    bad(no_dob.to_string(), "dob.date missing or not a date", &mut docs);
    bad(bad_date.to_string(), "registered.date missing or not a date", &mut docs);
    bad(wrong_type.to_string(), "location.country missing; location.city missing", &mut docs);
    bad(two_problems.to_string(), "email missing; gender missing", &mut docs);
    let engine = rejected_engine(docs);
    let got: Vec<(i64, String)> =
        engine.rows("SELECT seq, reason FROM rejected_users ORDER BY seq", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    let want: Vec<(i64, String)> = expected.iter().map(|(s, r)| (*s, r.to_string())).collect();
    assert_eq!(got, want);

    // A field group left out of `required` (absent from a whole inc= response) is not a fault.
    let without_dob: Vec<&str> = required::paths().into_iter().filter(|p| *p != "dob.date").collect();
    engine.set_list("required", &without_dob).unwrap();
    engine.run_all(&sql::REJECT_STEPS).unwrap();
    let reasons: Vec<String> = engine.rows("SELECT reason FROM rejected_users ORDER BY seq", [], |r| r.get(0)).unwrap();
    assert!(!reasons.iter().any(|r| r.contains("dob")), "{reasons:?}");
    assert_eq!(reasons.len(), expected.len() - 1);
}

/// Positions, rejections, data and the unknown-field report do not depend on how the users
/// were cut into batches — including an unknown field that only the first user has (the shape
/// every other user is compared with) and one that only the last user has.
#[test]
fn batches_keep_positions_and_results_whatever_their_size() {
    let users = synthetic_users(1000);
    let mut docs: Vec<String> = users.iter().map(Value::to_string).collect();
    let mut first = users[0].clone();
    first["location"]["foo"] = Value::from("bar");
    docs[0] = first.to_string();
    docs[3] = "{\"broken\": ".to_string();
    docs[500] = "[1]".to_string();
    let mut no_email = users[777].clone();
    no_email.as_object_mut().unwrap().remove("email");
    docs[777] = no_email.to_string();
    let mut last = users[999].clone();
    last["hobby"] = Value::from("chess");
    docs[999] = last.to_string();

    type Outcome = (Vec<(i64, String)>, Vec<String>, Vec<(String, u64)>);
    let outcome = |batch_rows: u64| -> Outcome {
        let engine = run_engine();
        let mut batches = duckpipe::pipeline::stage::Batches::with_batch_rows(&engine, batch_rows).unwrap();
        // Pages of 64 users, as a source hands them on.
        for page in docs.chunks(64) {
            batches.push(page.to_vec()).unwrap();
        }
        assert_eq!(batches.finish().unwrap(), 1000);
        reject(&engine);
        let rejected = engine
            .rows("SELECT seq, reason FROM rejected_users ORDER BY seq", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        let ids = engine.rows("SELECT user_id FROM masked_users", [], |r| r.get(0)).unwrap();
        duckpipe::pipeline::check::sample(&engine).unwrap();
        let unknown =
            duckpipe::pipeline::check::detect(&engine).unwrap().into_iter().map(|u| (u.path, u.records)).collect();
        (rejected, ids, unknown)
    };
    let one_batch = outcome(duckpipe::pipeline::stage::BATCH_ROWS);
    let want_rejected: Vec<(i64, String)> = vec![
        (3, "not a valid JSON object".into()),
        (500, "not a valid JSON object".into()),
        (777, "email missing".into()),
    ];
    assert_eq!(one_batch.0, want_rejected);
    assert_eq!(one_batch.1.len(), 997);
    let (_, hk) = keys();
    let p = Pseudonymizer::new(&hk);
    let want_ids: Vec<String> = users
        .iter()
        .enumerate()
        .filter(|(i, _)| ![3, 500, 777].contains(i))
        .map(|(_, u)| p.pseudonym(u["login"]["uuid"].as_str().unwrap()))
        .collect();
    assert_eq!(one_batch.1, want_ids, "the data keeps the arrival order");
    assert_eq!(one_batch.2, vec![("hobby".to_string(), 1), ("location.foo".to_string(), 1)]);
    for batch_rows in [1, 7, 64, 100, 999] {
        assert_eq!(outcome(batch_rows), one_batch, "batches of {batch_rows}");
    }
}

/// Dates become UTC timestamps whatever the offset they are written with; text that is not a
/// date becomes NULL (and the user a reject).
#[test]
fn flatten_reads_dates_as_utc_whatever_their_offset() {
    let base = fixture_users()[0].clone();
    let dated = |dob: &str| {
        let mut u = base.clone();
        u["dob"]["date"] = Value::from(dob);
        u.to_string()
    };
    let docs = vec![
        dated("1990-01-02T03:04:05.000Z"),
        dated("1990-01-02T03:04:05.000+02:00"),
        dated("1990-01-02T03:04:05-05:30"),
        dated("1990-01-02T03:04:05.123456Z"),
        dated("1990-01-02"),
        dated("2024-02-30T00:00:00Z"),
        dated("last tuesday"),
    ];
    let engine = staged_engine_raw(&docs);
    let got: Vec<Option<i64>> = engine.rows("SELECT epoch_us(dob_at) FROM flat_users", [], |r| r.get(0)).unwrap();
    let want = [
        Some(micros("1990-01-02T03:04:05Z")),
        Some(micros("1990-01-02T01:04:05Z")),
        Some(micros("1990-01-02T08:34:05Z")),
        Some(micros("1990-01-02T03:04:05.123456Z")),
        Some(micros("1990-01-02T00:00:00Z")),
        None,
        None,
    ];
    assert_eq!(got, want);
}

fn micros(s: &str) -> i64 {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap();
    (t.unix_timestamp_nanos() / 1000) as i64
}

fn synthetic_users(count: u32) -> Vec<Value> {
    let now = time::macros::datetime!(2026-11-25 00:00 UTC);
    let generator = duckpipe::pipeline::source::synthetic::Generator::new("flatten-test", None, now).unwrap();
    generator.page(1, count).iter().map(|u| serde_json::from_str(u).unwrap()).collect()
}

#[test]
fn flatten_keeps_every_field_typed_one_row_per_user() {
    check_flatten(&fixture_users());
}

#[test]
fn flatten_handles_synthetic_v14_users() {
    let users = synthetic_users(2000);
    check_flatten(&users);
}

fn check_flatten(users: &[Value]) {
    let engine = staged_engine(users);
    assert_eq!(engine.query_i64("SELECT count(*) FROM flat_users").unwrap(), users.len() as i64);
    // No nested type left.
    let nested = engine
        .query_i64("SELECT count(*) FROM (DESCRIBE flat_users) WHERE column_type LIKE '%STRUCT%' OR column_type LIKE '%[]%' OR column_type LIKE '%MAP%'")
        .unwrap();
    assert_eq!(nested, 0);
    // One row per user, in arrival order.
    type Row = (bool, String, String, String, String, String, String, i64, i64);
    let rows: Vec<Row> = engine
        .rows("SELECT parsed, email, login_uuid, gender, city, country, nat, epoch_us(dob_at), epoch_us(registered_at) FROM flat_users", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .unwrap();
    assert_eq!(rows.len(), users.len());
    for (i, (row, u)) in rows.iter().zip(users).enumerate() {
        assert!(row.0, "user {i} parsed");
        assert_eq!(row.1, u["email"].as_str().unwrap());
        assert_eq!(row.2, u["login"]["uuid"].as_str().unwrap());
        assert_eq!(row.3, u["gender"].as_str().unwrap());
        assert_eq!(row.4, u["location"]["city"].as_str().unwrap());
        assert_eq!(row.5, u["location"]["country"].as_str().unwrap());
        assert_eq!(row.6, u["nat"].as_str().unwrap());
        assert_eq!(row.7, micros(u["dob"]["date"].as_str().unwrap()), "dob kept as UTC");
        assert_eq!(row.8, micros(u["registered"]["date"].as_str().unwrap()), "registered kept as UTC");
    }
    // Every field flatten reads is one a later step uses: the kept fields of the classification.
    let kept: Vec<&str> = duckpipe::schema::fields::FIELDS
        .iter()
        .filter(|f| f.treatment != duckpipe::schema::fields::Treatment::Dropped)
        .map(|f| f.path)
        .collect();
    for path in &kept {
        assert!(sql::FLAT_USERS.text.contains(&format!("'$.{path}'")), "flatten reads {path}");
    }
}

#[test]
fn mask_projects_only_allowed_columns_with_correct_values() {
    let users = fixture_users();
    let engine = masked_engine(&users);

    let columns: Vec<(String, String)> = engine
        .rows("SELECT column_name, column_type FROM (DESCRIBE masked_users)", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    let expected = duckpipe::schema::output::COLUMNS;
    let got: Vec<(&str, &str)> = columns.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(got, expected);

    let (_, hk) = keys();
    let p = Pseudonymizer::new(&hk);
    let as_of = micros("2026-11-25T00:00:00Z");
    let rows: Vec<[Option<String>; 10]> = engine
        .rows("SELECT user_id, email_pseudonym, gender, age, age_band, CAST(registered_date AS VARCHAR), country, city, nat, run_id FROM masked_users", [], |r| {
            Ok([
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get::<_, Option<i32>>(3)?.map(|a| a.to_string()),
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ])
        })
        .unwrap();
    assert_eq!(rows.len(), users.len());
    for (row, u) in rows.iter().zip(&users) {
        let age = age_years(micros(u["dob"]["date"].as_str().unwrap()), as_of).unwrap();
        assert_eq!(row[0].as_deref(), Some(p.pseudonym(u["login"]["uuid"].as_str().unwrap()).as_str()));
        assert_eq!(row[1].as_deref(), Some(p.pseudonym(&u["email"].as_str().unwrap().to_lowercase()).as_str()));
        assert_eq!(row[2].as_deref(), u["gender"].as_str());
        assert_eq!(row[3], Some(age.to_string()));
        assert_eq!(row[4], age_band(age as i64));
        assert_eq!(row[5].as_deref(), Some(&u["registered"]["date"].as_str().unwrap()[..10]));
        assert_eq!(row[6].as_deref(), u["location"]["country"].as_str());
        assert_eq!(row[7].as_deref(), u["location"]["city"].as_str());
        assert_eq!(row[8].as_deref(), u["nat"].as_str());
        assert_eq!(row[9].as_deref(), Some("run-1"));
    }
}

#[test]
fn masking_functions_handle_null_and_odd_input_in_sql() {
    let (pk, hk) = keys();
    let engine = Engine::open(&pk, Some(&hk)).unwrap();
    type Nullable = (Option<String>, Option<String>, Option<String>, Option<i32>, Option<String>);
    let row: Nullable = engine
        .one(
            "SELECT pseudonym(NULL), mask_email(NULL), mask_phone(NULL), age_years(NULL, TIMESTAMP '2020-01-01'), age_band(NULL)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(row, (None, None, None, None, None));
    let row: (String, String, String, Option<i32>, Option<String>) = engine
        .one(
            "SELECT mask_email('jane.doe@example.com'), mask_email('nonsense'), mask_phone('(272) 790-0888'), \
             age_years(TIMESTAMP '2030-01-01', TIMESTAMP '2020-01-01'), age_band(-3)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(row, ("j***@example.com".into(), "***".into(), "(***) ***-**88".into(), None, None));
    // Vectorised over many rows, mixing NULLs, long and short (inline) strings: each row gets
    // its own value.
    let p = Pseudonymizer::new(&hk);
    let pairs: Vec<(Option<String>, Option<String>)> = engine
        .rows("SELECT v, pseudonym(v) FROM (SELECT CASE WHEN i % 7 = 0 THEN NULL ELSE repeat('x', (i % 40)::INT) || i END AS v FROM range(5000) t(i))", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(pairs.len(), 5000);
    for (v, ps) in pairs {
        assert_eq!(ps, v.map(|v| p.pseudonym(&v)));
    }
}

#[test]
fn export_is_encrypted_and_reads_back_only_with_the_key() {
    let users = fixture_users();
    let engine = masked_engine(&users);
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().to_string_lossy().to_string();
    engine
        .execute_batch(&export::export_sql(
            "masked_users",
            &run_dir,
            "a1",
            export::TARGET_OBJECT_BYTES,
            export::ROW_GROUP_ROWS,
        ))
        .unwrap();
    // A small load is one object.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["part-a1-0.parquet"]);
    let path = dir.path().join("part-a1-0.parquet").to_string_lossy().to_string();

    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[bytes.len() - 4..], b"PARE", "encrypted-footer Parquet magic");
    for u in &users {
        for needle in [u["email"].as_str().unwrap(), u["location"]["city"].as_str().unwrap()] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "plaintext found in the file");
        }
    }
    let read = format!(
        "SELECT count(*) FROM read_parquet({}, encryption_config = {{footer_key: 'duckpipe'}})",
        sql::quote(&path)
    );
    assert_eq!(engine.query_i64(&read).unwrap(), 50);
    // Another engine without the key cannot read it; with a different key it fails authentication.
    let b64 = base64::engine::general_purpose::STANDARD;
    let other = Engine::open(&ParquetKey::parse(&b64.encode([1u8; 32])).unwrap(), None).unwrap();
    let err = other.query_i64(&format!("SELECT count(*) FROM read_parquet({})", sql::quote(&path))).unwrap_err();
    assert!(err.to_string().contains("encrypted"), "{err}");
    let err = other.query_i64(&read).unwrap_err();
    assert!(err.to_string().contains("wrong DUCKPIPE_PARQUET_KEY"), "{err}");
}

#[test]
fn large_exports_become_several_encrypted_objects_that_all_read_back() {
    let users = synthetic_users(40_000);
    let engine = masked_engine(&users);
    let dir = tempfile::tempdir().unwrap();
    let run_dir = dir.path().join("users").join("run-1");
    std::fs::create_dir_all(&run_dir).unwrap();
    let run_dir = run_dir.to_string_lossy().to_string();
    // Small row groups and a tiny target so that 40,000 users need several objects.
    let written =
        export::copy(&engine, &export::export_sql("masked_users", &run_dir, "a1", 256 * 1024, 5_000)).unwrap();
    let exported = export::read_back(&engine, &written).unwrap();
    assert!(exported.objects.len() >= 2, "{:?}", exported.objects);
    assert_eq!(exported.rows, 40_000, "every object is counted");
    let mut on_disk: Vec<String> =
        std::fs::read_dir(&run_dir).unwrap().map(|e| e.unwrap().path().to_string_lossy().to_string()).collect();
    on_disk.sort_by_key(|p| p.len());
    assert_eq!(on_disk.len(), exported.objects.len());
    for (i, (object, _rows)) in exported.objects.iter().enumerate() {
        assert!(object.ends_with(&format!("/part-a1-{i}.parquet")), "{object}");
        let bytes = std::fs::read(object).unwrap();
        assert_eq!(&bytes[bytes.len() - 4..], b"PARE", "{object} has an encrypted footer");
        let city = users[0]["location"]["city"].as_str().unwrap();
        assert!(!bytes.windows(city.len()).any(|w| w == city.as_bytes()), "plaintext in {object}");
    }
    // Order is kept across objects: reading part-0, part-1, ... gives the masked rows in order.
    let expected = engine.query_i64("SELECT hash(string_agg(user_id, ',')) FROM masked_users").unwrap();
    let files: Vec<String> = exported.objects.iter().map(|(o, _)| sql::quote(o)).collect();
    let got = engine
        .query_i64(&format!(
            "SELECT hash(string_agg(user_id, ',' ORDER BY file_index, file_row_number)) FROM \
             (SELECT user_id, list_position([{}], filename) AS file_index, file_row_number \
              FROM read_parquet([{}], filename = true, file_row_number = true, encryption_config = {{footer_key: 'duckpipe'}}))",
            files.join(", "),
            files.join(", ")
        ))
        .unwrap();
    assert_eq!(got, expected);
    // A wrong key cannot read any of them.
    let b64 = base64::engine::general_purpose::STANDARD;
    let other = Engine::open(&ParquetKey::parse(&b64.encode([1u8; 32])).unwrap(), None).unwrap();
    assert!(export::read_back(&other, &written).is_err());
}

/// A record the source could not read (over the maximum record size, not UTF-8 text) is one
/// rejected record with its reason, whatever its text would parse to, and plays no part in the
/// shape checks; the users around it load.
#[test]
fn unreadable_records_are_rejected_with_their_problem() {
    use duckpipe::pipeline::source::{NOT_UTF8_REASON, Record, oversized_reason};
    let users = fixture_users();
    let mut records: Vec<Record> = users.iter().take(4).map(|u| Record::Text(u.to_string())).collect();
    // Its lossy text is a complete user with an unknown field: still rejected, and not sampled.
    let mut lossy = users[4].clone();
    lossy["name"]["first"] = Value::from("Secr\u{fffd}t");
    lossy["secret_field"] = Value::from(1);
    records.insert(1, Record::oversized(1000));
    records.insert(3, Record::not_utf8(lossy.to_string().as_bytes()));
    assert_eq!(records.len(), 6);
    let engine = rejected_engine(records);
    let got: Vec<(i64, String)> =
        engine.rows("SELECT seq, reason FROM rejected_users ORDER BY seq", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!(got, [(1, oversized_reason(1000)), (3, NOT_UTF8_REASON.to_string())]);
    assert_eq!(engine.query_i64("SELECT count(*) FROM masked_users").unwrap(), 4);
    let unknown = duckpipe::pipeline::check::detect(&engine).unwrap();
    assert!(unknown.is_empty(), "{:?}", unknown.iter().map(|u| &u.path).collect::<Vec<_>>());
}

/// DuckDB reading an NDJSON file itself quarantines a record over the maximum record size with
/// the same reason as the line reader, so both ways of reading the file give the same rejections.
#[test]
fn duckdb_reading_a_file_quarantines_oversized_records_like_the_line_reader() {
    use duckpipe::pipeline::source::file::FileSource;
    let users = fixture_users();
    let mut lines: Vec<String> = users.iter().take(6).map(Value::to_string).collect();
    let max = 4000u64;
    lines.insert(2, format!("{{\"name\": \"{}\"}}", "x".repeat(max as usize)));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.ndjson");
    std::fs::write(&path, lines.join("\n")).unwrap();
    let source = FileSource { path: path.clone(), max_record_bytes: max };
    let rejected = |duckdb: bool| {
        let engine = run_engine();
        let (_, received) = if duckdb {
            assert!(duckpipe::pipeline::source::Source::duckdb_file(&source).is_some());
            duckpipe::pipeline::stage::stage(&engine, &source, 5).unwrap()
        } else {
            duckpipe::pipeline::stage::stage_batches(&engine, &source, 5).unwrap()
        };
        assert_eq!(received, 7);
        reject(&engine);
        let doc_kept = engine.query_i64("SELECT count(doc) FROM staged_users WHERE problem IS NOT NULL").unwrap();
        assert_eq!(doc_kept, 0, "the oversized record's text is not kept");
        engine
            .rows("SELECT seq, reason FROM rejected_users ORDER BY seq", [], |r| Ok((r.get::<_, i64>(0)?, r.get(1)?)))
            .unwrap()
    };
    let by_duckdb: Vec<(i64, String)> = rejected(true);
    assert_eq!(by_duckdb, [(2, duckpipe::pipeline::source::oversized_reason(max))]);
    assert_eq!(rejected(false), by_duckdb);
}

#[test]
fn streamed_users_and_masked_users_have_the_same_columns() {
    // A streamed load writes streamed_users, then masked_users into the same run: one schema.
    let engine = masked_engine(&fixture_users());
    engine.run(&sql::STREAMED_USERS).unwrap();
    let describe = |relation: &str| -> Vec<(String, String)> {
        engine
            .rows(&format!("SELECT column_name, column_type FROM (DESCRIBE {relation})"), [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
    };
    let streamed = describe("streamed_users");
    assert_eq!(streamed.len(), 11);
    assert_eq!(streamed, describe("masked_users"));
}
