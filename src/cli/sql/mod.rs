//! `duckpipe sql`: a DuckDB session over the stored data, set up the way `duckpipe report` sees
//! it — the Parquet key, the S3 secret, the masking functions (when `DUCKPIPE_HMAC_KEY` is set),
//! the view `users` and the variables `as_of` and `top_n` the analytics files use.
//!
//! Runs a file, a `-c` string, statements piped on stdin, or an interactive prompt with the
//! DuckDB shell's dot-commands. DuckDB's parser splits the input into statements and classifies
//! each; every statement passes [`guard::check`] before it runs, and DuckDB's locked
//! configuration refuses the rest (see [`guard`]). Errors are sanitized like every DuckDB error
//! (names and positions shown, values never).

pub mod guard;
pub mod output;
pub mod setup;
pub mod split;

use std::io::{IsTerminal as _, Read as _, Write as _};

use time::OffsetDateTime;

use super::args::{SqlArgs, SqlFormat};
use super::output::print_text;
use super::settings::{self, Env, Setting};
use crate::engine::statements::{Statements, UserConnection};
use crate::engine::{Engine, EngineError, sql};
use crate::error::{InternalError, UsageError};
use crate::keys::{HMAC_KEY_VAR, HmacKey};
use crate::lake::{self, Destination, integrity, users_view};
use crate::terminal::printable;
use crate::timefmt;
use output::ResultSet;

pub fn run(args: SqlArgs, env: &Env) -> anyhow::Result<()> {
    let dest = settings::dest(&args.dest, env)?;
    let parquet = settings::parquet_key(env)?;
    if args.print_setup {
        // Only a given --as-of is fixed in the setup; otherwise the client uses its query's time.
        let text =
            setup::render(&dest.value, env, &parquet, args.as_of, args.top, args.httpfs.as_deref(), args.client)?;
        return print_text(&text);
    }
    let hmac = settings::hmac_key_if_set(env)?;
    let session = Session::open(&dest, &parquet, hmac.as_ref(), settings::as_of(args.as_of), args.top)?;
    // Tables are cut to the terminal's width only when a person reads them there.
    let width = if std::io::stdout().is_terminal() { terminal_width() } else { None };
    if let Some(path) = &args.file {
        let text =
            std::fs::read_to_string(path).map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
        return session.run_script(&text, args.format, width);
    }
    if let Some(text) = &args.sql {
        return session.run_script(text, args.format, width);
    }
    if std::io::stdin().is_terminal() {
        return session.interactive(args.format);
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| UsageError(format!("cannot read SQL from stdin: {e}")))?;
    session.run_script(&text, args.format, width)
}

fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w))
}

/// An open engine with the view in place, and the variables for the connections it makes.
pub struct Session {
    engine: Engine,
    as_of: OffsetDateTime,
    top: u32,
}

/// The connection statements run on: DuckDB splits and classifies what is typed (guard).
pub struct Connection<'s> {
    engine: &'s Engine,
    user: UserConnection<'s>,
}

/// What the prompt's dot-commands change.
struct PromptState {
    format: SqlFormat,
    timer: bool,
}

/// What to do after a dot-command.
enum Next {
    Continue,
    Quit,
}

const HELP: &str = "\
.help                  this list
.tables                the tables and views (`users` holds the stored data)
.schema [TABLE]        columns and types of every table, or of TABLE
.mode [MODE]           result format: table, csv, json or line (without MODE: the current one)
.timer on|off          print how long each statement took
.read FILE             run the statements in FILE (e.g. sql/analytics/q3_top_countries.sql)
.quit, .exit           leave (or Ctrl-D)
Statements end with ';' and may span lines; Ctrl-C drops the statement being typed.
Variables: getvariable('as_of'), getvariable('top_n'). History is kept for this session only.
";

impl Session {
    pub fn open(
        dest: &Setting<Destination>,
        parquet: &crate::keys::ParquetKey,
        hmac: Option<&HmacKey>,
        as_of: OffsetDateTime,
        top: u32,
    ) -> anyhow::Result<Self> {
        // The masking functions need the HMAC key; querying does not.
        if hmac.is_none() {
            tracing::info!("{HMAC_KEY_VAR} is not set: the masking functions (pseudonym() …) are not available");
        }
        let engine = lake::open(&dest.value, parquet, hmac, false)?;
        let records = integrity::records(&engine, &dest.value)?;
        if records.is_empty() {
            return Err(settings::no_runs(dest).into());
        }
        users_view::open_users_view_of(&engine, &dest.value, &records)?;
        Ok(Self { engine, as_of, top })
    }

    /// A connection in the working database with the variables `as_of` and `top_n` set.
    pub fn connect(&self) -> anyhow::Result<Connection<'_>> {
        let user = self.engine.user_connection()?;
        user.run_trusted(&format!(
            "SET VARIABLE as_of = {}; SET VARIABLE top_n = {};",
            timefmt::sql_timestamp(self.as_of),
            self.top
        ))?;
        Ok(Connection { engine: &self.engine, user })
    }

    /// Runs every statement in `text` on a fresh connection (see [`Connection::run_script`]).
    pub fn run_script(&self, text: &str, format: SqlFormat, width: Option<usize>) -> anyhow::Result<()> {
        self.connect()?.run_script(text, format, width)
    }

    /// A prompt with line editing (see [`Connection::interactive`]).
    fn interactive(&self, format: SqlFormat) -> anyhow::Result<()> {
        self.connect()?.interactive(format)
    }
}

impl Connection<'_> {
    /// Runs every statement DuckDB finds in `text`, each checked before it runs and printed
    /// after (tables cut to `width` when given); stops at the first error or refusal, which
    /// names the statement's position.
    pub fn run_script(&self, text: &str, format: SqlFormat, width: Option<usize>) -> anyhow::Result<()> {
        let statements = self.user.statements(text)?;
        if statements.is_empty() {
            return Err(UsageError("no SQL statement given".into()).into());
        }
        let many = statements.len() > 1;
        for i in 0..statements.len() {
            let result = self
                .run_one(&statements, i)
                .map_err(|e| if many { e.context(format!("statement {}", i + 1)) } else { e })?;
            print_text(&result.render_fitted(format, width))?;
        }
        Ok(())
    }

    /// Statement `i`: prepared (after the ones before it ran), checked by its DuckDB type, run.
    fn run_one(&self, statements: &Statements<'_>, i: usize) -> anyhow::Result<ResultSet> {
        let prepared = statements.prepare(i).map_err(engine_refusal)?;
        guard::check(prepared.kind()).map_err(|r| UsageError(r.to_string()))?;
        let (schema, batches) = prepared.execute().map_err(engine_refusal)?;
        // DuckDB refuses persistent secrets; check that it did.
        let on_disk =
            self.user.count_trusted("SELECT count(*) FROM duckdb_secrets() WHERE persistent OR storage <> 'memory'")?;
        if on_disk > 0 {
            return Err(InternalError(format!("{on_disk} secret(s) outside memory after a statement")).into());
        }
        ResultSet::from_arrow(&schema, &batches).map_err(|e| EngineError(format!("cannot read the result: {e}")).into())
    }

    /// A prompt with line editing and in-memory history. Statements end with `;`; lines starting
    /// with `.` at the start of a statement are dot-commands ([`HELP`]); errors are shown and the
    /// session goes on. History is not saved to disk: typed SQL can hold values (an e-mail
    /// passed to pseudonym(), say) that must not land in a file.
    fn interactive(&self, format: SqlFormat) -> anyhow::Result<()> {
        let mut editor =
            rustyline::DefaultEditor::new().map_err(|e| anyhow::anyhow!("cannot start the prompt: {e}"))?;
        let users = self.user.count_trusted("SELECT count(*) FROM users").map_or(-1, |n| n as i64);
        eprintln!(
            "duckpipe sql — view `users` ({} rows), variables as_of and top_n; end statements with ';'. \
             .help lists the dot-commands (.tables, .schema, .mode, .timer, .read, .quit).",
            crate::numbers::grouped(users)
        );
        let mut state = PromptState { format, timer: false };
        let mut buffer = String::new();
        loop {
            let prompt = if buffer.is_empty() { "duckpipe> " } else { "      ..> " };
            match editor.readline(prompt) {
                Ok(line) => {
                    let width = editor.dimensions().map(|(w, _)| usize::from(w));
                    if buffer.is_empty() && (line.trim_start().starts_with('.') || line.trim() == "\\q") {
                        let _ = editor.add_history_entry(line.trim());
                        match self.dot_command(line.trim(), &mut state, width) {
                            Ok(Next::Quit) => return Ok(()),
                            Ok(Next::Continue) => {}
                            Err(e) => eprintln!("error: {}", printable(&format!("{e:#}"))),
                        }
                        continue;
                    }
                    buffer.push_str(&line);
                    buffer.push('\n');
                    if !split::is_complete(&buffer) {
                        continue;
                    }
                    let _ = editor.add_history_entry(buffer.trim_end());
                    if !split::only_comments(&buffer) {
                        self.run_timed(&buffer, &state, width)?;
                    }
                    buffer.clear();
                }
                Err(rustyline::error::ReadlineError::Interrupted) => buffer.clear(),
                Err(rustyline::error::ReadlineError::Eof) => return Ok(()),
                Err(e) => return Err(anyhow::anyhow!("the prompt failed: {e}")),
            }
            let _ = std::io::stderr().flush();
        }
    }

    /// Statements at the prompt: their results or the first error, and the time they took with
    /// `.timer on`.
    fn run_timed(&self, text: &str, state: &PromptState, width: Option<usize>) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        if let Err(e) = self.run_script(text, state.format, width) {
            eprintln!("error: {}", printable(&format!("{e:#}")));
        }
        if state.timer {
            print_text(&format!("Run Time (s): real {:.3}\n", started.elapsed().as_secs_f64()))?;
        }
        Ok(())
    }

    /// A dot-command (the DuckDB shell's names, the ones that make sense here).
    fn dot_command(&self, line: &str, state: &mut PromptState, width: Option<usize>) -> anyhow::Result<Next> {
        let (command, arg) = line.split_once(char::is_whitespace).map_or((line, ""), |(c, a)| (c, a.trim()));
        match command {
            ".quit" | ".exit" | "\\q" => return Ok(Next::Quit),
            ".help" => print_text(HELP)?,
            ".tables" => {
                let rows = self.engine.rows(sql::PROMPT_TABLES.text, [], |r| {
                    Ok(vec![
                        Some(r.get::<_, String>(0)?),
                        Some(r.get::<_, String>(1)?),
                        Some(r.get::<_, i64>(2)?.to_string()),
                    ])
                })?;
                let result = ResultSet {
                    columns: vec!["name".into(), "kind".into(), "columns".into()],
                    kinds: vec![output::Kind::Text, output::Kind::Text, output::Kind::Number],
                    rows,
                };
                print_text(&result.render_fitted(SqlFormat::Table, width))?;
            }
            ".schema" => {
                let table = arg.trim_matches('"');
                let rows = self.engine.rows(sql::PROMPT_COLUMNS.text, [table], |r| {
                    Ok(vec![Some(r.get::<_, String>(0)?), Some(r.get::<_, String>(1)?), Some(r.get::<_, String>(2)?)])
                })?;
                if rows.is_empty() && !table.is_empty() {
                    return Err(UsageError(format!(
                        "no table or view named {:?} (.tables lists them)",
                        printable(table)
                    ))
                    .into());
                }
                let result = ResultSet {
                    columns: vec!["table".into(), "column".into(), "type".into()],
                    kinds: vec![output::Kind::Text; 3],
                    rows,
                };
                print_text(&result.render_fitted(SqlFormat::Table, width))?;
            }
            ".mode" if arg.is_empty() => print_text(&format!("current output mode: {}\n", mode_name(state.format)))?,
            ".mode" => {
                state.format = match arg.to_ascii_lowercase().as_str() {
                    "table" | "duckbox" | "box" => SqlFormat::Table,
                    "csv" => SqlFormat::Csv,
                    "json" => SqlFormat::Json,
                    "line" => SqlFormat::Line,
                    _ => {
                        return Err(UsageError(format!(
                            "unknown mode {:?}: choose table, csv, json or line",
                            printable(arg)
                        ))
                        .into());
                    }
                }
            }
            ".timer" => {
                state.timer = match arg.to_ascii_lowercase().as_str() {
                    "on" => true,
                    "off" => false,
                    _ => return Err(UsageError("usage: .timer on|off".into()).into()),
                }
            }
            ".read" if !arg.is_empty() => {
                let text = std::fs::read_to_string(arg)
                    .map_err(|e| UsageError(format!("cannot read {}: {e}", printable(arg))))?;
                self.run_timed(&text, state, width)?;
            }
            ".read" => return Err(UsageError("usage: .read FILE".into()).into()),
            other => {
                return Err(UsageError(format!(
                    "unknown command {}: .help lists the ones duckpipe's prompt knows",
                    printable(other)
                ))
                .into());
            }
        }
        Ok(Next::Continue)
    }
}

fn mode_name(format: SqlFormat) -> &'static str {
    match format {
        SqlFormat::Table => "table",
        SqlFormat::Csv => "csv",
        SqlFormat::Json => "json",
        SqlFormat::Line => "line",
    }
}

/// DuckDB's own refusals (locked settings, persistent secrets) as usage errors (exit 2) with a
/// clear reason; any other engine error as it is.
fn engine_refusal(e: EngineError) -> anyhow::Error {
    match guard::refusal_from_engine(&e.0) {
        Some(refused) => UsageError(refused.to_string()).into(),
        None => e.into(),
    }
}
