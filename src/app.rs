//! The commands: glue between the CLI, configuration and the pipeline modules.

use std::io::Write as _;
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::cli::{Command, Format, GenerateArgs, LoadArgs, ReportArgs};
use crate::config::{self, UsageError};
use crate::engine::Engine;
use crate::keys::ParquetKey;
use crate::load::{self, LoadOptions, SourceSpec};
use crate::report::{self, Report};
use crate::sources::{api, synthetic};
use crate::store::{Destination, S3Settings};
use crate::timefmt;

pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Load(args) => load_cmd(args),
        Command::Report(args) => report_cmd(args),
        Command::Keygen => {
            print!("{}", crate::keys::keygen_env());
            Ok(())
        }
        Command::Generate(args) => generate_cmd(args),
    }
}

fn as_of(text: Option<&str>) -> Result<OffsetDateTime, UsageError> {
    match text {
        Some(t) => timefmt::parse_rfc3339(t).map_err(|e| UsageError(format!("--as-of: {e}"))),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

fn nat_list(text: Option<&str>) -> Result<Option<Vec<String>>, UsageError> {
    text.map(|t| api::parse_nat_list(t).map_err(|e| UsageError(format!("--nat: {e}")))).transpose()
}

/// Opens the engine with the Parquet key (and the HMAC key for loads) and S3 access when the
/// destination needs it.
fn open_engine(dest: &Destination, parquet: &ParquetKey, hmac: Option<&crate::keys::HmacKey>) -> anyhow::Result<Engine> {
    // Validate S3 settings before doing any work.
    let s3 = if dest.is_s3() { Some(S3Settings::from_env(|k| std::env::var(k).ok())?) } else { None };
    let engine = Engine::open(parquet, hmac)?;
    if let Some(s3) = s3 {
        s3.install(&engine).map_err(|e| crate::engine::EngineError(e.to_string()))?;
    }
    Ok(engine)
}

#[derive(Serialize)]
struct LoadJson<'a> {
    run: &'a load::LoadOutcome,
    report: &'a Report,
}

fn load_cmd(args: LoadArgs) -> anyhow::Result<()> {
    // Everything is validated before any work starts.
    let dest = Destination::parse(&args.dest.dest)?;
    let as_of = as_of(args.as_of.as_deref())?;
    let nat = nat_list(args.nat.as_deref())?;
    let seed = args.seed.clone().unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
    let source = match args.source {
        crate::cli::SourceKind::Api => {
            url::Url::parse(&args.api_url).map_err(|_| UsageError(format!("--api-url {:?} is not a URL", args.api_url)))?;
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
        crate::cli::SourceKind::File => SourceSpec::File { path: args.input.clone().expect("clap requires --input") },
        crate::cli::SourceKind::Synthetic => SourceSpec::Synthetic { seed, count: args.count, nat },
    };
    // The local quick start may create keys; a remote lake never gets keys silently.
    let keys = config::keys(!dest.is_s3())?;
    let engine = open_engine(&dest, &keys.parquet, Some(&keys.hmac))?;
    let run_id = load::new_run_id(OffsetDateTime::now_utc());
    tracing::info!(run_id = %run_id, dest = %dest, parquet_key = %keys.parquet.fingerprint(), hmac_key = %keys.hmac.fingerprint(), "load started");
    let options = LoadOptions { source, dest: dest.clone(), as_of, run_id, batch_size: args.page_size as usize };
    let outcome = load::run(&engine, &options)?;

    report::open_users_view(&engine, &dest)?;
    let report = report::compute(&engine, as_of, args.report.top)?;
    match args.report.format {
        Format::Json => print_json(&LoadJson { run: &outcome, report: &report })?,
        Format::Text => {
            let mut out = format!(
                "Loaded {} users (run {}) into {}\n  seed {}  ·  object {}\n\n",
                outcome.written,
                outcome.run_id,
                outcome.dest,
                outcome.source.seed.as_deref().unwrap_or("-"),
                outcome.objects.join(", ")
            );
            out.push_str(&report::render_text(&report));
            print_text(&out)?;
        }
    }
    Ok(())
}

fn report_cmd(args: ReportArgs) -> anyhow::Result<()> {
    let dest = Destination::parse(&args.dest.dest)?;
    let as_of = as_of(args.as_of.as_deref())?;
    let parquet = config::parquet_key()?;
    let engine = open_engine(&dest, &parquet, None)?;
    report::open_users_view(&engine, &dest)?;
    let report = report::compute(&engine, as_of, args.report.top)?;
    match args.report.format {
        Format::Json => print_json(&report),
        Format::Text => print_text(&report::render_text(&report)),
    }
}

fn generate_cmd(args: GenerateArgs) -> anyhow::Result<()> {
    let nat = nat_list(args.nat.as_deref())?;
    let now = as_of(args.as_of.as_deref())?;
    let generator = synthetic::Generator::new(&args.seed, nat.as_deref(), now).map_err(|e| UsageError(format!("{e:#}")))?;
    let out: Box<dyn std::io::Write> = match &args.out {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| UsageError(format!("cannot create {}: {e}", path.display())))?),
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
        write!(out, "],\"info\":{info}}}\n")?;
    }
    out.flush()?;
    Ok(())
}

fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string(value)?;
    text.push('\n');
    print_text(&text)
}

fn print_text(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (e.g. `| head`) is not an error worth a message.
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
