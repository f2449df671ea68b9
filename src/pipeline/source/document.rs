//! A JSON document of users — a bare array, or a saved API response whose `results` is one — read
//! element by element, so that memory holds one element at a time whatever the document's size.
//!
//! The reader follows the document's structure (brackets, strings and their escapes) and hands
//! on each element's exact text, as a JSON parser's raw value would. It does not validate an
//! element's content: an element that is not valid JSON, or not an object, is a bad record that
//! the load quarantines, not a bad file. A document whose structure breaks (a bracket that does
//! not match, an unterminated string at the end) is a bad file: the error names the line.

use std::io::BufRead;

/// An element, or what is left of one that was too large to hold.
#[derive(Debug, PartialEq, Eq)]
pub enum Element {
    /// The element's exact bytes (no surrounding whitespace).
    Text(Vec<u8>),
    /// An element of this many bytes, more than the limit: its bytes were not kept.
    Oversized { bytes: u64 },
}

/// Why a document could not be read. Never holds document content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentError {
    #[error("{what} at line {line}")]
    Structure { what: &'static str, line: u64 },
    #[error("read error: {0}")]
    Io(String),
}

/// The largest `info` object kept (it holds the seed and the version, a few dozen bytes).
const MAX_INFO_BYTES: usize = 64 * 1024;

pub struct Elements<R> {
    reader: R,
    /// Elements longer than this are not held (see [`Element::Oversized`]).
    max_bytes: usize,
    line: u64,
    state: State,
    info: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first byte of the document.
    Start,
    /// Inside the users array, before an element or a `]`; `first` until one element was read.
    InArray { first: bool, top: bool },
    /// In the response object, before a key or the closing `}`.
    InObject { first: bool },
    /// After the document's last byte: only whitespace may follow.
    Done,
}

impl<R: BufRead> Elements<R> {
    /// A reader over a document whose first non-blank byte is `[` or `{`.
    pub fn new(reader: R, max_bytes: usize) -> Self {
        Self { reader, max_bytes, line: 1, state: State::Start, info: None }
    }

    /// Lines counted from `line` on (the reader starts on that line of the file).
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = line;
        self
    }

    /// The `info` object of a saved API response, once the document has been read to its end.
    pub fn info(&self) -> Option<serde_json::Value> {
        self.info.as_deref().and_then(|raw| serde_json::from_slice(raw).ok())
    }

    /// The next element, `None` at the end of the document.
    pub fn next_element(&mut self) -> Result<Option<Element>, DocumentError> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Start => match self.skip_ws()? {
                    Some(b'[') => {
                        self.bump();
                        self.state = State::InArray { first: true, top: true };
                    }
                    Some(b'{') => {
                        self.bump();
                        self.state = State::InObject { first: true };
                    }
                    Some(_) => return Err(self.error("expected an object or an array of users")),
                    None => return Err(self.error("empty document")),
                },
                State::InArray { first, top } => {
                    let Some(b) = self.skip_ws()? else { return Err(self.error("unexpected end of the document")) };
                    if b == b']' {
                        self.bump();
                        self.state = if top { State::Done } else { State::InObject { first: false } };
                        if top {
                            self.expect_end()?;
                        }
                        continue;
                    }
                    if !first {
                        if b != b',' {
                            return Err(self.error("expected ',' or ']' between users"));
                        }
                        self.bump();
                        if self.skip_ws()?.is_none() {
                            return Err(self.error("unexpected end of the document"));
                        }
                    }
                    self.state = State::InArray { first: false, top };
                    return self.value(self.max_bytes).map(Some);
                }
                State::InObject { first } => {
                    let Some(b) = self.skip_ws()? else { return Err(self.error("unexpected end of the document")) };
                    if b == b'}' {
                        self.bump();
                        self.state = State::Done;
                        self.expect_end()?;
                        continue;
                    }
                    if !first {
                        if b != b',' {
                            return Err(self.error("expected ',' or '}' between keys"));
                        }
                        self.bump();
                        self.skip_ws()?;
                    }
                    let key = match self.value(256)? {
                        Element::Text(key) if key.first() == Some(&b'"') => key,
                        _ => return Err(self.error("expected a key")),
                    };
                    if self.skip_ws()? != Some(b':') {
                        return Err(self.error("expected ':' after a key"));
                    }
                    self.bump();
                    let value_start = self.skip_ws()?;
                    self.state = State::InObject { first: false };
                    match key.as_slice() {
                        b"\"results\"" => {
                            if value_start != Some(b'[') {
                                return Err(self.error("`results` must be an array"));
                            }
                            self.bump();
                            self.state = State::InArray { first: true, top: false };
                        }
                        b"\"info\"" => {
                            self.info = match self.value(MAX_INFO_BYTES)? {
                                Element::Text(raw) => Some(raw),
                                Element::Oversized { .. } => None,
                            };
                        }
                        _ => {
                            self.value(0)?;
                        }
                    }
                }
            }
        }
    }

    /// Reads one value starting at the current (non-blank) byte, keeping at most `keep` bytes of
    /// it: an object or array up to its matching bracket, a string up to its closing quote, any
    /// other token up to the next `,`, `]`, `}` or blank.
    fn value(&mut self, keep: usize) -> Result<Element, DocumentError> {
        let mut out = Vec::new();
        let mut total: u64 = 0;
        let mut scan = Scan::default();
        loop {
            let buf = self.reader.fill_buf().map_err(|e| DocumentError::Io(e.kind().to_string()))?;
            if buf.is_empty() {
                // The end of input ends a bare token; anything else is cut off.
                return if scan.kind == Some(Kind::Token) {
                    Ok(finish(out, total, keep))
                } else {
                    Err(self.error("unexpected end of the document inside a value"))
                };
            }
            let (used, outcome) = scan.feed(buf);
            if memchr::memchr(0, &buf[..used]).is_some() {
                return Err(self.error("a NUL byte: binary input, not JSON text"));
            }
            self.line += buf[..used].iter().filter(|&&b| b == b'\n').count() as u64;
            if out.len() < keep {
                let take = used.min(keep - out.len());
                out.extend_from_slice(&buf[..take]);
            }
            total += used as u64;
            self.reader.consume(used);
            if total > super::lines::ENDLESS_BYTES {
                return Err(self.error("a value of more than 1 GiB: endless or binary input, not JSON users"));
            }
            match outcome {
                Outcome::More => {}
                Outcome::Done => return Ok(finish(out, total, keep)),
                Outcome::Broken(what) => return Err(self.error(what)),
            }
        }
    }

    /// The next non-blank byte, not consumed; `None` at the end of input.
    fn skip_ws(&mut self) -> Result<Option<u8>, DocumentError> {
        let mut blank: u64 = 0;
        loop {
            let buf = self.reader.fill_buf().map_err(|e| DocumentError::Io(e.kind().to_string()))?;
            if buf.is_empty() {
                return Ok(None);
            }
            match buf.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
                Some(i) => {
                    self.line += buf[..i].iter().filter(|&&b| b == b'\n').count() as u64;
                    self.reader.consume(i);
                    return Ok(Some(self.reader.fill_buf().map_err(|e| DocumentError::Io(e.kind().to_string()))?[0]));
                }
                None => {
                    let n = buf.len();
                    self.line += buf.iter().filter(|&&b| b == b'\n').count() as u64;
                    self.reader.consume(n);
                    blank += n as u64;
                    if blank > super::lines::ENDLESS_BYTES {
                        return Err(self.error("more than 1 GiB of blanks: endless input, not JSON users"));
                    }
                }
            }
        }
    }

    fn bump(&mut self) {
        self.reader.consume(1);
    }

    /// After the document: whitespace only.
    fn expect_end(&mut self) -> Result<(), DocumentError> {
        match self.skip_ws()? {
            None => Ok(()),
            Some(_) => Err(self.error("more content after the end of the document")),
        }
    }

    fn error(&self, what: &'static str) -> DocumentError {
        DocumentError::Structure { what, line: self.line }
    }
}

fn finish(out: Vec<u8>, total: u64, keep: usize) -> Element {
    if total > keep as u64 { Element::Oversized { bytes: total } } else { Element::Text(out) }
}

/// What kind of value is being read, told by its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Container,
    String,
    Token,
}

/// The scanner's state across buffer refills.
#[derive(Debug, Default)]
struct Scan {
    kind: Option<Kind>,
    closers: Vec<u8>,
    in_string: bool,
    escaped: bool,
}

enum Outcome {
    More,
    Done,
    Broken(&'static str),
}

impl Scan {
    /// Scans `buf`: how many bytes belong to the value, and whether it ended.
    fn feed(&mut self, buf: &[u8]) -> (usize, Outcome) {
        for (i, &b) in buf.iter().enumerate() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                    if self.closers.is_empty() {
                        return (i + 1, Outcome::Done);
                    }
                }
                continue;
            }
            if self.kind == Some(Kind::Token) {
                if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                    return (i, Outcome::Done);
                }
                continue;
            }
            if self.kind.is_none() {
                self.kind = Some(match b {
                    b'{' | b'[' => Kind::Container,
                    b'"' => Kind::String,
                    b',' | b']' | b'}' => return (i, Outcome::Broken("expected a value")),
                    _ => Kind::Token,
                });
            }
            match b {
                b'"' => self.in_string = true,
                b'{' => self.closers.push(b'}'),
                b'[' => self.closers.push(b']'),
                b'}' | b']' => {
                    if self.closers.pop() != Some(b) {
                        return (i, Outcome::Broken("a bracket that does not match"));
                    }
                    if self.closers.is_empty() {
                        return (i + 1, Outcome::Done);
                    }
                }
                _ => {}
            }
        }
        (buf.len(), Outcome::More)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::value::RawValue;
    use std::io::BufReader;

    /// Every element's text, with a buffer of `capacity` bytes (1 makes every byte a refill).
    fn elements(
        doc: &str,
        capacity: usize,
        max: usize,
    ) -> Result<(Vec<Element>, Option<serde_json::Value>), DocumentError> {
        let mut reader = Elements::new(BufReader::with_capacity(capacity, doc.as_bytes()), max);
        let mut out = Vec::new();
        while let Some(e) = reader.next_element()? {
            out.push(e);
        }
        Ok((out, reader.info()))
    }

    fn texts(doc: &str, capacity: usize) -> Vec<String> {
        elements(doc, capacity, usize::MAX)
            .unwrap()
            .0
            .into_iter()
            .map(|e| match e {
                Element::Text(t) => String::from_utf8(t).unwrap(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    /// What a JSON parser's raw values give for the same document.
    fn raw(doc: &str) -> Vec<String> {
        #[derive(serde::Deserialize)]
        struct Response<'a> {
            #[serde(borrow)]
            results: Vec<&'a RawValue>,
        }
        let users: Vec<&RawValue> = if doc.trim_start().starts_with('[') {
            serde_json::from_str(doc).unwrap()
        } else {
            serde_json::from_str::<Response>(doc).unwrap().results
        };
        users.iter().map(|u| u.get().to_string()).collect()
    }

    #[test]
    fn the_recorded_response_splits_like_a_parser_splits_it() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ru13_050_mixed.json"))
            .unwrap();
        for capacity in [1, 7, 8192] {
            assert_eq!(texts(&doc, capacity), raw(&doc));
        }
        let (_, info) = elements(&doc, 8192, usize::MAX).unwrap();
        assert_eq!(info.unwrap()["seed"], "5b53189b380f1f8c");
    }

    #[test]
    fn arrays_objects_and_odd_elements() {
        let doc = r#" [ {"a": "x]}\"{"}, 42 ,"s,]" , [1,[2]], null, -1.5e3 ] "#;
        assert_eq!(texts(doc, 3), [r#"{"a": "x]}\"{"}"#, "42", r#""s,]""#, "[1,[2]]", "null", "-1.5e3"]);
        let doc = r#"{"info": {"seed": "s", "nested": {"results": 1}}, "other": [1, {"x": "]"}], "results": [{"u": 1}, {"u": 2}]}"#;
        let (els, info) = elements(doc, 5, usize::MAX).unwrap();
        assert_eq!(els, [Element::Text(br#"{"u": 1}"#.to_vec()), Element::Text(br#"{"u": 2}"#.to_vec())]);
        assert_eq!(info.unwrap()["seed"], "s");
        assert_eq!(texts("[]", 1), Vec::<String>::new());
        assert_eq!(texts(r#"{"results": []}"#, 1), Vec::<String>::new());
    }

    #[test]
    fn large_elements_are_measured_not_kept() {
        let big = format!(r#"{{"a": "{}"}}"#, "x".repeat(1000));
        let doc = format!(r#"[{{"u": 1}}, {big}, {{"u": 2}}]"#);
        let (els, _) = elements(&doc, 64, 100).unwrap();
        assert_eq!(
            els,
            [
                Element::Text(br#"{"u": 1}"#.to_vec()),
                Element::Oversized { bytes: big.len() as u64 },
                Element::Text(br#"{"u": 2}"#.to_vec())
            ]
        );
    }

    #[test]
    fn broken_structure_names_the_line_never_the_content() {
        for (doc, line) in [
            ("[{\"a\": 1},\n{\"name\": \"Secret\"\n]", 3),
            ("[1, 2", 1),
            ("[1 2]", 1),
            ("[1,,2]", 1),
            ("{\"results\": \"Secret\"}", 1),
            ("{\"results\": [1]} trailing", 1),
            ("[\"unterminated Secret]", 1),
            ("{\"results\": [1], \"info\" 5}", 1),
        ] {
            let err = elements(doc, 4, usize::MAX).unwrap_err();
            assert!(matches!(err, DocumentError::Structure { line: l, .. } if l == line), "{doc:?}: {err:?}");
            assert!(!err.to_string().contains("Secret"));
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            "\\PC{0,12}".prop_map(serde_json::Value::String),
            "[\\\\\"\\]\\[{},: ]{0,6}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
                prop::collection::vec(("\\PC{0,6}", inner), 0..5)
                    .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Any array of values, compact or pretty, in any buffer size: the same texts a parser sees.
        #[test]
        fn splits_any_array_like_a_parser(values in prop::collection::vec(json_value(), 0..6), pretty in any::<bool>(), capacity in 1usize..40) {
            let array = serde_json::Value::Array(values);
            let doc = if pretty { serde_json::to_string_pretty(&array).unwrap() } else { array.to_string() };
            prop_assert_eq!(texts(&doc, capacity), raw(&doc));
            let response = format!("{{\"results\": {doc}, \"info\": {{\"seed\": \"x\"}}}}");
            prop_assert_eq!(texts(&response, capacity), raw(&doc));
        }

        /// Arbitrary bytes never panic.
        #[test]
        fn any_bytes_end_in_elements_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let mut reader = Elements::new(BufReader::with_capacity(3, bytes.as_slice()), 50);
            for _ in 0..300 {
                match reader.next_element() {
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break,
                }
            }
        }
    }
}
