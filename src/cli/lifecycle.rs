//! `forget`, `compact`, `rekey`, `runs drop` and `runs gc`: the lake's rewrites (src/lake/rewrite.rs),
//! each under the rewrite lock, each printing what it did (text or one JSON object) and never a
//! data value, an identifier or a key.

use std::time::Duration;

use super::args::{CompactArgs, DropArgs, ForgetArgs, Format, GcArgs, RekeyArgs, RewriteArgs};
use super::output::{print_json, print_text};
use super::runs::plural;
use super::settings::{self, Env};
use crate::error::UsageError;
use crate::keys::ParquetKey;
use crate::lake::forget::Identifier;
use crate::lake::{self, Destination, compact, drop_runs, forget, gc, integrity, lock, rekey};

fn take_lock(dest: &Destination, operation: &str, args: &RewriteArgs) -> anyhow::Result<lock::Lock> {
    lock::acquire(dest, operation, Duration::from_secs(args.lock_timeout))
}

fn warnings_text(warnings: &[String]) -> String {
    warnings.iter().map(|w| format!("warning: {w}\n")).collect()
}

pub fn drop(args: DropArgs, env: &Env) -> anyhow::Result<()> {
    let dest = settings::dest(&args.dest, env)?.value;
    // Records and objects only: nothing is decrypted.
    let engine = lake::open(&dest, &ParquetKey::ephemeral(), None, false)?;
    let lock = take_lock(&dest, "runs drop", &args.rewrite)?;
    let dropped = drop_runs::drop_runs(&engine, &dest, &lock, &args.run_ids)?;
    match args.rewrite.format {
        Format::Json => print_json(&serde_json::json!({ "dest": dest.to_string(), "dropped": dropped })),
        Format::Text => print_text(&format!(
            "Dropped {} run{} from {dest} ({}): {} rows, {} objects removed\n{}",
            dropped.runs.len(),
            plural(dropped.runs.len()),
            dropped.runs.join(", "),
            dropped.rows_removed,
            dropped.objects_removed,
            warnings_text(&dropped.warnings)
        )),
    }
}

pub fn gc(args: GcArgs, env: &Env) -> anyhow::Result<()> {
    let dest = settings::dest(&args.dest, env)?.value;
    let engine = lake::open(&dest, &ParquetKey::ephemeral(), None, false)?;
    let lock = take_lock(&dest, "runs gc", &args.rewrite)?;
    let collected = gc::collect(&engine, &dest, &lock, args.older_than, args.quarantine_retention)?;
    match args.rewrite.format {
        Format::Json => print_json(&serde_json::json!({ "dest": dest.to_string(), "gc": collected })),
        Format::Text => {
            let bytes: u64 = collected.removed.iter().map(|r| r.bytes).sum();
            let mut out = format!(
                "Deleted {} orphaned object{} ({bytes} bytes) at {dest}; {} younger than {}s kept\n",
                collected.removed.len(),
                plural(collected.removed.len()),
                collected.kept_young,
                args.older_than.whole_seconds()
            );
            for r in &collected.removed {
                out.push_str(&format!("  {}  ({} bytes)\n", r.path, r.bytes));
            }
            if let Some(age) = args.quarantine_retention.0 {
                let n = collected.quarantine_purged.len();
                out.push_str(&format!(
                    "Deleted {n} quarantine object{} of runs finished more than {} ago (the retention)\n",
                    plural(n),
                    age_days(age)
                ));
                for p in &collected.quarantine_purged {
                    out.push_str(&format!("  {}  {} ({} records)\n", p.run_id, p.path, p.rows));
                }
            }
            out.push_str(&warnings_text(&collected.warnings));
            print_text(&out)
        }
    }
}

/// The identifiers of `forget`: the flags, then the file's lines. Never printed.
fn identifiers(args: &ForgetArgs) -> anyhow::Result<Vec<Identifier>> {
    let mut who: Vec<Identifier> = args.email.iter().map(|e| Identifier::Email(e.clone())).collect();
    who.extend(args.uuid.iter().map(|u| Identifier::Uuid(u.clone())));
    if let Some(path) = &args.from_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("--from-file {}: cannot read it: {}", path.display(), e.kind())))?;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            who.push(if line.contains('@') { Identifier::Email(line.into()) } else { Identifier::Uuid(line.into()) });
        }
    }
    if let Some(n) =
        who.iter().position(|id| matches!(id, Identifier::Email(e) | Identifier::Uuid(e) if e.trim().is_empty()))
    {
        return Err(UsageError(format!("identifier {} is empty", n + 1)).into());
    }
    if who.is_empty() {
        return Err(UsageError("no identifier to forget (--email, --uuid or a non-empty --from-file)".into()).into());
    }
    Ok(who)
}

pub fn forget(args: ForgetArgs, env: &Env) -> anyhow::Result<()> {
    let who = identifiers(&args)?;
    let dest = settings::dest(&args.dest, env)?.value;
    let keys = settings::keys(env, false)?;
    let engine = lake::open(&dest, &keys.parquet, Some(&keys.hmac), false)?;
    // The quarantine keeps raw records under its own key: forget reads and rewrites them too.
    engine.add_quarantine_key(&keys.quarantine)?;
    let lock = take_lock(&dest, "forget", &args.rewrite)?;
    let done = forget::forget(&engine, &dest, &lock, &keys.hmac, &who)?;
    match args.rewrite.format {
        Format::Json => print_json(&serde_json::json!({ "dest": dest.to_string(), "forget": done })),
        Format::Text => print_text(&format!(
            "Forgot {} identifier{} at {dest}: {} data rows and {} quarantined records removed, {} orphaned objects deleted; runs rewritten: {} ({} bytes read, {} written); audit entry {}\n{}",
            who.len(),
            plural(who.len()),
            done.rows_removed,
            done.quarantine_rows_removed,
            done.orphans_removed,
            if done.runs_touched.is_empty() { "none".to_string() } else { done.runs_touched.join(", ") },
            done.bytes_read,
            done.bytes_written,
            done.audit_entry,
            warnings_text(&done.warnings)
        )),
    }
}

pub fn compact(args: CompactArgs, env: &Env) -> anyhow::Result<()> {
    let dest = settings::dest(&args.dest, env)?.value;
    let parquet = settings::parquet_key(env)?;
    let engine = lake::open(&dest, &parquet, None, false)?;
    let lock = take_lock(&dest, "compact", &args.rewrite)?;
    let compact::Compacted { done, objects_before, warnings } =
        compact::compact(&engine, &dest, &lock, args.target_size)?;
    let json = serde_json::json!({
        "dest": dest.to_string(),
        "compacted": done.is_some(),
        "record": done.as_ref().map(|d| d.record.run_id.clone()),
        "runs_merged": done.as_ref().map_or(0, |d| d.record.supersedes.len()),
        "objects_before": objects_before,
        "objects_after": done.as_ref().map_or(objects_before, |d| d.record.objects.len()),
        "bytes_read": done.as_ref().map_or(0, |d| d.bytes_read),
        "bytes_written": done.as_ref().map_or(0, |d| d.bytes_written),
        "warnings": warnings,
    });
    match (args.rewrite.format, &done) {
        (Format::Json, _) => print_json(&json),
        (Format::Text, None) => print_text(&format!("Nothing to compact at {dest}.\n{}", warnings_text(&warnings))),
        (Format::Text, Some(d)) => print_text(&format!(
            "Compacted {} runs at {dest} into run {}: {objects_before} objects → {}, {} bytes written\n{}",
            d.record.supersedes.len(),
            d.record.run_id,
            d.record.objects.len(),
            d.bytes_written,
            warnings_text(&warnings)
        )),
    }
}

pub fn rekey(args: RekeyArgs, env: &Env) -> anyhow::Result<()> {
    let dest = settings::dest(&args.dest, env)?.value;
    let old = settings::parquet_key(env)?;
    let new = settings::new_parquet_key(env)?;
    // The quarantine moves too when a new key for it is given (it needs the current one to read).
    let new_quarantine = settings::new_quarantine_key_if_set(env)?;
    let old_quarantine = match &new_quarantine {
        Some(_) => Some(
            settings::quarantine_key(env)?
                .ok_or(crate::keys::KeyError::Missing { var: crate::keys::QUARANTINE_KEY_VAR })?,
        ),
        None => None,
    };
    let quarantine =
        old_quarantine.as_ref().zip(new_quarantine.as_ref()).map(|(old, new)| rekey::QuarantineKeys { old, new });
    let engine = lake::open(&dest, &new, None, false)?;
    let lock = take_lock(&dest, "rekey", &args.rewrite)?;
    let (passes, orphans, warnings) = rekey::rekey(&engine, &dest, &lock, &old, quarantine)?;
    let runs: usize = passes.iter().map(|p| p.record.supersedes.len()).sum();
    let done = passes.last();
    let json = serde_json::json!({
        "dest": dest.to_string(),
        "rekeyed": done.is_some(),
        "record": done.map(|d| d.record.run_id.clone()),
        "runs_moved": runs,
        "passes": passes.len(),
        "fingerprint": new.fingerprint(),
        "quarantine_fingerprint": new_quarantine.as_ref().map(|k| k.fingerprint()),
        "orphans_removed": orphans,
        "warnings": warnings,
    });
    match (args.rewrite.format, done) {
        (Format::Json, _) => print_json(&json),
        (Format::Text, None) => print_text(&format!(
            "Every run at {dest} is under the new key already (fingerprint {}…). Set DUCKPIPE_PARQUET_KEY to it.\n{}",
            integrity::short(&new.fingerprint()),
            warnings_text(&warnings)
        )),
        (Format::Text, Some(_)) => print_text(&format!(
            "Re-encrypted {runs} runs at {dest} into run {} under the new key (fingerprint {}…); {orphans} orphaned objects deleted. Now set DUCKPIPE_PARQUET_KEY to the new key{}.\n{}",
            passes.iter().map(|p| p.record.run_id.as_str()).collect::<Vec<_>>().join(" and "),
            integrity::short(&new.fingerprint()),
            if new_quarantine.is_some() { ", and DUCKPIPE_QUARANTINE_KEY to the new quarantine key" } else { "" },
            warnings_text(&warnings)
        )),
    }
}

/// `30 days`, `0.5 days`: a retention as people set it.
fn age_days(age: time::Duration) -> String {
    let days = age.as_seconds_f64() / 86_400.0;
    format!("{days} day{}", if days == 1.0 { "" } else { "s" })
}
