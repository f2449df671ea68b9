//! `duckpipe runs`: the complete runs at a destination, the orphans, or a full verification.

use serde::Serialize;

use super::args::{Format, RunsArgs};
use super::output::{print_json, print_text};
use super::settings;
use crate::analytics::text::table;
use crate::engine::{Engine, EngineError};
use crate::keys::ParquetKey;
use crate::lake::{self, Destination, RunRecord, objects, record, verify};

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

/// `runs --verify`: every object of every complete run, fully decrypted. Exit 4 when any fails.
fn verify_runs(engine: &Engine, dest: &Destination, records: &[RunRecord], format: Format) -> anyhow::Result<()> {
    verify::check_key(engine, records)?;
    let mut results = Vec::new();
    for record in records {
        for object in &record.objects {
            let file = dest.resolve(&object.path);
            let problem = objects::check_size(engine, &file, object.bytes)
                .and_then(|()| verify::verify_object(engine, &file))
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
        Format::Json => {
            print_json(&serde_json::json!({ "dest": dest.to_string(), "objects": results, "damaged": damaged }))?
        }
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
            print_text(&format!(
                "Verified {} objects at {dest}: {damaged} damaged\n{}",
                results.len(),
                table(&["run", "object", "kind", "status"], 4, &rows)
            ))?;
        }
    }
    if damaged > 0 {
        return Err(EngineError(format!("{damaged} of {} objects failed verification", results.len())).into());
    }
    Ok(())
}

pub fn run(args: RunsArgs) -> anyhow::Result<()> {
    let dest = args.dest.dest;
    // Run records hold no key; listing needs none (the engine gets a throw-away one), verifying
    // needs the real one.
    let key = if args.verify { settings::parquet_key()? } else { ParquetKey::ephemeral() };
    let engine = lake::open(&dest, &key, None, false)?;
    let records = record::list(&engine, &dest)?;
    if args.verify {
        return verify_runs(&engine, &dest, &records, args.format);
    }
    if args.orphans {
        let orphans: Vec<Orphan> = objects::orphans(&engine, &dest, &records)?
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
    match args.format {
        Format::Json => print_json(&serde_json::json!({ "dest": dest.to_string(), "runs": records })),
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
            print_text(&format!("Complete runs at {dest}:\n{table}"))
        }
    }
}
