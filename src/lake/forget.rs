//! `forget`: erases people — every row of theirs in the data (matched by their keyed pseudonyms,
//! computed with the same HMAC the masking uses) and every record of theirs in the quarantine
//! (matched on the raw record) — by one rewrite of only the objects that hold them, deletes the
//! orphans of failed loads that hold them, and appends an erasure entry to the audit log that
//! holds no identifier and no pseudonym.

use std::collections::{BTreeSet, HashMap};

use super::audit::{self, Erasure};
use super::lock::Lock;
use super::record::ObjectEntry;
use super::rewrite::{self, Part, Plan, Rewritten};
use super::{Destination, RunRecord, integrity, lifecycle, objects, verify};
use crate::engine::{Engine, sql};
use crate::keys::HmacKey;
use crate::masking::Pseudonymizer;

/// Who to forget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    Email(String),
    Uuid(String),
}

/// What `forget` did (no identifier in it).
#[derive(Debug, serde::Serialize)]
pub struct Forgotten {
    pub rows_removed: u64,
    pub quarantine_rows_removed: u64,
    pub orphans_removed: usize,
    pub runs_touched: Vec<String>,
    pub record: Option<String>,
    /// Bytes of the objects rewritten, and of the objects written in their place.
    pub bytes_read: u64,
    pub bytes_written: u64,
    pub audit_entry: String,
    pub warnings: Vec<String>,
}

/// The pseudonyms the data holds for these people: `pseudonym(lower(trim(email)))` and
/// `pseudonym(login_uuid)` as `sql/stage/masked_rows.sql` computes them (the uuid also as
/// lowercase, in case it was typed differently).
pub fn pseudonyms(key: &HmacKey, who: &[Identifier]) -> Vec<String> {
    let p = Pseudonymizer::new(key);
    let mut out = BTreeSet::new();
    for id in who {
        match id {
            Identifier::Email(e) => {
                out.insert(p.pseudonym(&e.trim().to_lowercase()));
            }
            Identifier::Uuid(u) => {
                out.insert(p.pseudonym(u.trim()));
                out.insert(p.pseudonym(&u.trim().to_lowercase()));
            }
        }
    }
    out.into_iter().collect()
}

/// The texts a raw quarantined record of these people contains (lowercase).
fn needles(who: &[Identifier]) -> Vec<String> {
    let set: BTreeSet<String> = who
        .iter()
        .map(|id| match id {
            Identifier::Email(e) | Identifier::Uuid(e) => e.trim().to_lowercase(),
        })
        .filter(|n| !n.is_empty())
        .collect();
    set.into_iter().collect()
}

pub fn forget(
    engine: &Engine,
    dest: &Destination,
    lock: &Lock,
    key: &HmacKey,
    who: &[Identifier],
) -> anyhow::Result<Forgotten> {
    let (survey, mut warnings) = lifecycle::prepare(engine, dest)?;
    let records = survey.records;
    if let Some(r) = records.iter().find(|r| r.keys.hmac != key.fingerprint()) {
        return Err(crate::error::UsageError(format!(
            "DUCKPIPE_HMAC_KEY is not the key run {} was written with (fingerprint {}…, yours {}…): the pseudonyms would match nobody; nothing was removed",
            r.run_id,
            integrity::short(&r.keys.hmac),
            integrity::short(&key.fingerprint())
        ))
        .into());
    }
    verify::check_key(engine, &records)?;
    let pseudonyms = pseudonyms(key, who);
    let needles = needles(who);
    let refs: Vec<&str> = pseudonyms.iter().map(String::as_str).collect();
    engine.set_list("forget_pseudonyms", &refs)?;
    let refs: Vec<&str> = needles.iter().map(String::as_str).collect();
    engine.set_list("forget_needles", &refs)?;

    let data_hits = hits(engine, dest, &records, "data")?;
    let quarantine_hits = hits(engine, dest, &records, "quarantine")?;
    let touched: Vec<RunRecord> = records
        .iter()
        .filter(|r| r.objects.iter().any(|o| data_hits.contains_key(&o.path) || quarantine_hits.contains_key(&o.path)))
        .cloned()
        .collect();
    let runs_touched: Vec<String> = touched.iter().map(|r| r.run_id.clone()).collect();
    let mut result: Option<Rewritten> = None;
    if !touched.is_empty() {
        let plan = Plan {
            operation: "forget",
            keys: touched[0].keys.clone(),
            inputs: touched,
            data: Part {
                objects: data_hits.keys().cloned().collect(),
                transform: Some((&sql::FORGET_DATA, "forget_data_kept")),
            },
            quarantine: Part {
                objects: quarantine_hits.keys().cloned().collect(),
                transform: Some((&sql::FORGET_QUARANTINE, "forget_quarantine_kept")),
            },
            target_bytes: rewrite::TARGET_OBJECT_BYTES,
            read_key: sql::KeyName::Data,
            quarantine_read_key: sql::KeyName::Quarantine,
            quarantine_write_key: sql::KeyName::Quarantine,
        };
        let done = rewrite::rewrite(engine, dest, lock, plan)?;
        warnings.extend(done.warnings.iter().cloned());
        result = Some(done);
    }
    let orphans_removed = remove_orphans_holding(engine, dest, &mut warnings)?;
    // The transforms remove exactly the rows the hits counted.
    let rows_removed: u64 = data_hits.values().sum();
    let quarantine_rows_removed: u64 = quarantine_hits.values().sum();
    let entry = Erasure {
        operation: "forget",
        time: audit::now(),
        identifiers: who.len(),
        rows_removed,
        quarantine_rows_removed,
        orphans_removed,
        runs_touched: runs_touched.clone(),
        record: result.as_ref().map(|r| r.record.run_id.clone()),
    };
    let audit_entry = audit::append(dest, &entry)?;
    tracing::info!(rows_removed, quarantine_rows_removed, runs = runs_touched.len(), "erasure done");
    Ok(Forgotten {
        rows_removed,
        quarantine_rows_removed,
        orphans_removed,
        runs_touched,
        record: entry.record,
        bytes_read: result.as_ref().map_or(0, |r| r.bytes_read),
        bytes_written: result.as_ref().map_or(0, |r| r.bytes_written),
        audit_entry,
        warnings,
    })
}

/// The objects of `kind` (relative paths) of `records` that hold the people in the session's
/// variables, with how many of their rows.
fn hits(
    engine: &Engine,
    dest: &Destination,
    records: &[RunRecord],
    kind: &str,
) -> anyhow::Result<HashMap<String, u64>> {
    // A purged quarantine object (`runs purge-quarantine`) is gone already.
    let entries: Vec<&ObjectEntry> =
        records.iter().flat_map(|r| &r.objects).filter(|o| o.kind == kind && o.purged_at.is_none()).collect();
    let files: Vec<String> = entries.iter().map(|o| dest.resolve(&o.path)).collect();
    let bytes: u64 = entries.iter().map(|o| o.bytes).sum();
    let _ticker = crate::progress::Ticker::for_stderr(
        "forget",
        format!("searching {} {kind} objects ({}) for the people", files.len(), crate::numbers::bytes(bytes)),
    );
    hits_in(engine, dest, &files, kind)
}

fn hits_in(engine: &Engine, dest: &Destination, files: &[String], kind: &str) -> anyhow::Result<HashMap<String, u64>> {
    if files.is_empty() {
        return Ok(HashMap::new());
    }
    let quoted: Vec<String> = files.iter().map(|f| sql::quote(f)).collect();
    let list = format!("[{}]", quoted.join(", "));
    let query = if kind == "data" {
        sql::FORGET_DATA_HITS.fill(&[("objects", &list)])
    } else {
        sql::FORGET_QUARANTINE_HITS
            .fill(&[("objects", &list), ("read_key", &sql::quote(sql::KeyName::Quarantine.name()))])
    };
    let rows: Vec<(String, i64)> = engine.rows(&query, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.into_iter().map(|(f, n)| (dest.relative(&f), n as u64)).collect())
}

/// Deletes the orphaned Parquet objects (of failed loads) that hold the people; an orphan that
/// cannot be read is named in a warning (`runs gc` deletes it).
fn remove_orphans_holding(engine: &Engine, dest: &Destination, warnings: &mut Vec<String>) -> anyhow::Result<usize> {
    let survey = integrity::survey(engine, dest)?;
    let mut removed = 0;
    for (rel, _) in objects::orphans(engine, dest, &survey.all())? {
        let kind = if rel.starts_with("users/") { "data" } else { "quarantine" };
        if !rel.ends_with(".parquet") || rel.starts_with("runs/") {
            continue;
        }
        match hits_in(engine, dest, &[dest.resolve(&rel)], kind) {
            Ok(h) if h.is_empty() => {}
            Ok(_) => {
                objects::delete(dest, &rel)?;
                removed += 1;
            }
            Err(_) => warnings.push(format!(
                "orphan {rel} cannot be read, so whether it holds them is unknown: delete it (`duckpipe runs gc`)"
            )),
        }
    }
    Ok(removed)
}
