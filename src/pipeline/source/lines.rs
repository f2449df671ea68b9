//! NDJSON lines read with a bound: a line longer than the record limit is measured and skipped,
//! never held, so memory stays bounded whatever the input; a NUL byte (which JSON text never
//! holds) stops the read as binary input, and so does a line without end or an endless run of
//! blank lines. Blank lines are skipped (their numbers still count).

use std::io::BufRead;

/// A line (without its line break), or what is left of one too long to hold.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    Text(Vec<u8>),
    Oversized { bytes: u64 },
}

/// Why the input cannot be read as lines of text. Never holds content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinesError {
    #[error("line {line} holds a NUL byte: binary input, not JSON text")]
    Binary { line: u64 },
    #[error(
        "line {line} goes on for more than {ENDLESS_BYTES} bytes without a line break: endless or binary input, not NDJSON"
    )]
    Endless { line: u64 },
    #[error("from line {line} on, more than {ENDLESS_BYTES} bytes of blank lines: endless input, not NDJSON")]
    Blank { line: u64 },
    #[error("read error: {0}")]
    Io(String),
}

/// A line this long is not a record that is merely too large: the input has no record boundary.
pub const ENDLESS_BYTES: u64 = 1 << 30;

pub struct Lines<R> {
    reader: R,
    max_bytes: usize,
    /// The number of the line last returned (1-based).
    line: u64,
}

impl<R: BufRead> Lines<R> {
    pub fn new(reader: R, max_bytes: usize) -> Self {
        Self { reader, max_bytes, line: 0 }
    }

    /// Lines counted from `line + 1` on (the reader starts after `line` lines read elsewhere).
    pub fn after_line(mut self, line: u64) -> Self {
        self.line = line;
        self
    }

    /// The number of the line last returned.
    pub fn line_number(&self) -> u64 {
        self.line
    }

    /// The next line that is not blank, `None` at the end of input.
    pub fn next_line(&mut self) -> Result<Option<Line>, LinesError> {
        self.skip_blank()?;
        let mut out = Vec::new();
        let mut total: u64 = 0;
        let mut any = false;
        loop {
            let buf = self.reader.fill_buf().map_err(|e| LinesError::Io(e.kind().to_string()))?;
            if buf.is_empty() {
                if !any {
                    return Ok(None);
                }
                break;
            }
            any = true;
            let end = memchr::memchr(b'\n', buf);
            let chunk = &buf[..end.unwrap_or(buf.len())];
            if memchr::memchr(0, chunk).is_some() {
                return Err(LinesError::Binary { line: self.line + 1 });
            }
            if out.len() < self.max_bytes {
                let take = chunk.len().min(self.max_bytes - out.len());
                out.extend_from_slice(&chunk[..take]);
            }
            total += chunk.len() as u64;
            let used = chunk.len() + usize::from(end.is_some());
            self.reader.consume(used);
            if end.is_some() {
                break;
            }
            if total > ENDLESS_BYTES {
                return Err(LinesError::Endless { line: self.line + 1 });
            }
        }
        self.line += 1;
        if total > self.max_bytes as u64 {
            return Ok(Some(Line::Oversized { bytes: total }));
        }
        if out.last() == Some(&b'\r') {
            out.pop();
        }
        Ok(Some(Line::Text(out)))
    }

    /// Skips blank lines (and the blanks a line starts with), counting their line breaks.
    fn skip_blank(&mut self) -> Result<(), LinesError> {
        let first = self.line + 1;
        let mut skipped: u64 = 0;
        loop {
            let buf = self.reader.fill_buf().map_err(|e| LinesError::Io(e.kind().to_string()))?;
            let blank = buf.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')).unwrap_or(buf.len());
            let at_text = blank < buf.len();
            self.line += memchr::memchr_iter(b'\n', &buf[..blank]).count() as u64;
            self.reader.consume(blank);
            skipped += blank as u64;
            if at_text || blank == 0 {
                return Ok(());
            }
            if skipped > ENDLESS_BYTES {
                return Err(LinesError::Blank { line: first });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Read as _};

    fn all(input: &[u8], capacity: usize, max: usize) -> Result<Vec<Line>, LinesError> {
        let mut lines = Lines::new(BufReader::with_capacity(capacity, input), max);
        let mut out = Vec::new();
        while let Some(l) = lines.next_line()? {
            out.push(l);
        }
        Ok(out)
    }

    #[test]
    fn lines_with_and_without_a_final_break() {
        for capacity in [1, 3, 64] {
            let got = all(b"{\"a\":1}\r\n\n{\"b\":2}", capacity, 100).unwrap();
            assert_eq!(got, [Line::Text(b"{\"a\":1}".to_vec()), Line::Text(b"{\"b\":2}".to_vec())]);
            assert_eq!(all(b"x\n", capacity, 100).unwrap(), [Line::Text(b"x".to_vec())]);
            assert_eq!(all(b"", capacity, 100).unwrap(), []);
        }
    }

    #[test]
    fn long_lines_are_measured_and_skipped() {
        let mut input = b"short\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 5000));
        input.extend(b"\nafter\n");
        let got = all(&input, 16, 100).unwrap();
        assert_eq!(
            got,
            [Line::Text(b"short".to_vec()), Line::Oversized { bytes: 5000 }, Line::Text(b"after".to_vec())]
        );
    }

    #[test]
    fn binary_input_stops_at_once() {
        assert_eq!(all(b"{\"a\":1}\n{\"b\":\0}\n", 4, 100).unwrap_err(), LinesError::Binary { line: 2 });
        let zeros = std::io::repeat(0).take(10_000);
        let mut lines = Lines::new(BufReader::new(zeros), 100);
        assert_eq!(lines.next_line().unwrap_err(), LinesError::Binary { line: 1 });
    }

    #[test]
    fn blank_lines_are_skipped_but_counted() {
        for capacity in [1, 3, 64] {
            let mut lines =
                Lines::new(BufReader::with_capacity(capacity, &b"\n \r\n{\"a\":1}\n\n\t\n  {\"b\":2}\n\n"[..]), 100);
            assert_eq!(lines.next_line().unwrap(), Some(Line::Text(b"{\"a\":1}".to_vec())));
            assert_eq!(lines.line_number(), 3);
            assert_eq!(lines.next_line().unwrap(), Some(Line::Text(b"{\"b\":2}".to_vec())));
            assert_eq!(lines.line_number(), 6);
            assert_eq!(lines.next_line().unwrap(), None);
        }
    }

    #[test]
    fn endless_blank_lines_stop() {
        // `yes ''` after a record: stopped after ENDLESS_BYTES of blanks, with the line they start at.
        let input = std::io::Read::chain(&b"{\"a\":1}\n"[..], std::io::repeat(b'\n'));
        let mut lines = Lines::new(BufReader::with_capacity(1 << 20, input), 100);
        assert!(matches!(lines.next_line().unwrap(), Some(Line::Text(_))));
        assert_eq!(lines.next_line().unwrap_err(), LinesError::Blank { line: 2 });
    }

    #[test]
    fn a_line_without_end_stops() {
        // An endless stream of text with no line break: stopped after ENDLESS_BYTES, not held.
        let endless = std::io::repeat(b'y');
        let mut lines = Lines::new(BufReader::with_capacity(1 << 20, endless), 100);
        assert_eq!(lines.next_line().unwrap_err(), LinesError::Endless { line: 1 });
    }
}
