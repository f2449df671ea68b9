//! The shape of a user record, cheaply: a keyed fingerprint of its keys and kinds of values, which
//! DuckDB computes per user as `json_layout(VARCHAR) → UBIGINT` (`engine::functions::layout`).
//!
//! Why it exists: the unknown-field check (`sql/run/unknown_fields.sql`) needs the key lists
//! of every record, and DuckDB's `json_keys` costs a full JSON parse per record — measured at
//! 2.7 s per million users, more than flatten itself. Users from one source share a handful of
//! shapes, so a load keeps one fingerprint per record (a byte scan that allocates nothing per
//! record) and the SQL checks run on one record per distinct fingerprint.
//!
//! Same fingerprint ⇒ the same keys, in the same order, at every depth outside arrays, and the
//! same kind of value (object, array or scalar) under every key; under a key that may hold a
//! kept field ([`Layout::new`]'s names, or any key written with an escape) also the same JSON
//! type of scalar (string, number, boolean or null). That is all the SQL checks look at. Values
//! are skipped, never read: under other keys a string, a number and `null` are all "a scalar",
//! and an array is one token whatever it holds.
//!
//! The scanner checks structure only, not JSON syntax (escapes, numbers, literals): it is run
//! only on records DuckDB's JSON parser has accepted (sql/stage/masked_rows.sql), so that a broken
//! record can never be taken for the sample of a shape. On such records it sees what the parser
//! sees (a property test holds it to a JSON parser). NULL when the text is not one object at the
//! structural level or nests deeper than [`MAX_DEPTH`]; such a record is quarantined.
//!
//! The hash is keyed with a random key per engine, so a crafted record cannot be made to collide
//! with the common shape and hide an unknown field from the report (it would still be dropped:
//! the mask step is an allow-list).

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// Objects nested deeper than this are not followed (NULL): no user record comes close, and it
/// bounds the recursion.
pub const MAX_DEPTH: usize = 64;

/// A shape fingerprinter: the hash key and the keys whose scalars are typed.
#[derive(Clone)]
pub struct Layout {
    hasher: RandomState,
    typed: Vec<Vec<u8>>,
}

impl Layout {
    /// `typed`: the names of keys that may hold a kept field (the last part of each kept path:
    /// `uuid` for `login.uuid`). Matching names at any depth is deliberate: it costs nothing and
    /// also covers a kept field under a parent key written with escapes.
    pub fn new(typed: &[&str]) -> Self {
        Self { hasher: RandomState::new(), typed: typed.iter().map(|n| n.as_bytes().to_vec()).collect() }
    }

    /// The shape of `doc`, hashed; None when it has no shape (see [`Layout::shape_into`]).
    pub fn fingerprint(&self, doc: &[u8], buf: &mut Vec<u8>) -> Option<u64> {
        self.shape_into(doc, buf)?;
        Some(self.hasher.hash_one(buf.as_slice()))
    }

    /// Writes the shape of `doc` into `out` as a token stream: `{` and `}` around an object, each
    /// key's raw bytes followed by `"` (a key's raw text never holds an unescaped `"`, so the
    /// stream is unambiguous), then `{…}` for an object value, `[` for an array, `s` for a scalar —
    /// or, under a typed key, `q` for a string, `n` for a number, `b` for a boolean, `z` for null.
    /// None when `doc` is not one object at the structural level.
    pub fn shape_into(&self, doc: &[u8], out: &mut Vec<u8>) -> Option<()> {
        out.clear();
        let start = skip_ws(doc, 0);
        if doc.get(start) != Some(&b'{') {
            return None;
        }
        let end = self.object(doc, start, out, 0)?;
        (skip_ws(doc, end) == doc.len()).then_some(())
    }

    /// Whether a key's raw text may name a kept field: one of the names, or escaped (then its
    /// real name is unknown here).
    fn is_typed(&self, raw_key: &[u8]) -> bool {
        self.typed.iter().any(|name| name.as_slice() == raw_key) || raw_key.contains(&b'\\')
    }

    /// `doc[i]` is `{`. Returns the index after the matching `}`.
    fn object(&self, doc: &[u8], mut i: usize, out: &mut Vec<u8>, depth: usize) -> Option<usize> {
        if depth >= MAX_DEPTH {
            return None;
        }
        out.push(b'{');
        i += 1;
        loop {
            i = skip_ws(doc, i);
            match *doc.get(i)? {
                b'}' => break,
                b'"' => {
                    let end = string_end(doc, i)?;
                    let key = &doc[i + 1..end - 1];
                    out.extend_from_slice(key);
                    out.push(b'"');
                    i = skip_ws(doc, end);
                    if doc.get(i) != Some(&b':') {
                        return None;
                    }
                    i = self.value(doc, skip_ws(doc, i + 1), out, depth, self.is_typed(key))?;
                    i = skip_ws(doc, i);
                    match *doc.get(i)? {
                        b',' => i += 1,
                        b'}' => break,
                        _ => return None,
                    }
                }
                _ => return None,
            }
        }
        out.push(b'}');
        Some(i + 1)
    }

    /// A value starting at `doc[i]`. Returns the index after it.
    fn value(&self, doc: &[u8], i: usize, out: &mut Vec<u8>, depth: usize, typed: bool) -> Option<usize> {
        match *doc.get(i)? {
            b'{' => self.object(doc, i, out, depth + 1),
            b'[' => {
                out.push(b'[');
                array_end(doc, i)
            }
            b'"' => {
                out.push(if typed { b'q' } else { b's' });
                string_end(doc, i)
            }
            first => {
                out.push(match (typed, first) {
                    (false, _) => b's',
                    (true, b't' | b'f') => b'b',
                    (true, b'n') => b'z',
                    // Digits, '-', and DuckDB's NaN and Infinity.
                    (true, _) => b'n',
                });
                let len = doc[i..].iter().position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'));
                let end = i + len.unwrap_or(doc.len() - i);
                (end > i).then_some(end)
            }
        }
    }
}

fn skip_ws(doc: &[u8], mut i: usize) -> usize {
    while matches!(doc.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// `doc[i]` is `"`. Returns the index after the closing quote. Most keys and values are short, so
/// the first bytes are looked at one by one; past them it jumps from quote or backslash to the
/// next with memchr (long values: URLs, hashes).
fn string_end(doc: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let short_end = (j + 16).min(doc.len());
        while j < short_end {
            match doc[j] {
                b'"' => return Some(j + 1),
                b'\\' => j += 2,
                _ => j += 1,
            }
        }
        j += memchr::memchr2(b'"', b'\\', doc.get(j..)?)?;
        match doc[j] {
            b'"' => return Some(j + 1),
            _ => j += 2,
        }
    }
}

/// `doc[i]` is `[`. Returns the index after the matching `]`, skipping strings (which may hold
/// brackets) and nested arrays and objects without looking into them.
fn array_end(doc: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    loop {
        match *doc.get(j)? {
            b'"' => {
                j = string_end(doc, j)?;
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (doc[j] == b']').then_some(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout::new(&["city", "gender"])
    }

    fn shape(doc: &str) -> Option<String> {
        let mut buf = Vec::new();
        layout().shape_into(doc.as_bytes(), &mut buf).map(|_| String::from_utf8(buf).unwrap())
    }

    #[test]
    fn shapes_name_keys_and_kinds_never_values() {
        assert_eq!(
            shape(r#"{"a": 1, "b": {"c": "x}\"{", "d": [1, {"e": "]"}]}, "f": null}"#).unwrap(),
            r#"{a"sb"{c"sd"[}f"s}"#
        );
        assert_eq!(shape(" {}\n").unwrap(), "{}");
        // Values never change the shape; keys and kinds do.
        assert_eq!(shape(r#"{"a": "Berlin"}"#), shape(r#"{"a": 12345}"#));
        assert_ne!(shape(r#"{"a": "x"}"#), shape(r#"{"a": {"b": 1}}"#));
        assert_ne!(shape(r#"{"a": "x"}"#), shape(r#"{"a": ["x"]}"#));
        assert_ne!(shape(r#"{"a": {"b": 1}}"#), shape(r#"{"a": {"c": 1}}"#));
        assert_ne!(shape(r#"{"a": 1, "b": 1}"#), shape(r#"{"b": 1, "a": 1}"#));
    }

    #[test]
    fn typed_keys_tell_json_types_apart() {
        // A kept field: a string, a number, a boolean and null are four shapes.
        let kinds: Vec<String> = ["\"Berlin\"", "12", "-1.5e3", "true", "false", "null", "NaN"]
            .iter()
            .map(|v| shape(&format!(r#"{{"x": {{"city": {v}}}}}"#)).unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                r#"{x"{city"q}}"#,
                r#"{x"{city"n}}"#,
                r#"{x"{city"n}}"#,
                r#"{x"{city"b}}"#,
                r#"{x"{city"b}}"#,
                r#"{x"{city"z}}"#,
                r#"{x"{city"n}}"#
            ]
        );
        // Under a key written with an escape (which may be `city` to a JSON parser) too.
        assert_ne!(shape(r#"{"ci\u0074y": 1}"#), shape(r#"{"ci\u0074y": "1"}"#));
        // Not under other keys: the API sends some dropped fields as a number or a string.
        assert_eq!(shape(r#"{"postcode": 1}"#), shape(r#"{"postcode": "1"}"#));
    }

    #[test]
    fn malformed_text_has_no_shape() {
        for bad in [
            "",
            "[1]",
            "5",
            "{",
            r#"{"a"}"#,
            r#"{"a": }"#,
            r#"{"a": 1} x"#,
            r#"{"a": [1}"#,
            r#"{"a": "x}"#,
            r#"{a: 1}"#,
            r#"{"a": 1 "b": 2}"#,
        ] {
            assert_eq!(shape(bad), None, "{bad}");
        }
        let deep = format!("{}{}", "{\"a\":".repeat(100), "1".to_string() + &"}".repeat(100));
        assert_eq!(shape(&deep), None);
    }

    #[test]
    fn fingerprints_follow_shapes() {
        let layout = layout();
        let mut buf = Vec::new();
        let mut print = |doc: &str| layout.fingerprint(doc.as_bytes(), &mut buf);
        assert_eq!(print(r#"{"a": "x", "b": {"c": 1}}"#), print(r#"{"a":"y","b":{"c":"2"}}"#));
        assert_ne!(print(r#"{"a": "x", "b": {"c": 1}}"#), print(r#"{"a": "x", "b": {"c": 1, "z": 1}}"#));
        assert_eq!(print("nope"), None);
    }
}
