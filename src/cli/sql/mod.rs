//! `duckpipe sql`: a DuckDB session over the stored data, set up the way `duckpipe report` sees
//! it — the Parquet key, the S3 secret, the masking functions (when `DUCKPIPE_HMAC_KEY` is set),
//! the view `users` and the variables `as_of` and `top_n` the analytics files use.
//!
//! Runs a file, a `-c` string, statements piped on stdin, or an interactive prompt. Every
//! statement passes [`guard::check`] first; errors are sanitized like every DuckDB error.

pub mod guard;
pub mod output;
pub mod setup;
pub mod split;

use std::io::{IsTerminal as _, Read as _, Write as _};

use time::OffsetDateTime;

use super::args::{SqlArgs, SqlFormat};
use super::output::print_text;
use super::settings;
use crate::engine::{Engine, EngineError};
use crate::error::UsageError;
use crate::keys::HMAC_KEY_VAR;
use crate::lake::{self, Destination, users_view};
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

/// An open engine with the view and variables in place.
pub struct Session {
    engine: Engine,
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
        engine.set_timestamp("as_of", as_of)?;
        engine.set_int("top_n", top.into())?;
        Ok(Self { engine })
    }

    /// Runs one statement (already split) and returns its result.
    pub fn execute(&self, statement: &str) -> anyhow::Result<ResultSet> {
        guard::check(statement).map_err(|r| UsageError(r.to_string()))?;
        let (schema, batches) = self.engine.arrow(statement)?;
        ResultSet::from_arrow(&schema, &batches).map_err(|e| EngineError(format!("cannot read the result: {e}")).into())
    }

    /// Runs every statement in `text`, printing each result; stops at the first error, which
    /// names the statement's position.
    pub fn run_script(&self, text: &str, format: SqlFormat) -> anyhow::Result<()> {
        let statements = split::statements(text);
        if statements.is_empty() {
            return Err(UsageError("no SQL statement given".into()).into());
        }
        let many = statements.len() > 1;
        for (i, statement) in statements.iter().enumerate() {
            let result = self
                .execute(statement)
                .map_err(|e| if many { e.context(format!("statement {}", i + 1)) } else { e })?;
            print_text(&result.render(format))?;
        }
        Ok(())
    }

    /// A prompt with line editing and in-memory history. Statements end with `;`; errors are
    /// shown and the session goes on. History is not saved to disk: typed SQL can hold values
    /// (an e-mail passed to pseudonym(), say) that must not land in a file.
    fn interactive(&self, format: SqlFormat) -> anyhow::Result<()> {
        let mut editor =
            rustyline::DefaultEditor::new().map_err(|e| anyhow::anyhow!("cannot start the prompt: {e}"))?;
        let users = self.engine.query_i64("SELECT count(*) FROM users").unwrap_or(-1);
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
                                    eprintln!("error: {e:#}");
                                }
                            }
                            Err(e) => eprintln!("error: cannot read {}: {e}", path.trim()),
                        }
                        continue;
                    }
                    buffer.push_str(&line);
                    buffer.push('\n');
                    if !split::is_complete(&buffer) {
                        continue;
                    }
                    let _ = editor.add_history_entry(buffer.trim_end());
                    for statement in split::statements(&buffer) {
                        match self.execute(&statement) {
                            Ok(result) => print_text(&result.render(format))?,
                            Err(e) => eprintln!("error: {e:#}"),
                        }
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
