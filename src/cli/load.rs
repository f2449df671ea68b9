//! `duckpipe load`: resolve the flags, run the pipeline, print the run and the answers.

use serde::Serialize;

use super::args::{LoadArgs, ReportFormat};
use super::output::{print_json, print_text};
use super::settings;
use crate::analytics::{self, Report, page::Page};
use crate::error::UsageError;
use crate::keys::KeyError;
use crate::lake::record::{self, RunRecord, describe_unknown};
use crate::lake::{self, Destination};
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

pub fn run(args: LoadArgs) -> anyhow::Result<()> {
    // Everything is resolved and validated before any work starts. Keys are made only for a
    // local destination without runs (the quick start); never for an existing lake or for S3.
    let keys = load_keys(&args.dest.dest)?;
    let options = settings::load_options(&args, &keys)?;
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
    let report = super::report::compute(&engine, dest, &loaded.records, as_of, args.report.top)
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
                Outcome::Committed => summary(record, dest),
                Outcome::AlreadyRecorded => format!(
                    "Run {} is already recorded at {dest}: nothing loaded (a retried job never loads twice)\n\n",
                    record.run_id
                ),
                Outcome::CommittedByAnother => format!(
                    "Run {} was committed by another load while this one ran: nothing loaded by this one\n\n",
                    record.run_id
                ),
            };
            for w in &warnings {
                out.push_str(&format!("warning: {w}\n"));
            }
            if !warnings.is_empty() {
                out.push('\n');
            }
            if let Some(report) = &report {
                out.push_str(&analytics::text::render_text(report));
            }
            print_text(&out)
        }
        // The page alone on stdout (warnings are on stderr).
        ReportFormat::Html | ReportFormat::Md => page.map(|p| print_text(&p)).unwrap_or(Ok(())),
    }
}

/// The keys of a load. Fresh keys are made (into a new ./.env) only for a local destination
/// that holds no run yet: a lake with runs has keys already, and new ones would split it.
fn load_keys(dest: &Destination) -> anyhow::Result<settings::Keys> {
    let has_runs = match dest {
        Destination::Local(_) => record::local_has_runs(dest)?,
        // Unknown until the engine is open, which needs the keys: never made for S3.
        Destination::S3 { .. } => true,
    };
    settings::keys(!has_runs).map_err(|e| match e.downcast_ref::<KeyError>() {
        Some(KeyError::Missing { var }) if dest.is_s3() => UsageError(format!(
            "{var} is not set: for a new lake run `duckpipe keygen >> .env`; for an existing one set the keys its runs were written with"
        ))
        .into(),
        Some(KeyError::Missing { var }) => UsageError(format!(
            "{var} is not set, and {dest} already holds runs: keys are made only for a new lake. Set the keys its runs were written with (DUCKPIPE_PARQUET_KEY and DUCKPIPE_HMAC_KEY, e.g. in ./.env)"
        ))
        .into(),
        _ => e,
    })
}

/// What the run did, in a few lines.
fn summary(record: &RunRecord, dest: &Destination) -> String {
    let c = &record.counts;
    let mut text = format!(
        "Loaded {} users (run {}) into {dest}\n  received {}  ·  written {}  ·  quarantined {}  ·  suppressed {}  ·  seed {}\n",
        c.written,
        record.run_id,
        c.received,
        c.written,
        c.quarantined,
        c.suppressed,
        record.source.seed.as_deref().unwrap_or("-"),
    );
    for r in &record.rejections {
        text.push_str(&format!("  quarantined {} × {}\n", r.records, r.reason));
    }
    if !record.unanswerable.is_empty() {
        text.push_str(&format!(
            "  not delivered by the source: {}  →  no answer from this run for: {}\n",
            record.absent_fields.join(", "),
            record.unanswerable.join("; ")
        ));
    }
    text.push_str(&privacy_summary(record));
    for o in &record.objects {
        text.push_str(&format!("  {} {} ({} rows, {} bytes)\n", o.kind, o.path, o.rows, o.bytes));
    }
    text.push('\n');
    text
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
