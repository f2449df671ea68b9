//! `duckpipe runs purge-quarantine --older-than AGE`: the quarantine's retention (lake::quarantine).

use serde::Serialize;
use time::OffsetDateTime;

use super::args::{Format, PurgeQuarantineArgs};
use super::output::{print_json, print_text};
use super::settings::{self, Env};
use crate::keys::ParquetKey;
use crate::lake::{self, integrity, quarantine};

#[derive(Serialize)]
struct PurgeJson<'a> {
    dest: String,
    older_than_days: f64,
    dry_run: bool,
    purged: &'a [quarantine::Purged],
}

pub fn purge(args: PurgeQuarantineArgs, env: &Env) -> anyhow::Result<()> {
    let dest = settings::dest(&args.dest, env)?.value;
    // Deleting reads no data: the engine gets a throw-away key.
    let engine = lake::open(&dest, &ParquetKey::ephemeral(), None, false)?;
    // It replaces records: not while a rewrite (compact, forget, …) is superseding them.
    let _lock = lake::lock::acquire(&dest, "runs purge-quarantine", std::time::Duration::from_secs(10))?;
    // What may be deleted is known only when every record is sound.
    let survey = integrity::survey(&engine, &dest)?;
    integrity::refuse(&dest, &survey.findings)?;
    let cutoff = OffsetDateTime::now_utc() - args.older_than;
    let purged = quarantine::purge(&dest, &survey.records, cutoff, args.dry_run)?;
    match args.format {
        Format::Json => print_json(&PurgeJson {
            dest: dest.to_string(),
            older_than_days: args.older_than.as_seconds_f64() / 86_400.0,
            dry_run: args.dry_run,
            purged: &purged,
        }),
        Format::Text => {
            let verb = if args.dry_run { "Would delete" } else { "Deleted" };
            let mut out = format!(
                "{verb} {} quarantine object{} of runs finished before {} at {dest}\n",
                purged.len(),
                if purged.len() == 1 { "" } else { "s" },
                crate::timefmt::rfc3339(cutoff)
            );
            for p in &purged {
                out.push_str(&format!(
                    "  {}  {} ({} records, run finished {})\n",
                    p.run_id, p.path, p.rows, p.finished_at
                ));
            }
            print_text(&out)
        }
    }
}
