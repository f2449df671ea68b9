//! The commands: glue between the CLI, configuration and the pipeline modules.

use std::io::Write as _;
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::cli::{Command, Format, GenerateArgs, LoadArgs, ReportArgs, ReportFormat, RiskArgs, RunsArgs};
use crate::config::{self, UsageError};
use crate::engine::Engine;
use crate::keys::ParquetKey;
use crate::load::{self, LoadOptions, SourceSpec};
use crate::report::{self, Report};
use crate::runs::{self, KeyFingerprints, RunRecord, SourceParameters};
use crate::sources::{api, synthetic};
use crate::store::{Destination, S3Settings};
use crate::timefmt;

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Load(args) => load_cmd(args),
        Command::Report(args) => report_cmd(args),
        Command::Risk(args) => risk_cmd(args),
        Command::Runs(args) => runs_cmd(args),
        Command::Keygen => {
            print!("{}", crate::keys::keygen_env());
            Ok(())
        }
        Command::Generate(args) => generate_cmd(args),
        Command::Sql(args) => crate::sql_shell::run(args),
    }
}

pub(crate) fn as_of(text: Option<&str>) -> Result<OffsetDateTime, UsageError> {
    match text {
        Some(t) => timefmt::parse_rfc3339(t).map_err(|e| UsageError(format!("--as-of: {e}"))),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

fn nat_list(text: Option<&str>) -> Result<Option<Vec<String>>, UsageError> {
    text.map(|t| api::parse_nat_list(t).map_err(|e| UsageError(format!("--nat: {e}")))).transpose()
}

/// Opens the engine with the Parquet key (and the HMAC key for loads) and, when the destination
/// is on S3, checks the credentials and the bucket first (creating it only when asked).
pub(crate) fn open_engine(
    dest: &Destination,
    parquet: &ParquetKey,
    hmac: Option<&crate::keys::HmacKey>,
    create_bucket: bool,
) -> anyhow::Result<Engine> {
    let s3 = match dest {
        Destination::S3 { bucket, .. } => {
            let settings = S3Settings::from_env(|k| std::env::var(k).ok())?;
            crate::bucket::ensure(&settings, bucket, create_bucket)?;
            Some(settings)
        }
        Destination::Local(_) => None,
    };
    let engine = Engine::open(parquet, hmac)?;
    if let Some(s3) = s3 {
        s3.install(&engine).map_err(|e| crate::engine::EngineError(e.to_string()))?;
    }
    Ok(engine)
}

#[derive(Serialize)]
struct LoadJson<'a> {
    run: &'a RunRecord,
    /// True when the run id was already recorded and nothing was loaded.
    skipped: bool,
    report: &'a Report,
}

fn load_cmd(args: LoadArgs) -> anyhow::Result<()> {
    // Everything is validated before any work starts.
    let dest = Destination::parse(&args.dest.dest)?;
    let as_of = as_of(args.as_of.as_deref())?;
    let nat = nat_list(args.nat.as_deref())?;
    if let Some(id) = &args.run_id
        && !runs::valid_run_id(id)
    {
        return Err(UsageError(format!(
            "--run-id {id:?}: use 1-64 letters, digits, '-', '_' or '.' (not starting with '.')"
        ))
        .into());
    }
    let seed = args.seed.clone().unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
    let mut parameters = SourceParameters::default();
    let source = match args.source {
        crate::cli::SourceKind::Api => {
            let url = url::Url::parse(&args.api_url)
                .map_err(|_| UsageError(format!("--api-url {:?} is not a URL", args.api_url)))?;
            parameters = SourceParameters {
                count: Some(args.count),
                page_size: Some(args.page_size),
                // Without query or credentials: only where the data came from.
                api_url: Some(format!("{}://{}{}", url.scheme(), url.host_str().unwrap_or(""), url.path())),
                input: None,
            };
            SourceSpec::Api(api::ApiOptions {
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
        crate::cli::SourceKind::File => {
            let path = args.input.clone().expect("clap requires --input");
            parameters.input = Some(path.display().to_string());
            SourceSpec::File { path }
        }
        crate::cli::SourceKind::Synthetic => {
            parameters.count = Some(args.count);
            SourceSpec::Synthetic { seed, count: args.count, nat }
        }
    };
    // The local quick start may create keys; a remote lake never gets keys silently.
    let keys = config::keys(!dest.is_s3())?;
    let engine = open_engine(&dest, &keys.parquet, Some(&keys.hmac), args.create_bucket)?;
    let run_id = args.run_id.clone().unwrap_or_else(|| load::new_run_id(OffsetDateTime::now_utc()));

    let mut records = runs::list(&engine, &dest)?;
    let (record, skipped) = match records.iter().find(|r| r.run_id == run_id).cloned() {
        Some(existing) => {
            tracing::warn!(run_id = %run_id, "this run id is already recorded at the destination: nothing loaded");
            (existing, true)
        }
        None => {
            tracing::info!(run_id = %run_id, dest = %dest, parquet_key = %keys.parquet.fingerprint(), hmac_key = %keys.hmac.fingerprint(), "load started");
            let keys = KeyFingerprints { parquet: keys.parquet.fingerprint(), hmac: keys.hmac.fingerprint() };
            let options = LoadOptions {
                source,
                parameters,
                dest: dest.clone(),
                as_of,
                run_id,
                batch_size: args.page_size as usize,
                max_bad_ratio: args.max_bad_ratio,
                keys,
                privacy: crate::privacy::LoadPrivacy { strict: args.strict, min_k: args.min_k },
            };
            let record = load::run(&engine, &options)?;
            records.push(record.clone());
            (record, false)
        }
    };

    let report = compute_report(&engine, &dest, &records, as_of, args.report.top)?;
    match args.report.format {
        ReportFormat::Json => print_json(&LoadJson { run: &record, skipped, report: &report })?,
        ReportFormat::Text => {
            let mut out = if skipped {
                format!(
                    "Run {} is already recorded at {dest}: nothing loaded (a retried job never loads twice)

",
                    record.run_id
                )
            } else {
                let c = &record.counts;
                let mut text = format!(
                    "Loaded {} users (run {}) into {dest}
  received {}  ·  written {}  ·  quarantined {}  ·  suppressed {}  ·  seed {}
",
                    c.written,
                    record.run_id,
                    c.received,
                    c.written,
                    c.quarantined,
                    c.suppressed,
                    record.source.seed.as_deref().unwrap_or("-"),
                );
                for r in &record.rejections {
                    text.push_str(&format!(
                        "  quarantined {} × {}
",
                        r.records, r.reason
                    ));
                }
                if !record.unanswerable.is_empty() {
                    text.push_str(&format!(
                        "  not delivered by the source: {}  →  no answer from this run for: {}
",
                        record.absent_fields.join(", "),
                        record.unanswerable.join("; ")
                    ));
                }
                text.push_str(&privacy_summary(&record));
                for o in &record.objects {
                    text.push_str(&format!(
                        "  {} {} ({} rows, {} bytes)
",
                        o.kind, o.path, o.rows, o.bytes
                    ));
                }
                text.push('\n');
                text
            };
            out.push_str(&report::render_text(&report));
            print_text(&out)?;
        }
        ReportFormat::Html => print_text(&crate::report_page::Page::gather(&engine, &report)?.html()?)?,
        ReportFormat::Md => print_text(&crate::report_page::Page::gather(&engine, &report)?.markdown())?,
    }
    Ok(())
}

/// The answers over every complete run; a failed read names the damaged object if there is one.
fn compute_report(
    engine: &Engine,
    dest: &Destination,
    records: &[RunRecord],
    as_of: OffsetDateTime,
    top: u32,
) -> anyhow::Result<Report> {
    report::open_users_view_of(engine, dest, records)?;
    report::compute(engine, as_of, top).map_err(|e| report::name_damaged_object(engine, dest, records, e))
}

fn report_cmd(args: ReportArgs) -> anyhow::Result<()> {
    let dest = Destination::parse(&args.dest.dest)?;
    let as_of = as_of(args.as_of.as_deref())?;
    let parquet = config::parquet_key()?;
    let engine = open_engine(&dest, &parquet, None, false)?;
    let records = runs::list(&engine, &dest)?;
    let report = compute_report(&engine, &dest, &records, as_of, args.report.top)?;
    let text = match args.report.format {
        ReportFormat::Json => format!("{}\n", serde_json::to_string(&report)?),
        ReportFormat::Text => report::render_text(&report),
        ReportFormat::Html => crate::report_page::Page::gather(&engine, &report)?.html()?,
        ReportFormat::Md => crate::report_page::Page::gather(&engine, &report)?.markdown(),
    };
    crate::report_page::emit(&text, args.out.as_deref())
}

/// The run's privacy lines: unknown input fields and k-anonymity (empty when neither applies).
fn privacy_summary(record: &RunRecord) -> String {
    let mut out = String::new();
    if !record.unknown_fields.is_empty() {
        out.push_str(&format!(
            "  unknown input fields (dropped, not written): {}\n",
            crate::privacy::unknown::describe(&record.unknown_fields)
        ));
    }
    if let Some(k) = record.min_k {
        out.push_str(&format!("  k-anonymity: --min-k {k}, {} records suppressed\n", record.counts.suppressed));
    }
    out
}

fn risk_cmd(args: RiskArgs) -> anyhow::Result<()> {
    let qi = crate::privacy::risk::parse_qi(&args.qi)?;
    let dest = Destination::parse(&args.dest.dest)?;
    let parquet = config::parquet_key()?;
    let engine = open_engine(&dest, &parquet, None, false)?;
    report::open_users_view(&engine, &dest)?;
    let risk = crate::privacy::risk::compute(&engine, &qi)?;
    match args.format {
        Format::Json => print_json(&risk),
        Format::Text => print_text(&crate::privacy::risk::render_text(&risk)),
    }
}

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
    runs::check_key(engine, records)?;
    let mut results = Vec::new();
    for record in records {
        for object in &record.objects {
            let file = dest.resolve(&object.path);
            let problem =
                runs::check_size(engine, &file, object.bytes).and_then(|()| report::verify_object(engine, &file)).err();
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
                report::table(&["run", "object", "kind", "status"], 4, &rows)
            ))?;
        }
    }
    if damaged > 0 {
        return Err(
            crate::engine::EngineError(format!("{damaged} of {} objects failed verification", results.len())).into()
        );
    }
    Ok(())
}

fn runs_cmd(args: RunsArgs) -> anyhow::Result<()> {
    let dest = Destination::parse(&args.dest.dest)?;
    // Run records hold no key; listing needs none (the engine gets a throw-away one), verifying
    // needs the real one.
    let key = if args.verify { config::parquet_key()? } else { ParquetKey::ephemeral() };
    let engine = open_engine(&dest, &key, None, false)?;
    let records = runs::list(&engine, &dest)?;
    if args.verify {
        return verify_runs(&engine, &dest, &records, args.format);
    }
    if args.orphans {
        let orphans: Vec<Orphan> =
            runs::orphans(&engine, &dest, &records)?.into_iter().map(|(path, bytes)| Orphan { path, bytes }).collect();
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
            let table = report::table(
                &["run", "finished", "source", "received", "written", "quarantined", "suppressed", "objects"],
                3,
                &rows,
            );
            print_text(&format!("Complete runs at {dest}:\n{table}"))
        }
    }
}

fn generate_cmd(args: GenerateArgs) -> anyhow::Result<()> {
    let nat = nat_list(args.nat.as_deref())?;
    let now = as_of(args.as_of.as_deref())?;
    let generator =
        synthetic::Generator::new(&args.seed, nat.as_deref(), now).map_err(|e| UsageError(format!("{e:#}")))?;
    let out: Box<dyn std::io::Write> = match &args.out {
        Some(path) => Box::new(
            std::fs::File::create(path).map_err(|e| UsageError(format!("cannot create {}: {e}", path.display())))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::new(out);
    let mut first = true;
    // Users go straight from the generator's buffer to the output: no allocation per user.
    let write_user = |user: &str| -> anyhow::Result<()> {
        if args.ndjson {
            out.write_all(user.as_bytes())?;
            out.write_all(b"\n")?;
        } else {
            out.write_all(if first { b"{\"results\":[" } else { b"," })?;
            out.write_all(user.as_bytes())?;
        }
        first = false;
        Ok(())
    };
    let summary = synthetic::for_each(&generator, args.count, 5000, write_user)?;
    if !args.ndjson {
        let info = serde_json::json!({"seed": args.seed, "results": summary.users, "page": 1, "version": "1.4"});
        writeln!(out, "],\"info\":{info}}}")?;
    }
    out.flush()?;
    Ok(())
}

fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string(value)?;
    text.push('\n');
    print_text(&text)
}

pub(crate) fn print_text(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth a message.
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
