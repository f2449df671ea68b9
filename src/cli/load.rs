//! `duckpipe load`: resolve the settings, run the pipeline, print one summary block: what the
//! run did and the one-sentence answers (the whole report is `duckpipe report`).

use std::time::Instant;

use serde::Serialize;

use super::args::{LoadArgs, ReportFormat};
use super::output::{print_json, print_text};
use super::settings::{self, Env};
use crate::analytics::{Report, page::Page};
use crate::error::UsageError;
use crate::keys::KeyError;
use crate::lake::record::{self, RunRecord, describe_unknown};
use crate::lake::{self, Destination};
use crate::numbers::{bytes, grouped, plural, users};
use crate::pipeline::{self, Outcome};

#[derive(Serialize)]
struct LoadJson<'a> {
    run: &'a RunRecord,
    /// How the load ended: committed, already_recorded or committed_by_another. Every outcome is
    /// exit 0: the run id is recorded at the destination.
    outcome: Outcome,
    /// True when this load committed the run.
    committed: bool,
    /// True when this load loaded nothing (the run id was recorded before it, or by another
    /// load while it ran).
    skipped: bool,
    /// What went wrong or deserves attention after the commit point (a failed closing report,
    /// users the lake already had): never a failed load.
    warnings: &'a [String],
    /// The answers over the lake; null when computing them failed (see `warnings`).
    report: Option<&'a Report>,
}

pub fn run(args: LoadArgs, env: &Env) -> anyhow::Result<()> {
    let started = Instant::now();
    // Everything is resolved and validated before any work starts. Keys are made only for a
    // local destination without runs (the quick start); never for an existing lake or for S3.
    let dest = settings::dest(&args.dest, env)?.value;
    let keys = load_keys(&dest, env)?;
    let options = settings::load_options(&args, dest, &keys, env)?;
    let dest = &options.dest;
    let as_of = options.as_of;
    let engine = lake::open(dest, &keys.parquet, Some(&keys.hmac), args.create_bucket)?;
    engine.add_quarantine_key(&keys.quarantine)?;
    let loaded = pipeline::load(&engine, &options)?;

    // From here on the run is recorded: whatever fails is a warning, never a failed load (a
    // scheduler that sees a non-zero exit retries, and must not add a copy).
    let record = &loaded.record;
    let mut warnings = loaded.warnings.clone();
    let mut post_commit = |what: &str, e: anyhow::Error| {
        let w = format!("run {} is recorded at {dest}, but {what} failed: {e:#}", record.run_id);
        tracing::warn!("{w}");
        warnings.push(w);
    };
    let report = super::report::compute(&engine, dest, &loaded.records, as_of, args.report.top, None)
        .map_err(|e| post_commit("the report over the lake", e))
        .ok();
    let page = match (&report, args.report.format) {
        (Some(report), ReportFormat::Html) => {
            Page::gather(&engine, report).and_then(|p| p.html()).map_err(|e| post_commit("the HTML page", e)).ok()
        }
        (Some(report), ReportFormat::Md) => {
            Page::gather(&engine, report).map(|p| p.markdown()).map_err(|e| post_commit("the Markdown page", e)).ok()
        }
        _ => None,
    };
    match args.report.format {
        ReportFormat::Json => print_json(&LoadJson {
            run: record,
            outcome: loaded.outcome,
            committed: loaded.outcome == Outcome::Committed,
            skipped: loaded.outcome != Outcome::Committed,
            warnings: &warnings,
            report: report.as_ref(),
        }),
        ReportFormat::Text => {
            let mut out = match loaded.outcome {
                Outcome::Committed => summary(record, dest, started.elapsed().as_secs_f64()),
                Outcome::AlreadyRecorded => format!(
                    "Run {} is already recorded at {dest}: nothing loaded (a retried job never loads twice)\n",
                    record.run_id
                ),
                Outcome::CommittedByAnother => format!(
                    "Run {} was committed by another load while this one ran: nothing loaded by this one\n",
                    record.run_id
                ),
            };
            for w in &warnings {
                out.push_str(&format!("warning: {w}\n"));
            }
            if let Some(report) = &report {
                out.push_str(&answers(report, loaded.records.len(), dest));
            }
            print_text(&out)
        }
        // The page alone on stdout (warnings are on stderr).
        ReportFormat::Html | ReportFormat::Md => page.map(|p| print_text(&p)).unwrap_or(Ok(())),
    }
}

/// The keys of a load. Fresh keys are made (into a new ./.env) only for a local destination
/// that holds no run yet: a lake with runs has keys already, and new ones would split it.
fn load_keys(dest: &Destination, env: &Env) -> anyhow::Result<settings::Keys> {
    let has_runs = match dest {
        Destination::Local(_) => record::local_has_runs(dest)?,
        // Unknown until the engine is open, which needs the keys: never made for S3.
        Destination::S3 { .. } => true,
    };
    settings::keys(env, !has_runs).map_err(|e| match e.downcast_ref::<KeyError>() {
        Some(KeyError::Missing { var }) if dest.is_s3() => UsageError(format!(
            "{var} is not set: for a new lake run `duckpipe keygen --out .env`; for an existing one set the keys its runs were written with"
        ))
        .into(),
        Some(KeyError::Missing { var }) if has_runs => UsageError(format!(
            "{var} is not set, and {dest} already holds runs: keys are made only for a new lake. Set the keys its runs were written with (DUCKPIPE_PARQUET_KEY and DUCKPIPE_HMAC_KEY, e.g. in ./.env)"
        ))
        .into(),
        // Some keys are set (or ./.env exists), so none are made: a half-made set would not match.
        Some(KeyError::Missing { var }) => UsageError(format!(
            "{var} is not set: new keys are made only when none is set and there is no ./.env; set all three, or run `duckpipe keygen --out .env`"
        ))
        .into(),
        _ => e,
    })
}

/// What the run did, in a few lines.
fn summary(record: &RunRecord, dest: &Destination, seconds: f64) -> String {
    let c = &record.counts;
    let n = |v: u64| grouped(i64::try_from(v).unwrap_or(i64::MAX));
    let mut text = format!("Loaded {} into {dest} in {seconds:.1} s (run {}", users(c.written as i64), record.run_id);
    if let Some(seed) = &record.source.seed {
        text.push_str(&format!(", seed {seed}"));
    }
    text.push_str(")\n");
    text.push_str(&format!(
        "  received {}  ·  written {}  ·  quarantined {}  ·  suppressed {}\n",
        n(c.received),
        n(c.written),
        n(c.quarantined),
        n(c.suppressed)
    ));
    for r in &record.rejections {
        text.push_str(&format!("  quarantined {} × {}\n", n(r.records), r.reason));
    }
    if !record.unanswerable.is_empty() {
        text.push_str(&format!(
            "  not delivered by the source: {}  →  no answer from this run for: {}\n",
            record.absent_fields.join(", "),
            record.unanswerable.join("; ")
        ));
    }
    text.push_str(&privacy_summary(record));
    let total: u64 = record.objects.iter().map(|o| o.bytes).sum();
    text.push_str(&format!(
        "  {} written, {} (encrypted Parquet)\n",
        plural(record.objects.len() as i64, "object", "objects"),
        bytes(total)
    ));
    text
}

/// The one-sentence answers over every complete run at the destination, and where the whole
/// report is.
fn answers(report: &Report, runs: usize, dest: &Destination) -> String {
    let over = if runs == 1 { "this run".to_string() } else { format!("all {runs} runs at {dest}") };
    let a = &report.answers;
    format!(
        "\nThe answers over {over} ({}):\n  1. {}\n  2. {}\n  3. {}\n\n\
         The whole report: duckpipe report --dest {dest}    (a page with charts: add --format html --out report.html)\n",
        users(report.users),
        a.registration,
        a.age_gender,
        a.places
    )
}

/// The run's privacy lines: unknown input fields and k-anonymity (empty when neither applies).
fn privacy_summary(record: &RunRecord) -> String {
    let mut out = String::new();
    if !record.unknown_fields.is_empty() {
        out.push_str(&format!(
            "  unknown input fields (dropped, not written): {}\n",
            describe_unknown(&record.unknown_fields)
        ));
    }
    if let Some(k) = record.min_k {
        out.push_str(&format!("  k-anonymity: --min-k {k}, {} records suppressed\n", record.counts.suppressed));
        if let Some(loss) = &record.information_loss {
            let share = |n: u64| 100.0 * n as f64 / record.counts.written.max(1) as f64;
            out.push_str(&format!(
                "  generalised: exact age removed {:.1} %, age band widened {:.1} %, city → (other) {:.1} %, country → (other) {:.1} % of written users\n",
                share(loss.exact_age_removed),
                share(loss.age_band_widened),
                share(loss.city_other),
                share(loss.country_other)
            ));
        }
    }
    out
}
