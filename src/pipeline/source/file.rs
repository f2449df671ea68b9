//! Users from a file: a saved API response (with or without `info`), a bare JSON array of users,
//! or NDJSON (one user per line).
//!
//! Reading is bounded whatever the file holds: NDJSON line by line ([`super::lines`]), a JSON
//! document element by element ([`super::document`]), so memory holds a batch of records, never
//! the file. A record larger than the maximum record size is measured, not kept, and handed on as
//! one record to quarantine; so is a record that is not UTF-8 text. Binary input (a NUL byte) and
//! endless input (no record boundary within 1 GiB) stop the read.
//!
//! Each user is handed on as the exact text of its JSON object (never re-serialised). Error
//! messages name the file and the position (line or element) but never quote the input: the
//! records are personal data.

use super::document::{Element, Elements};
use super::lines::{ENDLESS_BYTES, Line, Lines};
use super::{BatchSink, Record, SourceSummary};
use anyhow::{Context, anyhow, bail};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// Just enough of an object to tell an API response (has `results`) from a user.
#[derive(Deserialize)]
struct Probe {
    results: Option<IgnoredAny>,
}

/// Read buffer: large reads, so that a file is read in few system calls.
const READ_BUFFER: usize = 1 << 20;

/// A page handed on holds at most this many bytes of records (besides at most `batch_size`
/// records), so that pages of large records stay small.
const PAGE_BYTES: usize = 32 << 20;

/// Bytes a line may hold beyond the record limit before it is no longer kept: blanks around the
/// record do not count towards its size.
const LINE_SLACK: usize = 4096;

/// What the start of a file says about the rest.
#[derive(Debug, PartialEq, Eq)]
enum Format {
    /// Nothing but blanks.
    Empty,
    Ndjson,
    Document,
}

/// The format, and what was read to tell it: `head` (from the first non-blank byte on) is read
/// again before the rest of the file, starting on line `line`.
struct Probed {
    format: Format,
    head: Vec<u8>,
    line: u64,
    bom: bool,
}

/// Tells the format from the first non-blank line, reading at most `limit` bytes of it (and the
/// blanks before it). NDJSON when that line is a JSON object that is not a saved API response
/// (has no `results`); a first line too long to hold is a document when its first key is
/// `results` or `info`, else an NDJSON record.
fn probe(reader: &mut impl BufRead, limit: usize) -> anyhow::Result<Probed> {
    let read_err = |e: std::io::Error| anyhow!("cannot read the file ({})", e.kind());
    let mut bom = false;
    if reader.fill_buf().map_err(read_err)?.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
        bom = true;
    }
    let mut line = 1u64;
    let mut blank: u64 = 0;
    let first = loop {
        let buf = reader.fill_buf().map_err(read_err)?;
        if buf.is_empty() {
            return Ok(Probed { format: Format::Empty, head: Vec::new(), line, bom });
        }
        match buf.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
            Some(i) => {
                line += buf[..i].iter().filter(|&&b| b == b'\n').count() as u64;
                let first = buf[i];
                reader.consume(i);
                break first;
            }
            None => {
                let n = buf.len();
                line += buf.iter().filter(|&&b| b == b'\n').count() as u64;
                reader.consume(n);
                blank += n as u64;
                if blank > ENDLESS_BYTES {
                    bail!(
                        "holds nothing but blanks for more than {ENDLESS_BYTES} bytes: endless input, not JSON users"
                    );
                }
            }
        }
    };
    let format = match first {
        b'[' => return Ok(Probed { format: Format::Document, head: Vec::new(), line, bom }),
        b'{' => Format::Ndjson,
        0 => bail!("line {line} holds a NUL byte: binary input, not JSON text"),
        _ => bail!("line {line}: not JSON users (expected an object, an array or NDJSON)"),
    };
    debug_assert_eq!(format, Format::Ndjson);
    // Up to the end of the first line, or `limit` bytes of it.
    let mut head = Vec::new();
    let mut ended = false;
    while head.len() < limit {
        let buf = reader.fill_buf().map_err(read_err)?;
        if buf.is_empty() {
            ended = true;
            break;
        }
        let end = memchr::memchr(b'\n', buf);
        let take = end.map_or(buf.len(), |i| i + 1).min(limit - head.len());
        if memchr::memchr(0, &buf[..take]).is_some() {
            bail!("line {line} holds a NUL byte: binary input, not JSON text");
        }
        head.extend_from_slice(&buf[..take]);
        reader.consume(take);
        if head.last() == Some(&b'\n') {
            ended = true;
            break;
        }
    }
    let format = if ended {
        if starts_ndjson(&String::from_utf8_lossy(&head)) { Format::Ndjson } else { Format::Document }
    } else {
        let key = head[1..].trim_ascii_start();
        if key.starts_with(b"\"results\"") || key.starts_with(b"\"info\"") { Format::Document } else { Format::Ndjson }
    };
    Ok(Probed { format, head, line, bom })
}

/// Reads the users of `path` into `sink`, in batches of at most `batch_size`; a record over
/// `max_record_bytes` is handed on as [`Record::oversized`].
pub fn read(
    path: &Path,
    batch_size: usize,
    max_record_bytes: u64,
    sink: &mut BatchSink<'_>,
) -> anyhow::Result<SourceSummary> {
    if batch_size == 0 {
        bail!("batch size must be at least 1");
    }
    let name = path.display();
    let file = File::open(path).with_context(|| format!("{name}: cannot open file"))?;
    let mut reader = BufReader::with_capacity(READ_BUFFER, file);
    let mut batcher = Batcher::new(batch_size, sink);
    let mut summary = SourceSummary { kind: "file".into(), ..Default::default() };
    let max = usize::try_from(max_record_bytes).unwrap_or(usize::MAX);

    let probed = probe(&mut reader, max.saturating_add(LINE_SLACK)).map_err(|e| anyhow!("{name} {e}"))?;
    let reader = Cursor::new(probed.head).chain(reader);
    match probed.format {
        Format::Empty => {}
        Format::Ndjson => {
            // One user per line. A bad line is one bad record, not a bad file: it is handed on
            // and quarantined with its reason (sql/run/rejected_users.sql), never dropped.
            let mut lines = Lines::new(reader, max.saturating_add(LINE_SLACK)).after_line(probed.line - 1);
            while let Some(line) = lines.next_line().map_err(|e| anyhow!("{name}: {e}"))? {
                let line_no = lines.line_number();
                let record = match line {
                    Line::Oversized { .. } => None,
                    Line::Text(bytes) => match String::from_utf8(bytes) {
                        Ok(text) => {
                            let text = text.trim();
                            if text.is_empty() {
                                continue;
                            }
                            (text.len() <= max).then(|| {
                                match serde_json::from_str::<&RawValue>(text) {
                                    Ok(raw) if is_object(raw) => {}
                                    Ok(_) => tracing::warn!(file = %name, line = line_no, "not a JSON object: quarantined"),
                                    Err(e) => {
                                        tracing::warn!(file = %name, line = line_no, problem = %describe(&e), "not valid JSON: quarantined")
                                    }
                                }
                                Record::Text(text.to_string())
                            })
                        }
                        Err(e) => {
                            let bytes = e.into_bytes();
                            let bytes = bytes.trim_ascii();
                            (bytes.len() <= max).then(|| {
                                tracing::warn!(file = %name, line = line_no, "not valid UTF-8 text: quarantined");
                                Record::not_utf8(bytes)
                            })
                        }
                    },
                };
                batcher.push(record.unwrap_or_else(|| {
                    tracing::warn!(file = %name, line = line_no, max_record_bytes, "larger than the maximum record size: quarantined");
                    Record::oversized(max_record_bytes)
                }))?;
            }
        }
        Format::Document => {
            // A response object or a bare array, element by element.
            let mut elements = Elements::new(reader, max).at_line(probed.line);
            let mut i = 0u64;
            while let Some(element) =
                elements.next_element().map_err(|e| anyhow!("{name}: not a valid JSON document of users ({e})"))?
            {
                let record = match element {
                    Element::Oversized { .. } => {
                        tracing::warn!(file = %name, element = i, max_record_bytes, "larger than the maximum record size: quarantined");
                        Record::oversized(max_record_bytes)
                    }
                    Element::Text(bytes) => match String::from_utf8(bytes) {
                        Ok(text) => {
                            if !text.starts_with('{') {
                                tracing::warn!(file = %name, "element {i} (0-based) is not a JSON object: quarantined");
                            }
                            Record::Text(text)
                        }
                        Err(e) => {
                            tracing::warn!(file = %name, element = i, "not valid UTF-8 text: quarantined");
                            Record::not_utf8(e.as_bytes())
                        }
                    },
                };
                batcher.push(record)?;
                i += 1;
            }
            if let Some(info) = elements.info() {
                summary.seed = info.get("seed").and_then(|s| s.as_str()).map(str::to_string);
                summary.api_version = info.get("version").and_then(|s| s.as_str()).map(str::to_string);
            }
        }
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
pub fn duckdb_can_read(path: &Path, max_record_bytes: u64) -> bool {
    let plain = path.to_str().is_some_and(|p| !p.contains(['*', '?', '[', '{']) && !p.contains("://"));
    if !plain || !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(file) = File::open(path) else { return false };
    let limit = usize::try_from(max_record_bytes).unwrap_or(usize::MAX).saturating_add(LINE_SLACK);
    probe(&mut BufReader::new(file), limit).is_ok_and(|p| p.format == Format::Ndjson && !p.bom)
}

/// Reads an NDJSON file that DuckDB read (see [`duckdb_can_read`]) again, record by record as
/// [`read`] would (the same positions, texts and size rule), without checking any record, and
/// hands on, with its position in the file, each record over the size limit and each whose text
/// `wanted` accepts. Returns the records read. (A streamed load finds the records it set aside:
/// `pipeline::stream`.)
pub fn find_records(
    path: &Path,
    max_record_bytes: u64,
    mut wanted: impl FnMut(&[u8]) -> bool,
    mut found: impl FnMut(u64, Record) -> anyhow::Result<()>,
) -> anyhow::Result<u64> {
    let name = path.display();
    let file = File::open(path).with_context(|| format!("{name}: cannot open file"))?;
    let max = usize::try_from(max_record_bytes).unwrap_or(usize::MAX);
    let mut lines = Lines::new(BufReader::with_capacity(READ_BUFFER, file), max.saturating_add(LINE_SLACK));
    let mut seq = 0u64;
    while let Some(line) = lines.next_line().map_err(|e| anyhow!("{name}: {e}"))? {
        let record = match line {
            Line::Oversized { .. } => Some(Record::oversized(max_record_bytes)),
            Line::Text(bytes) => {
                let text = bytes.trim_ascii();
                if text.is_empty() {
                    continue;
                }
                if text.len() > max {
                    Some(Record::oversized(max_record_bytes))
                } else if wanted(text) {
                    Some(match std::str::from_utf8(text) {
                        Ok(text) => Record::Text(text.to_string()),
                        Err(_) => Record::not_utf8(text),
                    })
                } else {
                    None
                }
            }
        };
        if let Some(record) = record {
            found(seq, record)?;
        }
        seq += 1;
    }
    Ok(seq)
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
        Category::Data => "unexpected structure".to_string(),
        Category::Io => "read error".to_string(),
    };
    format!("{msg} at column {}", e.column())
}

/// Collects records into pages of at most `batch_size` records and [`PAGE_BYTES`] for the sink.
struct Batcher<'s, 'a> {
    batch: Vec<Record>,
    bytes: usize,
    batch_size: usize,
    sink: &'s mut BatchSink<'a>,
    pages: u32,
    users: u64,
}

impl<'s, 'a> Batcher<'s, 'a> {
    fn new(batch_size: usize, sink: &'s mut BatchSink<'a>) -> Self {
        Self { batch: Vec::with_capacity(batch_size.min(1 << 16)), bytes: 0, batch_size, sink, pages: 0, users: 0 }
    }

    fn push(&mut self, record: Record) -> anyhow::Result<()> {
        self.bytes += record.len();
        self.batch.push(record);
        if self.batch.len() == self.batch_size || self.bytes >= PAGE_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        crate::interrupt::check()?;
        if !self.batch.is_empty() {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(self.batch_size.min(1 << 16)));
            self.bytes = 0;
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
    /// Records larger than this are quarantined, not loaded (`load --max-record-size`).
    pub max_record_bytes: u64,
}

impl FileSource {
    /// The file at `path`, with the default maximum record size.
    pub fn new(path: impl Into<std::path::PathBuf>) -> Self {
        Self { path: path.into(), max_record_bytes: super::DEFAULT_MAX_RECORD_BYTES }
    }
}

impl super::Source for FileSource {
    fn produce(&self, batch_size: usize, sink: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary> {
        read(&self.path, batch_size, self.max_record_bytes, sink)
    }

    fn duckdb_file(&self) -> Option<&Path> {
        duckdb_can_read(&self.path, self.max_record_bytes).then_some(self.path.as_path())
    }

    fn max_record_bytes(&self) -> u64 {
        self.max_record_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ru13_050_mixed.json");

    fn collect(path: &Path, batch: usize) -> anyhow::Result<(SourceSummary, Vec<usize>, Vec<String>)> {
        let (s, sizes, records) = collect_records(path, batch, super::super::DEFAULT_MAX_RECORD_BYTES)?;
        Ok((s, sizes, records.into_iter().map(|r| r.into_text().expect("text")).collect()))
    }

    fn collect_records(
        path: &Path,
        batch: usize,
        max: u64,
    ) -> anyhow::Result<(SourceSummary, Vec<usize>, Vec<Record>)> {
        let mut sizes = Vec::new();
        let mut users = Vec::new();
        let s = read(path, batch, max, &mut |b: Vec<Record>| {
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

    fn duckdb_can_read_default(path: &Path) -> bool {
        duckdb_can_read(path, super::super::DEFAULT_MAX_RECORD_BYTES)
    }

    #[test]
    fn duckdb_reads_only_plain_regular_ndjson_files() {
        let dir = tempfile::tempdir().unwrap();
        let user = r#"{"gender":"female","email":"a@b.c"}"#;
        let ndjson = write(&dir, "users.ndjson", &format!("\n  \n{user}\n{user}\n"));
        assert!(duckdb_can_read_default(&ndjson));
        for (name, text) in [
            ("array.json", format!("[{user},{user}]")),
            ("response.json", format!("{{\"results\":[{user}],\"info\":{{}}}}")),
            ("pretty.json", "{\n  \"results\": []\n}\n".to_string()),
            ("bom.ndjson", format!("\u{feff}{user}\n")),
            ("empty.ndjson", "\n\n".to_string()),
            ("glob[1].ndjson", format!("{user}\n")),
        ] {
            assert!(!duckdb_can_read_default(&write(&dir, name, &text)), "{name}");
        }
        assert!(!duckdb_can_read_default(&dir.path().join("missing.ndjson")));
        assert!(!duckdb_can_read_default(dir.path()), "a folder");
        // A pipe is read once, by duckpipe: probing it would eat its first line (and opening it
        // would wait for a writer).
        let fifo = dir.path().join("users.fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(!duckdb_can_read_default(&fifo));
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
        let r = read(Path::new(FIXTURE), 10, 1 << 20, &mut |_| {
            calls += 1;
            anyhow::bail!("stop")
        });
        assert!(r.is_err());
        assert_eq!(calls, 1);
    }

    /// The records' texts, `None` for an oversized record, `Some(Err(doc))` for one not UTF-8.
    fn kinds(records: &[Record], max: u64) -> Vec<Result<String, Option<String>>> {
        records
            .iter()
            .map(|r| match r {
                Record::Text(t) => Ok(t.clone()),
                Record::Unreadable { reason, doc } => {
                    if doc.is_none() {
                        assert_eq!(reason, &super::super::oversized_reason(max));
                    } else {
                        assert_eq!(reason, super::super::NOT_UTF8_REASON);
                    }
                    Err(doc.clone())
                }
            })
            .collect()
    }

    #[test]
    fn oversized_records_are_quarantined_not_kept_in_either_format() {
        let dir = tempfile::tempdir().unwrap();
        let users = fixture_users();
        // Just over the limit (held, then measured), and far over it (never held).
        let big = format!("{{\"name\": \"{}\"}}", "Secret ".repeat(800));
        let huge = format!("{{\"name\": \"{}\"}}", "Secret ".repeat(10_000));
        let max = 4000;
        assert!(users.iter().take(3).all(|u| u.len() <= max as usize) && big.len() > max as usize);
        let all = [users[0].clone(), big.clone(), users[1].clone(), huge, users[2].clone()];
        let want = vec![Ok(users[0].clone()), Err(None), Ok(users[1].clone()), Err(None), Ok(users[2].clone())];
        let ndjson = write(&dir, "u.ndjson", &all.join("\n"));
        let array = write(&dir, "u.json", &format!("[{}]", all.join(",\n")));
        let response =
            write(&dir, "r.json", &format!("{{\"results\": [{}], \"info\": {{\"seed\": \"s\"}}}}", all.join(",")));
        // The first line holds the whole response: longer than the limit, still a document.
        assert!(std::fs::read_to_string(&response).unwrap().lines().count() == 1);
        for p in [&ndjson, &array, &response] {
            let (s, _, got) = collect_records(p, 2, max).unwrap();
            assert_eq!(kinds(&got, max), want, "{}", p.display());
            assert_eq!(s.users, 5);
        }
        assert!(!duckdb_can_read(&response, max), "a long one-line document is not NDJSON");
        assert!(duckdb_can_read(&ndjson, max));
        // The first record itself too large: the file is still NDJSON.
        let first_big = write(&dir, "f.ndjson", &format!("{big}\n{}\n", users[0]));
        let (_, _, got) = collect_records(&first_big, 2, max).unwrap();
        assert_eq!(kinds(&got, max), [Err(None), Ok(users[0].clone())]);
    }

    #[test]
    fn a_record_that_is_not_utf8_is_one_bad_record() {
        let dir = tempfile::tempdir().unwrap();
        let users = fixture_users();
        let mut bad = b"{\"name\": \"Secr\xff\xfet\"}".to_vec();
        let mut ndjson = format!("{}\n", users[0]).into_bytes();
        ndjson.extend_from_slice(&bad);
        ndjson.extend_from_slice(format!("\n{}\n", users[1]).as_bytes());
        let p = dir.path().join("u.ndjson");
        std::fs::write(&p, &ndjson).unwrap();
        let lossy = String::from_utf8_lossy(&bad).into_owned();
        let want = vec![Ok(users[0].clone()), Err(Some(lossy.clone())), Ok(users[1].clone())];
        let (_, _, got) = collect_records(&p, 10, 1 << 20).unwrap();
        assert_eq!(kinds(&got, 1 << 20), want);
        let mut doc = format!("[{},", users[0]).into_bytes();
        doc.append(&mut bad);
        doc.extend_from_slice(format!(",{}]", users[1]).as_bytes());
        let p = dir.path().join("u.json");
        std::fs::write(&p, &doc).unwrap();
        let (_, _, got) = collect_records(&p, 10, 1 << 20).unwrap();
        assert_eq!(kinds(&got, 1 << 20), want);
    }

    #[test]
    fn binary_input_is_refused_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let u = &fixture_users()[0];
        for (name, bytes) in [
            ("zeros.bin", vec![0u8; 100_000]),
            ("nul-line.ndjson", format!("{u}\n{{\"a\": \"\0Secret\"}}\n{u}\n").into_bytes()),
            ("nul-element.json", format!("[{u}, {{\"a\": \"\0Secret\"}}]").into_bytes()),
            ("elf.bin", b"\x7fELF\x02\x01\x01\0\0\0Secret".to_vec()),
        ] {
            let p = dir.path().join(name);
            std::fs::write(&p, &bytes).unwrap();
            let err = format!("{:#}", collect_records(&p, 10, 1 << 20).unwrap_err());
            assert!(err.contains(name) && !err.contains("Secret"), "{err}");
            assert!(err.contains("binary") || err.contains("not JSON users"), "{err}");
        }
        // A device that never ends: refused at its first byte.
        let err = format!("{:#}", collect_records(Path::new("/dev/zero"), 10, 1 << 20).unwrap_err());
        assert!(err.contains("/dev/zero") && err.contains("NUL byte"), "{err}");
    }
}
