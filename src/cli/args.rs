//! The flags: what the user can ask for, with help texts. Every flag with a shape is parsed into
//! its type here (`--dest` a destination, `--as-of` a time, `--nat` codes, `--qi` columns,
//! `--run-id` a safe id, `--api-url` a URL), so a bad value is refused before anything runs.
//!
//! Flags that fall back to a variable or depend on the source are `Option`s: `settings` resolves
//! them (flag > environment > `.env` > default) and refuses those that do not apply.

use std::ffi::OsStr;
use std::path::PathBuf;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use time::OffsetDateTime;
use url::Url;

use crate::analytics::risk::ALLOWED_QI;
use crate::lake::{Destination, record};
use crate::schema::nationality::{self, NATIONALITIES};
use crate::timefmt;

#[derive(Debug, Parser)]
#[command(
    name = "duckpipe",
    version,
    about = "Load randomuser.me users into a data lake safely: de-identified, flat, encrypted Parquet on S3/MinIO or a local directory",
    long_about = "duckpipe reads users from the randomuser.me API, a file or an offline generator, \
de-identifies them inside an embedded DuckDB (keyed HMAC pseudonyms, ages instead of birth dates, \
no names, contacts or credentials), writes encrypted Parquet (AES-256, Parquet Modular Encryption) \
to s3://bucket/prefix or a local directory, and answers: average time since registration, the age \
and gender distribution, and where users come from. `duckpipe risk` measures the re-identification \
risk of the stored data and `load --min-k K` makes it k-anonymous; docs/privacy.md classifies every \
input field.\n\n\
Keys come from DUCKPIPE_PARQUET_KEY and DUCKPIPE_HMAC_KEY (environment or ./.env); `duckpipe keygen` \
makes them (`duckpipe keygen --out .env`). S3 access uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION \
and AWS_ENDPOINT_URL, or AWS_PROFILE and the shared credentials file. Every setting is taken from its flag, \
else the environment, else ./.env, else its default; `duckpipe config` shows what is used and where it came from.",
    after_help = "Exit codes: 0 success, 1 unexpected failure, 2 usage or configuration error (flags, keys, .env, S3 credentials \
or endpoint, missing bucket, a lake with no complete run), 3 source error (API, input file, too many bad records), \
4 storage or engine error (S3, DuckDB, a damaged object, a failed SQL statement)."
)]
pub struct Cli {
    /// More log detail on stderr (default: warnings only; -v duckpipe's notes and detail, -vv
    /// trace). Logs never contain personal data or keys.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr (no load progress line either).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Use ./.env even when other users can write it (it is refused otherwise: whoever can write
    /// it can set the keys).
    #[arg(long, global = true)]
    pub allow_insecure_env: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch users, de-identify them, write encrypted Parquet, then print the answers.
    Load(LoadArgs),
    /// Print the answers computed from the data of every complete run at the destination (text, JSON, an HTML page with charts, or Markdown).
    Report(ReportArgs),
    /// Print the re-identification risk of the stored data: equivalence classes over
    /// quasi-identifiers, the smallest class size k, records in small classes (see docs/privacy.md).
    Risk(RiskArgs),
    /// List the complete runs at the destination (from their run records), or with --orphans the
    /// objects no run record names (left by failed or killed loads).
    Runs(RunsArgs),
    /// Make fresh random keys: printed in .env form, or with --out written into a file (mode 0600).
    Keygen(KeygenArgs),
    /// Show the settings every command would use, and where each came from (flag, environment,
    /// .env, AWS profile, default); keys and secrets only as fingerprints.
    Config(ConfigArgs),
    /// Write synthetic users in the API's exact response shape (offline, deterministic per seed).
    Generate(GenerateArgs),
    /// Query the stored data with SQL: a file, -c "…", piped statements, or an interactive prompt.
    #[command(long_about = SQL_LONG_ABOUT)]
    Sql(SqlArgs),
    /// Erase people: every row of theirs in the data (by keyed pseudonym) and the quarantine,
    /// rewriting only the objects that hold them; the audit log records how many rows, never who.
    Forget(ForgetArgs),
    /// Merge the runs into objects of the target size (one rewrite); answers stay identical and the
    /// record keeps the lineage (runs, seeds, counts).
    Compact(CompactArgs),
    /// Re-encrypt every data object with the key in DUCKPIPE_NEW_PARQUET_KEY, and the quarantine
    /// with DUCKPIPE_NEW_QUARANTINE_KEY when it is set (one rewrite); afterwards no object opens
    /// with an old key.
    Rekey(RekeyArgs),
}

/// What every rewrite (drop, gc, forget, compact, rekey) takes: how long it waits for the lake's
/// rewrite lock, and its output format.
#[derive(Debug, Args)]
pub struct RewriteArgs {
    /// Seconds to wait while another rewrite holds the lake's lock before giving up (naming it).
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub lock_timeout: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DropArgs {
    /// The runs to remove (as `duckpipe runs` lists them).
    #[arg(required = true, value_name = "RUN_ID", value_parser = parse_run_id)]
    pub run_ids: Vec<String>,
    #[command(flatten)]
    pub dest: DestArgs,
    #[command(flatten)]
    pub rewrite: RewriteArgs,
}

#[derive(Debug, Args)]
pub struct GcArgs {
    #[command(flatten)]
    pub dest: DestArgs,
    /// Only orphans older than this (a number and d, h or m, e.g. 90m or 2d; 0m for all): a
    /// running load's objects are orphans until it commits.
    #[arg(long, value_name = "AGE", default_value = "60m", value_parser = crate::lake::quarantine::parse_age)]
    pub older_than: time::Duration,
    /// Also delete the quarantine of runs that finished longer ago than this: its retention
    /// (docs/privacy.md). `off` keeps every quarantine.
    #[arg(long, value_name = "AGE", default_value = "30d", value_parser = crate::lake::quarantine::parse_retention)]
    pub quarantine_retention: crate::lake::quarantine::Retention,
    #[command(flatten)]
    pub rewrite: RewriteArgs,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("who").required(true).multiple(true).args(["email", "uuid", "from_file"])))]
pub struct ForgetArgs {
    /// An e-mail address to forget (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub email: Vec<String>,
    /// A login.uuid to forget (repeatable).
    #[arg(long, value_name = "UUID")]
    pub uuid: Vec<String>,
    /// A file of identifiers, one per line: an e-mail address (holds '@') or a uuid; blank lines
    /// and lines starting with # are skipped.
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    #[command(flatten)]
    pub dest: DestArgs,
    #[command(flatten)]
    pub rewrite: RewriteArgs,
}

#[derive(Debug, Args)]
pub struct CompactArgs {
    #[command(flatten)]
    pub dest: DestArgs,
    /// Size of the objects to write (e.g. 128MB, 1GB): a new object starts once one reaches it.
    #[arg(long, value_name = "SIZE", default_value = "128MiB", value_parser = parse_target_size)]
    pub target_size: u64,
    #[command(flatten)]
    pub rewrite: RewriteArgs,
}

#[derive(Debug, Args)]
pub struct RekeyArgs {
    #[command(flatten)]
    pub dest: DestArgs,
    #[command(flatten)]
    pub rewrite: RewriteArgs,
}

/// `128MB`, `1GiB`, `500kB`, or bytes.
pub fn parse_target_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: u64 = number.parse().map_err(|_| format!("{text:?} is not a size (e.g. 128MB)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "kib" => 1024,
        "mb" => 1_000_000,
        "mib" => 1 << 20,
        "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return Err(format!("{text:?} is not a size (e.g. 128MB)")),
    };
    match n.checked_mul(factor) {
        Some(bytes) if bytes >= 1024 => Ok(bytes),
        _ => Err(format!("{text:?}: a target size from 1 KiB up")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceKind {
    /// The randomuser.me API (version pinned to 1.4).
    Api,
    /// A saved API response, a JSON array of users, or NDJSON.
    File,
    /// The offline generator (no network).
    Synthetic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable tables.
    Text,
    /// One JSON object on stdout (logs stay on stderr).
    Json,
}

/// Formats of the answers (`report`, and `load`'s closing report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Readable tables.
    Text,
    /// One JSON object on stdout (logs stay on stderr).
    Json,
    /// One self-contained HTML page with charts (inline SVG; no scripts or external files).
    Html,
    /// Markdown tables, for pasting into tickets.
    Md,
}

#[derive(Debug, Args)]
pub struct DestArgs {
    /// Where the data lives: s3://bucket[/prefix] or a local directory [default: $DUCKPIPE_DEST,
    /// else ./lake].
    #[arg(long, value_parser = parse_dest)]
    pub dest: Option<Destination>,
}

#[derive(Debug, Args)]
pub struct ReportOptions {
    /// How many countries and (country, city) pairs to list.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub top: u32,
    /// Output format (any case).
    #[arg(long, value_enum, ignore_case = true, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Where users come from [default: file with --input, else api].
    #[arg(long, value_enum, ignore_case = true)]
    pub source: Option<SourceKind>,
    /// Input file (implies --source file).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Number of users to fetch or generate (api, synthetic) [default: 100].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=50_000_000))]
    pub count: Option<u64>,
    /// Seed for reproducible users (api, synthetic). A random one is generated and recorded when absent.
    #[arg(long)]
    pub seed: Option<String>,
    /// Nationalities, comma-separated (e.g. GB,FR,DK; any case).
    #[arg(long, value_delimiter = ',', value_parser = NatCode)]
    pub nat: Option<Vec<String>>,
    /// API base URL, version included (api; for mirrors and tests) [default: $DUCKPIPE_API_URL,
    /// else https://randomuser.me/api/1.4/].
    #[arg(long, value_parser = ApiUrl)]
    pub api_url: Option<Url>,
    /// Users per API request (at most 5000, the API's limit), or per batch handed to DuckDB.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub page_size: u32,
    /// Per-request timeout for the API, in seconds (api) [default: 30].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: Option<u64>,
    /// Attempts per API page before giving up (api; retries on timeouts, 429 and 5xx) [default: 5].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub attempts: Option<u32>,
    /// Reference time for ages (RFC 3339 or a date, e.g. 2026-11-25; default now).
    #[arg(long, value_parser = parse_as_of)]
    pub as_of: Option<OffsetDateTime>,
    /// Refuse the load (exit 3, nothing written) when the input holds fields that duckpipe does
    /// not classify (docs/privacy.md). Without it such fields are dropped and reported.
    #[arg(long)]
    pub strict: bool,
    /// k-anonymity: before writing, generalise (exact age removed, wider age bands, small cities
    /// and then countries become "(other)") until every (gender, age_band, country, city) class
    /// holds at least K records; suppress records only as the last resort, and count them.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    pub min_k: Option<u32>,
    /// Run id (letters, digits, - _ .; at most 64). A run id already recorded at the destination
    /// is skipped, so a retried job never loads twice. Default: a fresh time-based id.
    #[arg(long, value_parser = parse_run_id)]
    pub run_id: Option<String>,
    /// Fail the run when more than this share of the received users cannot be processed (they
    /// are quarantined, encrypted, with their reason, as long as the share stays below this).
    #[arg(long, default_value_t = 0.01, value_parser = parse_ratio)]
    pub max_bad_ratio: f64,
    /// --source file: the largest record (an NDJSON line, an element of a JSON document) that is
    /// loaded, in bytes (a suffix KiB, MiB or GiB is allowed). A larger record is quarantined
    /// with its reason, not loaded, and never held in memory whole.
    #[arg(long, value_name = "BYTES", default_value = "1MiB", value_parser = parse_size)]
    pub max_record_size: u64,
    /// Create the S3 bucket when it does not exist (else a missing bucket is an error).
    #[arg(long)]
    pub create_bucket: bool,
    #[command(flatten)]
    pub dest: DestArgs,
    #[command(flatten)]
    pub report: ReportOptions,
}

/// A size in bytes, with an optional binary suffix: 2048, 64KiB, 1MiB, 1GiB (at most 1 GiB: a
/// record is held in memory whole).
fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (digits, unit) = [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]
        .iter()
        .find_map(|(s, u)| t.strip_suffix(s).map(|d| (d.trim(), *u)))
        .unwrap_or((t, 1));
    match digits.parse::<u64>().ok().and_then(|n| n.checked_mul(unit)) {
        Some(n) if (1..=1 << 30).contains(&n) => Ok(n),
        _ => Err(format!("{text:?} is not a size between 1 byte and 1GiB (e.g. 1048576 or 1MiB)")),
    }
}

fn parse_ratio(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{text:?} is not a ratio between 0 and 1 (e.g. 0.01 for 1 %)")),
    }
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub action: Option<RunsAction>,
    #[command(flatten)]
    pub dest: DestArgs,
    /// List objects that no complete run record names, instead of the runs (safe to delete
    /// when no load is running).
    #[arg(long, conflicts_with = "verify")]
    pub orphans: bool,
    /// Decrypt and authenticate every object of every complete run (needs DUCKPIPE_PARQUET_KEY):
    /// finds objects that were altered or damaged anywhere, also in columns no query reads.
    #[arg(long)]
    pub verify: bool,
    /// Output format (any case).
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum RunsAction {
    /// Delete the quarantine objects (rejected raw records) of runs that finished longer ago than
    /// --older-than; their run records keep the entry, marked purged. Run it on a schedule to keep
    /// the retention in docs/privacy.md. Needs no key.
    PurgeQuarantine(PurgeQuarantineArgs),
    /// Remove runs: the record first (readers stop seeing the run at once), then its objects.
    Drop(DropArgs),
    /// Delete the objects failed attempts left (never one a record names, never one younger than
    /// --older-than), and finish the clean-up of rewrites cut short after their commit.
    Gc(GcArgs),
}

#[derive(Debug, Args)]
pub struct PurgeQuarantineArgs {
    #[command(flatten)]
    pub dest: DestArgs,
    /// Age of the runs whose quarantine goes: a number and d, h or m (e.g. 30d).
    #[arg(long, value_name = "AGE", value_parser = crate::lake::quarantine::parse_age)]
    pub older_than: time::Duration,
    /// List what would be deleted, delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RiskArgs {
    #[command(flatten)]
    pub dest: DestArgs,
    /// Quasi-identifiers, comma-separated (any case).
    #[arg(long, value_delimiter = ',', default_value = "gender,age_band,country,city", value_parser = QiColumn)]
    pub qi: Vec<&'static str>,
    /// Output format (any case).
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub dest: DestArgs,
    /// Write the report to this file instead of stdout (e.g. --format html --out report.html;
    /// `-` is stdout).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Reference time for durations such as time since registration (RFC 3339 or a date; default now).
    #[arg(long, value_parser = parse_as_of)]
    pub as_of: Option<OffsetDateTime>,
    /// Small-cell protection for reports that are published: counts below N are shown as "< N",
    /// places with fewer than N users and the youngest and oldest age are withheld
    /// (docs/privacy.md).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    pub min_cell: Option<u32>,
    #[command(flatten)]
    pub report: ReportOptions,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the keys into this file instead of printing them: a new file is created with mode
    /// 0600 from the commented settings template (.env.example); in an existing file, empty key
    /// lines are filled in and the file is made private (0600). `-` prints them.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --out: replace keys the file already holds (data written with the old keys can then
    /// no longer be read with this file).
    #[arg(long, requires = "out")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(flatten)]
    pub dest: DestArgs,
    /// API base URL to show as `load` would use it.
    #[arg(long, value_parser = ApiUrl)]
    pub api_url: Option<Url>,
    /// Output format (any case).
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of users.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=50_000_000))]
    pub count: u64,
    /// Seed (same seed, same users).
    #[arg(long, default_value = "duckpipe")]
    pub seed: String,
    /// Nationalities, comma-separated (e.g. GB,FR,DK; any case).
    #[arg(long, value_delimiter = ',', value_parser = NatCode)]
    pub nat: Option<Vec<String>>,
    /// Reference time ("today" for registrations and ages; RFC 3339 or a date; default now).
    #[arg(long, value_parser = parse_as_of)]
    pub as_of: Option<OffsetDateTime>,
    /// Write NDJSON (one user per line) instead of an API response object.
    #[arg(long)]
    pub ndjson: bool,
    /// Output file (default stdout; `-` is stdout too).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

const SQL_LONG_ABOUT: &str = "Query the stored data with SQL in an embedded DuckDB that already holds the Parquet key, \
the S3 secret (s3:// destinations), the masking functions (when DUCKPIPE_HMAC_KEY is set), the view `users` over \
the stored data (what `duckpipe report` reads) and the variables `as_of` and `top_n` that sql/analytics/*.sql use.\n\n\
Runs FILE, or -c \"…\", or statements piped on stdin; with none of these and a terminal on stdin, an interactive \
prompt (line editing, history for the session only — never saved, since typed SQL can hold values). \
Errors are shown without data values; exit codes as for the other commands.\n\n\
Every statement is split and classified by DuckDB's own parser before it runs. Refused, because they would \
break duckpipe's guarantees (nothing downloaded at run time, only signed extensions, no secret on disk): INSTALL, \
FORCE INSTALL, LOAD, UPDATE EXTENSIONS and EXPLAIN (EXPLAIN ANALYZE runs what it explains); every change of a \
DuckDB setting (SET, RESET, PRAGMA name = value: DuckDB's configuration is locked for the session; SET VARIABLE \
works); secrets anywhere but in memory (CREATE PERSISTENT SECRET, CREATE SECRET … IN local_file). It is not a \
sandbox: the session reads and writes files the user can.\n\n\
The prompt knows DuckDB's dot-commands: .tables, .schema [TABLE], .mode table|csv|json|line, .timer on|off, \
.read FILE, .help, .quit.\n\n\
--print-setup prints the statements that give a stock DuckDB shell (1.5.5 or later) the same view. No key or \
secret is printed: the DuckDB CLI form (--client cli) reads DUCKPIPE_PARQUET_KEY and the AWS_* credentials \
with getenv(); the Python form (--client python) reads them from os.environ and passes them as parameters, \
which works in every client that can bind parameters. as_of is the time each query runs unless --as-of fixes it.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlFormat {
    /// Aligned columns with a row count.
    Table,
    /// CSV with a header row (one block per statement that returns rows).
    Csv,
    /// One JSON array of row objects per statement that returns rows, one per line.
    Json,
    /// One `column = value` line per value, a blank line between rows (for wide rows).
    Line,
}

/// The DuckDB client a printed setup is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SetupClient {
    /// SQL for the DuckDB CLI (`duckdb -init setup.sql`): secrets read with getenv().
    Cli,
    /// A Python script (duckdb package): secrets read from os.environ, bound as parameters.
    Python,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// A SQL file to run, e.g. sql/analytics/q3_top_countries.sql.
    #[arg(conflicts_with = "sql")]
    pub file: Option<PathBuf>,
    /// SQL to run (one or more statements separated by ';').
    #[arg(short = 'c', long = "command", value_name = "SQL", allow_hyphen_values = true)]
    pub sql: Option<String>,
    #[command(flatten)]
    pub dest: DestArgs,
    /// The variable as_of: reference time for durations such as time since registration (RFC 3339
    /// or a date; default now).
    #[arg(long, value_parser = parse_as_of)]
    pub as_of: Option<OffsetDateTime>,
    /// The variable top_n: how many countries and (country, city) pairs the analytics list.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub top: u32,
    /// Output format for query results (any case).
    #[arg(long, value_enum, ignore_case = true, default_value_t = SqlFormat::Table)]
    pub format: SqlFormat,
    /// Print the setup for a stock DuckDB client (secrets read there, never printed) and exit.
    #[arg(long, conflicts_with_all = ["file", "sql"])]
    pub print_setup: bool,
    /// With --print-setup: the client to set up.
    #[arg(long, value_enum, ignore_case = true, default_value_t = SetupClient::Cli, requires = "print_setup")]
    pub client: SetupClient,
    /// With --print-setup: LOAD this httpfs extension file (offline shells) instead of `LOAD httpfs`.
    #[arg(long, value_name = "PATH", requires = "print_setup")]
    pub httpfs: Option<PathBuf>,
}

fn parse_dest(text: &str) -> Result<Destination, String> {
    Destination::parse(text).map_err(|e| match e {
        crate::lake::StoreConfigError::BadDest(_, why) => why.to_string(),
        other => other.to_string(),
    })
}

fn parse_as_of(text: &str) -> Result<OffsetDateTime, String> {
    timefmt::parse_as_of(text)
}

fn parse_run_id(text: &str) -> Result<String, String> {
    if record::valid_run_id(text) {
        Ok(text.to_string())
    } else {
        Err("use 1-64 letters, digits, '-', '_' or '.' (not starting with '.')".into())
    }
}

/// `--api-url`: an http(s) URL. A refused value is not echoed (clap's own errors quote it): a
/// mistyped URL can still hold credentials (`https://user:token@…`).
#[derive(Clone)]
struct ApiUrl;

impl TypedValueParser for ApiUrl {
    type Value = Url;

    fn parse_ref(&self, _cmd: &clap::Command, _arg: Option<&clap::Arg>, value: &OsStr) -> Result<Url, clap::Error> {
        let text = value.to_str().unwrap_or("");
        super::settings::parse_api_url(text).map_err(|problem| {
            clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("--api-url: {problem}\n"))
        })
    }
}

/// One nationality code of `--nat`, upper-cased; the help lists the codes the API knows.
#[derive(Clone)]
struct NatCode;

impl TypedValueParser for NatCode {
    type Value = String;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<String, clap::Error> {
        let code = |text: &str| {
            nationality::code(text).map(str::to_string).ok_or_else(|| {
                format!("not a nationality code of the randomuser API v1.4 ({})", NATIONALITIES.join(" "))
            })
        };
        code.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(NATIONALITIES.iter().map(PossibleValue::new)))
    }
}

/// One quasi-identifier column of `--qi`: the allow-list's own string, so nothing typed by the
/// user reaches SQL.
#[derive(Clone)]
struct QiColumn;

impl TypedValueParser for QiColumn {
    type Value = &'static str;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<&'static str, clap::Error> {
        let column = |text: &str| {
            ALLOWED_QI
                .iter()
                .copied()
                .find(|c| c.eq_ignore_ascii_case(text.trim()))
                .ok_or_else(|| format!("not a quasi-identifier column; choose from {}", ALLOWED_QI.join(", ")))
        };
        column.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(ALLOWED_QI.iter().map(PossibleValue::new)))
    }
}
