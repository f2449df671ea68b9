//! `duckpipe load`: resolve the flags, run the pipeline, print the run and the answers.

use serde::Serialize;

use super::args::{LoadArgs, ReportFormat};
use super::output::{print_json, print_text};
use super::settings;
use crate::analytics::{self, Report, page::Page};
use crate::lake::record::{RunRecord, describe_unknown};
use crate::lake::{self, Destination};
use crate::pipeline;

#[derive(Serialize)]
struct LoadJson<'a> {
    run: &'a RunRecord,
    /// True when the run id was already recorded and nothing was loaded.
    skipped: bool,
    report: &'a Report,
}

pub fn run(args: LoadArgs) -> anyhow::Result<()> {
    // Everything is resolved and validated before any work starts. The local quick start may
    // create keys; a remote lake never gets keys silently.
    let keys = settings::keys(!args.dest.dest.is_s3())?;
    let options = settings::load_options(&args, &keys)?;
    let dest = &options.dest;
    let engine = lake::open(dest, &keys.parquet, Some(&keys.hmac), args.create_bucket)?;
    let loaded = pipeline::load(&engine, &options)?;
    let (record, skipped) = (&loaded.record, loaded.skipped);

    let report = super::report::compute(&engine, dest, &loaded.records, options.as_of, args.report.top)?;
    match args.report.format {
        ReportFormat::Json => print_json(&LoadJson { run: record, skipped, report: &report }),
        ReportFormat::Text => {
            let mut out = if skipped {
                format!(
                    "Run {} is already recorded at {dest}: nothing loaded (a retried job never loads twice)\n\n",
                    record.run_id
                )
            } else {
                summary(record, dest)
            };
            out.push_str(&analytics::text::render_text(&report));
            print_text(&out)
        }
        ReportFormat::Html => print_text(&Page::gather(&engine, &report)?.html()?),
        ReportFormat::Md => print_text(&Page::gather(&engine, &report)?.markdown()),
    }
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
    }
    out
}
