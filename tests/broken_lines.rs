//! Checks that decide on parsed data only (issue 13, item 1): a line that is not valid JSON is
//! quarantined before any shape, sample or type decision, and never stands for other users.
//!
//! The property test inserts broken lines — copies of real users with one invalid escape, raw
//! control character or bareword in a *dropped* field (which the shape scan alone cannot tell
//! from the user it copies), truncated objects, arrays, garbage — at arbitrary places, the first
//! line included, and checks that the unknown-field report, the kept-field type checks, the
//! delivered-groups rule, the rejections of the other lines and the users written stay exactly
//! what they are without them.

use base64::Engine as _;
use duckpipe::engine::Engine;
use duckpipe::keys::{HmacKey, ParquetKey};
use duckpipe::pipeline::{check, reject, stage};
use proptest::prelude::*;
use serde_json::{Value, json};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ru13_050_mixed.json");

fn fixture_users() -> Vec<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    doc["results"].as_array().unwrap().clone()
}

/// What a run decides, for the lines that are not broken (by their position among those lines).
#[derive(Debug, PartialEq)]
struct Verdict {
    /// `Err(message)` when the checks refuse the load.
    unknown_fields: Result<Vec<(String, u64, Option<String>)>, String>,
    rejections: Vec<(usize, String)>,
    absent_groups: Vec<String>,
    written: Vec<String>,
}

/// Stages `lines` as the file source's line reader hands them on (batches of 7), then runs the
/// run-level checks. `broken[i]`: line i is one of the inserted broken lines.
fn verdict(lines: &[String], broken: &[bool]) -> Verdict {
    let b64 = base64::engine::general_purpose::STANDARD;
    let engine = Engine::open(
        &ParquetKey::parse(&b64.encode([9u8; 32])).unwrap(),
        Some(&HmacKey::parse(&b64.encode([5u8; 32])).unwrap()),
    )
    .unwrap();
    engine.set_variable("run_id", "'run-1'").unwrap();
    engine.set_variable("as_of", "TIMESTAMP '2026-11-25 00:00:00'").unwrap();
    engine.set_variable("loaded_at", "TIMESTAMPTZ '2026-11-25 00:00:00+00'").unwrap();
    let mut batches = stage::Batches::with_batch_rows(&engine, 7).unwrap();
    for page in lines.chunks(5) {
        batches.push(page.to_vec()).unwrap();
    }
    let received = batches.finish().unwrap();
    check::sample(&engine).unwrap();
    let unknown_fields = check::check(&engine, false)
        .map(|u| u.into_iter().map(|u| (u.path, u.records, u.shape)).collect())
        .map_err(|e| format!("{e:#}"));
    let validation = reject::validate(&engine, received, 1.0).unwrap();
    // Positions among the lines that are not broken.
    let original: Vec<Option<usize>> = {
        let mut n = 0;
        broken
            .iter()
            .map(|b| {
                if *b {
                    None
                } else {
                    n += 1;
                    Some(n - 1)
                }
            })
            .collect()
    };
    let mut rejections = Vec::new();
    let rows: Vec<(i64, String)> =
        engine.rows("SELECT seq, reason FROM rejected_users ORDER BY seq", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    for (seq, reason) in rows {
        match original[seq as usize] {
            Some(i) => rejections.push((i, reason)),
            None => assert_eq!(reason, "not a valid JSON object", "a broken line was judged on its content"),
        }
    }
    let quarantined_broken = broken.iter().filter(|b| **b).count() as u64;
    let written: Vec<String> = engine.rows("SELECT user_id FROM masked_users", [], |r| r.get(0)).unwrap();
    assert_eq!(
        validation.quarantined,
        rejections.len() as u64 + quarantined_broken,
        "every broken line is quarantined"
    );
    Verdict { unknown_fields, rejections, absent_groups: validation.absent_groups, written }
}

/// A copy of `user` with `name.first` replaced by `token` as raw text: a dropped field, so the
/// copy has the user's shape for a byte scan that does not check JSON syntax.
fn broken_copy(user: &Value, token: &str) -> String {
    let mut copy = user.clone();
    copy["name"]["first"] = Value::from("PLACEHOLDER-0");
    copy.to_string().replace("\"PLACEHOLDER-0\"", token)
}

/// Tokens that make a line invalid JSON (for DuckDB's parser) without changing its structure.
const BAD_TOKENS: [&str; 7] = ["\"Ann\\qa\"", "\"Ann\u{1}a\"", "Anna", "\"Ann\\u12\"", "01", "'Anna'", "tru"];

/// The base users, each with something a check must see: an unclassified field, a kept field of
/// the wrong type, a user without an identity field; `structure`: one more whose kept field holds
/// an object (the load is then refused).
fn base(structure: bool) -> Vec<Value> {
    let mut users = fixture_users();
    users[1]["ssn"] = json!("123-45-6789");
    users[2]["gender"] = json!(5);
    users[3]["login"].as_object_mut().unwrap().remove("uuid");
    users[4]["location"]["country"] = json!(true);
    if structure {
        users[5]["location"]["city"] = json!({"name": "Jane Roe", "phone": "555-0100"});
    }
    users
}

fn with_broken(users: &[Value], inserts: &[(usize, usize, usize)]) -> (Vec<String>, Vec<bool>) {
    let mut lines: Vec<(String, bool)> = users.iter().map(|u| (u.to_string(), false)).collect();
    for &(at, source, token) in inserts {
        let text = match token % 10 {
            7 => "{\"gender\": \"female\", \"name\": ".to_string(),
            8 => "[1, 2, 3]".to_string(),
            9 => "not json at all".to_string(),
            _ => broken_copy(&users[source % users.len()], BAD_TOKENS[token % BAD_TOKENS.len()]),
        };
        let at = at % (lines.len() + 1);
        lines.insert(at, (text, true));
    }
    lines.into_iter().unzip()
}

#[test]
fn a_broken_first_line_that_copies_the_common_shape_changes_nothing() {
    for structure in [false, true] {
        let users = base(structure);
        let (lines, broken) = with_broken(&users, &[]);
        let want = verdict(&lines, &broken);
        // The reproduced attack: broken copies of the first user (the common shape), of the user
        // with an unclassified field and of the user with an object as city, first in the file.
        let (lines, broken) = with_broken(&users, &[(0, 0, 0), (0, 1, 1), (0, 5, 2), (30, 3, 3)]);
        assert_eq!(verdict(&lines, &broken), want, "structure: {structure}");
        if structure {
            assert!(want.unknown_fields.as_ref().unwrap_err().contains("location.city (holds an object, 1 user)"));
        } else {
            assert_eq!(want.unknown_fields, Ok(vec![("ssn".into(), 1, None)]));
            assert_eq!(
                want.rejections,
                vec![
                    (2, "gender is a number, not a string".into()),
                    (3, "login.uuid missing".into()),
                    (4, "location.country is a boolean, not a string".into())
                ]
            );
            assert!(want.absent_groups.is_empty());
            assert_eq!(want.written.len(), users.len() - 3);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn broken_lines_anywhere_never_change_the_verdict(
        structure in any::<bool>(),
        inserts in prop::collection::vec((0usize..200, 0usize..50, 0usize..100), 1..8),
    ) {
        let users = base(structure);
        let (lines, broken) = with_broken(&users, &[]);
        let want = verdict(&lines, &broken);
        let (lines, broken) = with_broken(&users, &inserts);
        prop_assert_eq!(verdict(&lines, &broken), want);
    }
}
