//! What the commands print: stdout for results (text, JSON, pages), never logs or progress.

use std::io::Write as _;

use serde::Serialize;

use crate::error::UsageError;

/// One JSON object on one line.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string(value)?;
    text.push('\n');
    print_text(&text)
}

/// Text to stdout, control characters shown as escapes (`terminal::printable`: values from the
/// input never drive the terminal); a closed pipe (e.g. `| head`) is not an error worth a message.
pub fn print_text(text: &str) -> anyhow::Result<()> {
    let text = crate::terminal::printable(text);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Writes `text` to `out`, or to stdout when `out` is `None` or `-`.
pub fn emit(text: &str, out: Option<&std::path::Path>) -> anyhow::Result<()> {
    match out {
        None => print_text(text),
        Some(path) if path.as_os_str() == "-" => print_text(text),
        Some(path) => {
            std::fs::write(path, text).map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())).into())
        }
    }
}
