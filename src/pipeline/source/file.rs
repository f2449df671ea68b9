//! Users from a file: a saved API response (with or without `info`), a bare JSON array of users,
//! or NDJSON (one user per line).
//!
//! Each user is handed on as the exact text of its JSON object (split with `RawValue`, never
//! re-serialised). Error messages name the file and the position (line or element) but never
//! quote the input: the records are personal data.

use super::{BatchSink, SourceSummary};
use anyhow::{Context, bail};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// A saved API response. `info` is kept as a `Value`: it holds no user data, and reading it
/// leniently means an odd `info` never rejects an otherwise good file.
#[derive(Deserialize)]
struct Response<'a> {
    #[serde(borrow)]
    results: Vec<&'a RawValue>,
    info: Option<serde_json::Value>,
}

/// Just enough of an object to tell an API response (has `results`) from a user.
#[derive(Deserialize)]
struct Probe {
    results: Option<IgnoredAny>,
}

pub fn read(path: &Path, batch_size: usize, sink: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary> {
    if batch_size == 0 {
        bail!("batch size must be at least 1");
    }
    let name = path.display();
    let file = File::open(path).with_context(|| format!("{name}: cannot open file"))?;
    let mut reader = BufReader::new(file);
    let mut batcher = Batcher { batch: Vec::with_capacity(batch_size), batch_size, sink, pages: 0, users: 0 };
    let mut summary = SourceSummary { kind: "file".into(), ..Default::default() };

    // Find the first non-blank line: its first byte and content decide the format.
    let mut line = String::new();
    let mut line_no = 0usize;
    loop {
        line.clear();
        let n = reader.read_line(&mut line).with_context(|| format!("{name}: cannot read file"))?;
        if n == 0 {
            // Empty (or blank) file: no users; the caller decides whether that is an error.
            return batcher.finish(summary);
        }
        line_no += 1;
        if line_no == 1 && line.starts_with('\u{feff}') {
            line.drain(..'\u{feff}'.len_utf8());
        }
        if !line.trim().is_empty() {
            break;
        }
    }

    if starts_ndjson(&line) {
        // One user per line, streamed: the file is never held in memory whole.
        loop {
            let text = line.trim();
            if !text.is_empty() {
                // A bad line is one bad record, not a bad file: it is handed on as it is and
                // quarantined with its reason (sql/stage/checked_users.sql), never dropped.
                match serde_json::from_str::<&RawValue>(text) {
                    Ok(raw) if is_object(raw) => {}
                    Ok(_) => tracing::warn!(file = %name, line = line_no, "not a JSON object: quarantined"),
                    Err(e) => {
                        tracing::warn!(file = %name, line = line_no, problem = %describe(&e), "not valid JSON: quarantined")
                    }
                }
                batcher.push(text)?;
            }
            line.clear();
            let n = reader
                .read_line(&mut line)
                .with_context(|| format!("{name}: cannot read file (after line {line_no})"))?;
            if n == 0 {
                break;
            }
            line_no += 1;
        }
        return batcher.finish(summary);
    }

    // A whole JSON document: a response object or a bare array.
    let mut text = std::mem::take(&mut line);
    reader.read_to_string(&mut text).with_context(|| format!("{name}: cannot read file"))?;
    // Positions in serde_json errors count from the start of `text`, which starts at `line_no`.
    let offset = line_no - 1;
    let (results, what) = match text.trim_start().as_bytes().first() {
        Some(b'[') => {
            let users: Vec<&RawValue> = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!("{name}: not a valid JSON array of users ({})", describe_at(&e, offset))
            })?;
            (users, "element")
        }
        Some(b'{') => {
            let resp: Response = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!("{name}: not a saved API response or NDJSON ({})", describe_at(&e, offset))
            })?;
            if let Some(info) = &resp.info {
                summary.seed = info.get("seed").and_then(|s| s.as_str()).map(str::to_string);
                summary.api_version = info.get("version").and_then(|s| s.as_str()).map(str::to_string);
            }
            (resp.results, "results element")
        }
        _ => bail!("{name} line {line_no}: not JSON users (expected an object, an array or NDJSON)"),
    };
    for (i, raw) in results.into_iter().enumerate() {
        if !is_object(raw) {
            // Quarantined downstream with its reason, like any other unusable record.
            tracing::warn!(file = %name, "{what} {i} (0-based) is not a JSON object: quarantined");
        }
        batcher.push(raw.get())?;
    }
    batcher.finish(summary)
}

/// Whether a file whose first non-blank line is `line` is NDJSON: that line opens an object and
/// is one on its own — not a saved API response (which has `results`) and not the first line of
/// a document that goes on (which ends before the object does). A first line that is broken
/// JSON on its own (an invalid escape, a bareword) is a bad record of an NDJSON file, to
/// quarantine like any other line.
fn starts_ndjson(line: &str) -> bool {
    let first = line.trim();
    first.starts_with('{')
        && match serde_json::from_str::<Probe>(first) {
            Ok(Probe { results }) => results.is_none(),
            Err(e) => !e.is_eof(),
        }
}

/// Whether DuckDB may read `path` itself as NDJSON (`sql/stage/raw_users_from_file.sql`): a regular file
/// (a pipe or a device could be read only once: the probe below would eat its first line), NDJSON
/// by the rule [`read`] uses, with no byte-order mark (DuckDB refuses one), at a plain local path
/// (DuckDB would expand `*`, `?`, `[` and `{` as a glob, and read `…://` as a URL). Anything else —
/// and any file DuckDB then refuses — is read by [`read`].
pub fn duckdb_can_read(path: &Path) -> bool {
    let plain = path.to_str().is_some_and(|p| !p.contains(['*', '?', '[', '{']) && !p.contains("://"));
    if !plain || !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(file) = File::open(path) else { return false };
    let mut reader = BufReader::new(file);
    // Up to the first byte that is not blank: unless it opens an object, this is not NDJSON, and
    // the (possibly huge, one-line) document is not read any further.
    loop {
        let Ok(buf) = reader.fill_buf() else { return false };
        let Some(&first) = buf.iter().find(|b| !b.is_ascii_whitespace()) else {
            if buf.is_empty() {
                return false;
            }
            let n = buf.len();
            reader.consume(n);
            continue;
        };
        if first != b'{' {
            return false;
        }
        let blank = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        reader.consume(blank);
        break;
    }
    let mut line = String::new();
    reader.read_line(&mut line).is_ok() && starts_ndjson(&line)
}

fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

/// serde_json's message without its position, for syntax problems only: syntax messages
/// ("expected value", "trailing characters") never quote the input, but data-type messages can
/// (`invalid type: string "…"`), so those get a generic text.
fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let msg = match e.classify() {
        Category::Syntax | Category::Eof => {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            full.strip_suffix(&suffix).map(str::to_string).unwrap_or(full)
        }
        Category::Data => "unexpected structure: `results` must be an array".to_string(),
        Category::Io => "read error".to_string(),
    };
    format!("{msg} at column {}", e.column())
}

/// [`describe`] with the line number shifted by the lines read before the document began.
fn describe_at(e: &serde_json::Error, offset: usize) -> String {
    let s = describe(e);
    let line = e.line() + offset;
    match s.rsplit_once(" at column ") {
        Some((msg, col)) => format!("{msg} at line {line} column {col}"),
        None => s,
    }
}

/// Collects users into batches of `batch_size` for the sink.
struct Batcher<'s, 'a> {
    batch: Vec<String>,
    batch_size: usize,
    sink: &'s mut BatchSink<'a>,
    pages: u32,
    users: u64,
}

impl Batcher<'_, '_> {
    fn push(&mut self, user: &str) -> anyhow::Result<()> {
        self.batch.push(user.to_string());
        if self.batch.len() == self.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        crate::interrupt::check()?;
        if !self.batch.is_empty() {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(self.batch_size));
            self.users += batch.len() as u64;
            self.pages += 1;
            (self.sink)(batch)?;
        }
        Ok(())
    }

    fn finish(mut self, mut summary: SourceSummary) -> anyhow::Result<SourceSummary> {
        self.flush()?;
        summary.pages = self.pages;
        summary.users = self.users;
        Ok(summary)
    }
}

/// A file of users (see [`read`]).
#[derive(Debug, Clone)]
pub struct FileSource {
    pub path: std::path::PathBuf,
}

impl super::Source for FileSource {
    fn produce(&self, batch_size: usize, sink: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary> {
        read(&self.path, batch_size, sink)
    }

    fn duckdb_file(&self) -> Option<&Path> {
        duckdb_can_read(&self.path).then_some(self.path.as_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ru13_050_mixed.json");

    fn collect(path: &Path, batch: usize) -> anyhow::Result<(SourceSummary, Vec<usize>, Vec<String>)> {
        let mut sizes = Vec::new();
        let mut users = Vec::new();
        let s = read(path, batch, &mut |b: Vec<String>| {
            sizes.push(b.len());
            users.extend(b);
            Ok(())
        })?;
        Ok((s, sizes, users))
    }

    /// The fixture's users as compact JSON (serde_json keeps numbers and strings exactly).
    fn fixture_users() -> Vec<String> {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
        v["results"].as_array().unwrap().iter().map(|u| u.to_string()).collect()
    }

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn same(got: &[String], want: &[String]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            let g: Value = serde_json::from_str(g).unwrap();
            let w: Value = serde_json::from_str(w).unwrap();
            assert_eq!(g, w);
        }
    }

    #[test]
    fn saved_response_with_info() {
        let (s, sizes, users) = collect(Path::new(FIXTURE), 20).unwrap();
        assert_eq!(sizes, [20, 20, 10]);
        assert_eq!(s.kind, "file");
        assert_eq!(s.users, 50);
        assert_eq!(s.pages, 3);
        assert_eq!(s.seed.as_deref(), Some("5b53189b380f1f8c"));
        assert_eq!(s.api_version.as_deref(), Some("1.3"));
        same(&users, &fixture_users());
        // Exact text: the pretty-printed object as in the file, not re-serialised.
        let file = std::fs::read_to_string(FIXTURE).unwrap();
        assert!(users.iter().all(|u| file.contains(u.as_str())));
        assert!(users[0].contains('\n'));
    }

    #[test]
    fn variants() {
        let dir = tempfile::tempdir().unwrap();
        let want = fixture_users();
        let no_info = write(&dir, "noinfo.json", &format!("{{\"results\":[{}]}}", want.join(",")));
        let array = write(&dir, "array.json", &format!("\n  [\n{}\n]\n", want.join(",\n")));
        let ndjson = write(&dir, "users.ndjson", &format!("\n{}\n\n", want.join("\r\n")));
        for p in [&no_info, &array, &ndjson] {
            let (s, sizes, users) = collect(p, 7).unwrap();
            assert_eq!(users, want, "{}", p.display());
            assert_eq!(sizes.iter().sum::<usize>(), 50);
            assert!(sizes.iter().all(|&n| n == 7) || sizes.last() == Some(&1));
            assert_eq!((s.users, s.pages, s.seed), (50, 8, None));
        }
    }

    #[test]
    fn empty_inputs_give_no_users() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in
            [("a.json", "{\"results\":[],\"info\":{\"seed\":\"x\"}}"), ("b.json", "[]"), ("c.ndjson", "\n\n")]
        {
            let (s, sizes, _) = collect(&write(&dir, name, text), 10).unwrap();
            assert_eq!((s.users, s.pages, sizes.len()), (0, 0, 0), "{name}");
        }
    }

    #[test]
    fn duckdb_reads_only_plain_regular_ndjson_files() {
        let dir = tempfile::tempdir().unwrap();
        let user = r#"{"gender":"female","email":"a@b.c"}"#;
        let ndjson = write(&dir, "users.ndjson", &format!("\n  \n{user}\n{user}\n"));
        assert!(duckdb_can_read(&ndjson));
        for (name, text) in [
            ("array.json", format!("[{user},{user}]")),
            ("response.json", format!("{{\"results\":[{user}],\"info\":{{}}}}")),
            ("pretty.json", "{\n  \"results\": []\n}\n".to_string()),
            ("bom.ndjson", format!("\u{feff}{user}\n")),
            ("empty.ndjson", "\n\n".to_string()),
            ("glob[1].ndjson", format!("{user}\n")),
        ] {
            assert!(!duckdb_can_read(&write(&dir, name, &text)), "{name}");
        }
        assert!(!duckdb_can_read(&dir.path().join("missing.ndjson")));
        assert!(!duckdb_can_read(dir.path()), "a folder");
        // A pipe is read once, by duckpipe: probing it would eat its first line (and opening it
        // would wait for a writer).
        let fifo = dir.path().join("users.fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(!duckdb_can_read(&fifo));
    }

    #[test]
    fn bad_ndjson_lines_are_handed_on_for_quarantine() {
        // A truncated line and a non-object line are records too: they reach the sink unchanged
        // (validation quarantines them), and the users after them are not lost.
        let dir = tempfile::tempdir().unwrap();
        let users = fixture_users();
        let mut lines: Vec<String> = users[..20].to_vec();
        lines.insert(3, String::new()); // blank lines are skipped
        lines[16] = "{\"name\": \"Secret Person\", ".to_string();
        lines.push("\"Secret Person\"".to_string());
        let p = write(&dir, "users.ndjson", &lines.join("\n"));
        let (s, _, got) = collect(&p, 5).unwrap();
        let want: Vec<String> = lines.iter().filter(|l| !l.is_empty()).map(|l| l.trim().to_string()).collect();
        assert_eq!(got, want);
        assert_eq!(s.users, 21);
    }

    #[test]
    fn non_object_elements_are_handed_on_but_broken_documents_fail() {
        let dir = tempfile::tempdir().unwrap();
        let u = &fixture_users()[0];
        let p = write(&dir, "arr.json", &format!("[{u},{u},\"Secret Person\"]"));
        let (_, _, got) = collect(&p, 5).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[2], "\"Secret Person\"");
        let p = write(&dir, "resp.json", &format!("{{\"results\":[{u},42]}}"));
        assert_eq!(collect(&p, 5).unwrap().2.len(), 2);
        // A document that cannot be split into records is a bad file: named, without content.
        let p = write(&dir, "bad.json", "{\"results\":\"Secret Person\"}");
        let err = format!("{:#}", collect(&p, 5).unwrap_err());
        assert!(err.contains("bad.json") && !err.contains("Secret"), "{err}");
        let p = write(&dir, "broken.json", &format!("[{u},\n{{\"name\": \"Secret\"\n]"));
        let err = format!("{:#}", collect(&p, 5).unwrap_err());
        assert!(err.contains("broken.json") && err.contains("line") && !err.contains("Secret"), "{err}");
    }

    #[test]
    fn missing_file() {
        let err = format!("{:#}", collect(Path::new("/nonexistent/users.json"), 5).unwrap_err());
        assert!(err.contains("/nonexistent/users.json"), "{err}");
    }

    #[test]
    fn sink_error_stops_reading() {
        let mut calls = 0;
        let r = read(Path::new(FIXTURE), 10, &mut |_| {
            calls += 1;
            anyhow::bail!("stop")
        });
        assert!(r.is_err());
        assert_eq!(calls, 1);
    }
}
