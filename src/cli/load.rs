//! `duckpipe load`: resolve the flags, run the pipeline, print the run and the answers.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use super::args::{LoadArgs, ReportFormat, SourceKind};
use super::output::{print_json, print_text};
use super::settings;
use crate::analytics::{self, Report, page::Page};
use crate::error::UsageError;
use crate::lake::record::{self, KeyFingerprints, RunRecord, SourceParameters, describe_unknown};
use crate::lake::{self, Destination};
use crate::pipeline::source::file::FileSource;
use crate::pipeline::source::synthetic::{Generator, SyntheticSource};
use crate::pipeline::source::{Source, api};
use crate::pipeline::{self, LoadOptions, LoadPrivacy};

#[derive(Serialize)]
struct LoadJson<'a> {
    run: &'a RunRecord,
    /// True when the run id was already recorded and nothing was loaded.
    skipped: bool,
    report: &'a Report,
}

pub fn run(args: LoadArgs) -> anyhow::Result<()> {
    // Everything is validated before any work starts.
    let dest = Destination::parse(&args.dest.dest)?;
    let as_of = settings::as_of(args.as_of.as_deref())?;
    let nat = settings::nat_list(args.nat.as_deref())?;
    if let Some(id) = &args.run_id
        && !record::valid_run_id(id)
    {
        return Err(UsageError(format!(
            "--run-id {id:?}: use 1-64 letters, digits, '-', '_' or '.' (not starting with '.')"
        ))
        .into());
    }
    let seed = args.seed.clone().unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
    let mut parameters = SourceParameters::default();
    let source: Arc<dyn Source> = match args.source {
        SourceKind::Api => {
            let url = url::Url::parse(&args.api_url)
                .map_err(|_| UsageError(format!("--api-url {:?} is not a URL", args.api_url)))?;
            parameters = SourceParameters {
                count: Some(args.count),
                page_size: Some(args.page_size),
                // Without query or credentials: only where the data came from.
                api_url: Some(format!("{}://{}{}", url.scheme(), url.host_str().unwrap_or(""), url.path())),
                input: None,
            };
            Arc::new(api::ApiOptions {
                base_url: args.api_url.clone(),
                count: args.count,
                page_size: args.page_size,
                seed: Some(seed),
                nat,
                timeout: Duration::from_secs(args.timeout),
                max_attempts: args.attempts,
                ..api::ApiOptions::default()
            })
        }
        SourceKind::File => {
            let path = args.input.clone().expect("clap requires --input");
            parameters.input = Some(path.display().to_string());
            Arc::new(FileSource { path })
        }
        SourceKind::Synthetic => {
            parameters.count = Some(args.count);
            let generator =
                Generator::new(&seed, nat.as_deref(), as_of).map_err(|e| UsageError(format!("--nat: {e:#}")))?;
            Arc::new(SyntheticSource { generator, count: args.count })
        }
    };
    // The local quick start may create keys; a remote lake never gets keys silently.
    let keys = settings::keys(!dest.is_s3())?;
    let engine = lake::open(&dest, &keys.parquet, Some(&keys.hmac), args.create_bucket)?;
    let options = LoadOptions {
        source,
        parameters,
        dest: dest.clone(),
        as_of,
        run_id: args.run_id.clone().unwrap_or_else(|| pipeline::new_run_id(OffsetDateTime::now_utc())),
        batch_size: args.page_size as usize,
        max_bad_ratio: args.max_bad_ratio,
        keys: KeyFingerprints { parquet: keys.parquet.fingerprint(), hmac: keys.hmac.fingerprint() },
        privacy: LoadPrivacy { strict: args.strict, min_k: args.min_k },
    };
    let loaded = pipeline::load(&engine, &options)?;
    let (record, skipped) = (&loaded.record, loaded.skipped);

    let report = super::report::compute(&engine, &dest, &loaded.records, as_of, args.report.top)?;
    match args.report.format {
        ReportFormat::Json => print_json(&LoadJson { run: record, skipped, report: &report }),
        ReportFormat::Text => {
            let mut out = if skipped {
                format!(
                    "Run {} is already recorded at {dest}: nothing loaded (a retried job never loads twice)\n\n",
                    record.run_id
                )
            } else {
                summary(record, &dest)
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
