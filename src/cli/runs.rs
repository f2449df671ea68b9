//! `duckpipe runs`: the complete runs at a destination, the orphans, or a full verification.

use serde::Serialize;

use super::args::{Format, RunsAction, RunsArgs};
use super::output::{print_json, print_text};
use super::settings::{self, Env};
use crate::analytics::text::table;
use crate::engine::sql::KeyName;
use crate::engine::{Engine, EngineError};
use crate::keys::ParquetKey;
use crate::lake::integrity::{self, Survey};
use crate::lake::{self, Destination, objects, verify};

#[derive(Serialize)]
struct Orphan {
    path: String,
    bytes: u64,
}

#[derive(Serialize)]
struct Verified {
    run_id: String,
    path: String,
    kind: String,
    ok: bool,
    problem: Option<String>,
}

/// `runs --verify`: every invariant of the records, and every object of every complete run
/// checked against its record (size, rows) and fully decrypted. Exit 4 when anything fails.
fn verify_runs(engine: &Engine, dest: &Destination, survey: Survey, format: Format) -> anyhow::Result<()> {
    let Survey { records, mut findings, .. } = survey;
    let mine = engine.parquet_fingerprint();
    if !records.is_empty() && records.iter().all(|r| r.keys.parquet != mine) {
        verify::check_key(engine, &records)?;
    }
    let mut results = Vec::new();
    for record in &records {
        if record.keys.parquet != mine {
            findings.push(integrity::finding(
                format!("run {}", record.run_id),
                "was written with another Parquet key than yours: its objects were not checked",
            ));
            continue;
        }
        for object in &record.objects {
            // A path that leaves the run's folder is a finding already; it is never opened.
            if integrity::object_path_problem(record, object).is_some() {
                continue;
            }
            let file = dest.resolve(&object.path);
            let quarantine = object.kind == "quarantine";
            // Purged quarantine is gone on purpose; analysts verify without the quarantine key,
            // and its objects are not theirs to read.
            let skipped = match &object.purged_at {
                Some(when) => Some(format!("purged {when}")),
                None if quarantine && engine.quarantine_fingerprint().is_none() => {
                    Some("not checked: DUCKPIPE_QUARANTINE_KEY is not set".to_string())
                }
                None => None,
            };
            if let Some(note) = skipped {
                results.push(Verified {
                    run_id: record.run_id.clone(),
                    path: object.path.clone(),
                    kind: object.kind.clone(),
                    ok: true,
                    problem: Some(note),
                });
                continue;
            }
            let problem = objects::check_size(engine, &file, object.bytes)
                .and_then(|()| {
                    if quarantine {
                        check_rows(engine, KeyName::Quarantine, &file, object.rows)
                            .and_then(|()| verify::verify_quarantine_object(engine, &file))
                    } else {
                        check_rows(engine, KeyName::Data, &file, object.rows)
                            .and_then(|()| verify::verify_object(engine, &file))
                    }
                })
                .err();
            results.push(Verified {
                run_id: record.run_id.clone(),
                path: object.path.clone(),
                kind: object.kind.clone(),
                ok: problem.is_none(),
                problem,
            });
        }
    }
    let damaged = results.iter().filter(|v| !v.ok).count();
    match format {
        Format::Json => print_json(&serde_json::json!({
            "dest": dest.to_string(), "objects": results, "damaged": damaged, "findings": findings
        }))?,
        Format::Text => {
            let rows: Vec<Vec<String>> = results
                .iter()
                .map(|v| {
                    vec![
                        v.run_id.clone(),
                        v.path.clone(),
                        v.kind.clone(),
                        v.problem.clone().unwrap_or_else(|| "ok".into()),
                    ]
                })
                .collect();
            let mut out = format!(
                "Verified {} objects at {dest}: {damaged} damaged\n{}",
                results.len(),
                table(&["run", "object", "kind", "status"], 4, &rows)
            );
            if !findings.is_empty() {
                out.push_str(&format!(
                    "\n{} problem{} with the run records:\n",
                    findings.len(),
                    plural(findings.len())
                ));
                for f in &findings {
                    out.push_str(&format!("  {f}\n"));
                }
            }
            print_text(&out)?;
        }
    }
    if damaged > 0 || !findings.is_empty() {
        return Err(EngineError(format!(
            "{damaged} of {} objects failed verification; {} problem{} with the run records",
            results.len(),
            findings.len(),
            plural(findings.len())
        ))
        .into());
    }
    Ok(())
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// An object holds the rows its record states (its footer, read under `key`).
fn check_rows(engine: &Engine, key: KeyName, file: &str, expected: u64) -> Result<(), String> {
    let rows =
        integrity::object_rows_keyed(engine, key, &[file.to_string()]).map_err(|e| format!("cannot be read: {e}"))?;
    match rows.get(file).copied().unwrap_or(0) {
        held if held == expected => Ok(()),
        held => Err(format!("holds {held} rows but its run record says {expected}")),
    }
}

pub fn run(args: RunsArgs, env: &Env) -> anyhow::Result<()> {
    match args.action {
        Some(RunsAction::PurgeQuarantine(purge)) => return super::quarantine::purge(purge, env),
        Some(RunsAction::Drop(a)) => return super::lifecycle::drop(a, env),
        Some(RunsAction::Gc(a)) => return super::lifecycle::gc(a, env),
        None => {}
    }
    let dest = settings::dest(&args.dest, env)?.value;
    // Run records hold no key; listing needs none (the engine gets a throw-away one), verifying
    // needs the real one.
    let key = if args.verify { settings::parquet_key(env)? } else { ParquetKey::ephemeral() };
    let engine = lake::open(&dest, &key, None, false)?;
    if args.verify
        && let Some(quarantine) = settings::quarantine_key(env)?
    {
        engine.add_quarantine_key(&quarantine)?;
    }
    let survey = integrity::survey(&engine, &dest)?;
    if args.verify {
        return verify_runs(&engine, &dest, survey, args.format);
    }
    if args.orphans {
        // What is safe to delete is known only when every record is sound.
        integrity::refuse(&dest, &survey.findings)?;
        let orphans: Vec<Orphan> = objects::orphans(&engine, &dest, &survey.all())?
            .into_iter()
            .map(|(path, bytes)| Orphan { path, bytes })
            .collect();
        return match args.format {
            Format::Json => print_json(&serde_json::json!({ "dest": dest.to_string(), "orphans": orphans })),
            Format::Text if orphans.is_empty() => print_text(&format!("No orphaned objects at {dest}.\n")),
            Format::Text => {
                let mut out = format!(
                    "Objects at {dest} that no complete run names (left by failed or killed loads; safe to delete when no load is running):\n"
                );
                for o in &orphans {
                    out.push_str(&format!("  {}  ({} bytes)\n", o.path, o.bytes));
                }
                print_text(&out)
            }
        };
    }
    let Survey { records, findings, .. } = survey;
    if !findings.is_empty() {
        tracing::warn!(
            "{} problem{} with the run records at {dest}: readers refuse the lake until they are fixed (`duckpipe runs --verify` lists them)",
            findings.len(),
            plural(findings.len())
        );
    }
    match args.format {
        Format::Json => {
            print_json(&serde_json::json!({ "dest": dest.to_string(), "runs": records, "findings": findings }))
        }
        Format::Text if records.is_empty() => print_text(&format!("No complete runs at {dest}.\n")),
        Format::Text => {
            let rows: Vec<Vec<String>> = records
                .iter()
                .map(|r| {
                    vec![
                        r.run_id.clone(),
                        r.finished_at.clone(),
                        r.source.kind.clone(),
                        r.counts.received.to_string(),
                        r.counts.written.to_string(),
                        r.counts.quarantined.to_string(),
                        r.counts.suppressed.to_string(),
                        r.objects.len().to_string(),
                    ]
                })
                .collect();
            let table = table(
                &["run", "finished", "source", "received", "written", "quarantined", "suppressed", "objects"],
                3,
                &rows,
            );
            let mut out = format!("Complete runs at {dest}:\n{table}");
            // Where the data of rewritten runs came from: the loads in each rewrite's lineage.
            for r in records.iter().filter(|r| r.rewrite.is_some()) {
                let loads: Vec<String> = r
                    .origins()
                    .iter()
                    .map(|o| {
                        format!(
                            "{} ({}, seed {}, {} written)",
                            o.run_id,
                            o.source.kind,
                            o.source.seed.as_deref().unwrap_or("-"),
                            o.counts.written
                        )
                    })
                    .collect();
                out.push_str(&format!("  {} holds the rows of: {}\n", r.run_id, loads.join(", ")));
            }
            print_text(&out)
        }
    }
}
