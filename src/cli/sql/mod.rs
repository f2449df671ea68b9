//! `duckpipe sql`: a DuckDB session over the stored data, set up the way `duckpipe report` sees
//! it — the Parquet key, the S3 secret, the masking functions (when `DUCKPIPE_HMAC_KEY` is set),
//! the view `users` and the variables `as_of` and `top_n` the analytics files use.
//!
//! Runs a file, a `-c` string, statements piped on stdin, or an interactive prompt. DuckDB's parser
//! splits the input into statements and classifies each; every statement passes [`guard::check`]
//! before it runs, and DuckDB's locked configuration refuses the rest (see [`guard`]). Errors are
//! sanitized like every DuckDB error.

pub mod guard;
pub mod output;
pub mod setup;
pub mod split;

use std::io::{IsTerminal as _, Read as _, Write as _};

use time::OffsetDateTime;

use super::args::{SqlArgs, SqlFormat};
use super::output::print_text;
use super::settings;
use crate::engine::statements::{Statements, UserConnection};
use crate::engine::{Engine, EngineError};
use crate::error::{InternalError, UsageError};
use crate::keys::HMAC_KEY_VAR;
use crate::lake::{self, Destination, users_view};
use crate::timefmt;
use output::ResultSet;

pub fn run(args: SqlArgs) -> anyhow::Result<()> {
    let dest = args.dest.dest;
    let as_of = settings::as_of(args.as_of);
    let parquet = settings::parquet_key()?;
    if args.print_setup {
        let text = setup::render(&dest, &parquet, as_of, args.top, args.httpfs.as_deref())?;
        return print_text(&text);
    }
    let session = Session::open(&dest, &parquet, as_of, args.top)?;
    if let Some(path) = &args.file {
        let text =
            std::fs::read_to_string(path).map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
        return session.run_script(&text, args.format);
    }
    if let Some(text) = &args.sql {
        return session.run_script(text, args.format);
    }
    if std::io::stdin().is_terminal() {
        return session.interactive(args.format);
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| UsageError(format!("cannot read SQL from stdin: {e}")))?;
    session.run_script(&text, args.format)
}

/// An open engine with the view in place, and the variables for the connections it makes.
pub struct Session {
    engine: Engine,
    as_of: OffsetDateTime,
    top: u32,
}

/// The connection statements run on: DuckDB splits and classifies what is typed (guard).
pub struct Connection<'s> {
    user: UserConnection<'s>,
}

impl Session {
    pub fn open(
        dest: &Destination,
        parquet: &crate::keys::ParquetKey,
        as_of: OffsetDateTime,
        top: u32,
    ) -> anyhow::Result<Self> {
        // The masking functions need the HMAC key; querying does not, so it is optional here —
        // but a key that is set must be valid.
        let hmac = match settings::hmac_key_if_set()? {
            Some(key) => Some(key),
            None => {
                tracing::info!("{HMAC_KEY_VAR} is not set: the masking functions (pseudonym() …) are not available");
                None
            }
        };
        let engine = lake::open(dest, parquet, hmac.as_ref(), false)?;
        users_view::open_users_view(&engine, dest)?;
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
        Ok(Connection { user })
    }

    /// Runs every statement in `text` on a fresh connection (see [`Connection::run_script`]).
    pub fn run_script(&self, text: &str, format: SqlFormat) -> anyhow::Result<()> {
        self.connect()?.run_script(text, format)
    }

    /// A prompt with line editing (see [`Connection::interactive`]).
    fn interactive(&self, format: SqlFormat) -> anyhow::Result<()> {
        self.connect()?.interactive(format)
    }
}

impl Connection<'_> {
    /// Runs every statement DuckDB finds in `text`, each checked before it runs and printed
    /// after; stops at the first error or refusal, which names the statement's position.
    pub fn run_script(&self, text: &str, format: SqlFormat) -> anyhow::Result<()> {
        let statements = self.user.statements(text)?;
        if statements.is_empty() {
            return Err(UsageError("no SQL statement given".into()).into());
        }
        let many = statements.len() > 1;
        for i in 0..statements.len() {
            let result = self
                .run_one(&statements, i)
                .map_err(|e| if many { e.context(format!("statement {}", i + 1)) } else { e })?;
            print_text(&result.render(format))?;
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

    /// A prompt with line editing and in-memory history. Statements end with `;`; errors are
    /// shown and the session goes on. History is not saved to disk: typed SQL can hold values
    /// (an e-mail passed to pseudonym(), say) that must not land in a file.
    fn interactive(&self, format: SqlFormat) -> anyhow::Result<()> {
        let mut editor =
            rustyline::DefaultEditor::new().map_err(|e| anyhow::anyhow!("cannot start the prompt: {e}"))?;
        let users = self.user.count_trusted("SELECT count(*) FROM users").map_or(-1, |n| n as i64);
        eprintln!(
            "duckpipe sql — view `users` ({users} rows), variables as_of and top_n; end statements with ';'. \
             .read FILE runs a file; .quit or Ctrl-D to leave. Refused: INSTALL, extension and secret settings (see --help)."
        );
        let mut buffer = String::new();
        loop {
            let prompt = if buffer.is_empty() { "duckpipe> " } else { "      ..> " };
            match editor.readline(prompt) {
                Ok(line) => {
                    if buffer.is_empty() && matches!(line.trim(), ".quit" | ".exit" | "\\q") {
                        return Ok(());
                    }
                    // `.read FILE` as in the DuckDB shell, e.g. `.read sql/analytics/q1_tenure.sql`.
                    if let Some(path) = line.trim().strip_prefix(".read ").filter(|_| buffer.is_empty()) {
                        let _ = editor.add_history_entry(line.trim());
                        match std::fs::read_to_string(path.trim()) {
                            Ok(text) => {
                                if let Err(e) = self.run_script(&text, format) {
                                    eprintln!("error: {}", crate::terminal::printable(&format!("{e:#}")));
                                }
                            }
                            Err(e) => eprintln!("error: cannot read {}: {e}", crate::terminal::printable(path.trim())),
                        }
                        continue;
                    }
                    buffer.push_str(&line);
                    buffer.push('\n');
                    if !split::is_complete(&buffer) {
                        continue;
                    }
                    let _ = editor.add_history_entry(buffer.trim_end());
                    if !split::only_comments(&buffer)
                        && let Err(e) = self.run_script(&buffer, format)
                    {
                        eprintln!("error: {}", crate::terminal::printable(&format!("{e:#}")));
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
}

/// DuckDB's own refusals (locked settings, persistent secrets) as usage errors (exit 2) with a
/// clear reason; any other engine error as it is.
fn engine_refusal(e: EngineError) -> anyhow::Error {
    match guard::refusal_from_engine(&e.0) {
        Some(refused) => UsageError(refused.to_string()).into(),
        None => e.into(),
    }
}
