//! The shape of a user record, cheaply: a keyed fingerprint of its keys and kinds of values, which
//! DuckDB computes per user as `json_layout(VARCHAR) → UBIGINT` (`engine::functions::layout`).
//!
//! Why it exists: the unknown-field check (`sql/run/unknown_fields.sql`) needs the key lists
//! of every record, and DuckDB's `json_keys` costs a full JSON parse per record — measured at
//! 2.7 s per million users, more than flatten itself. Users from one source share a handful of
//! shapes, so a load keeps one fingerprint per record (a byte scan that allocates nothing per
//! record) and the SQL check runs on one record per distinct fingerprint.
//!
//! Same fingerprint ⇒ the same keys, in the same order, at every depth outside arrays, and the
//! same kind of value (object, array or scalar) under every key. That is all the SQL check looks
//! at. Values are skipped, never read: a string, a number and `null` are all "a scalar", and an
//! array is one token whatever it holds. NULL when the text is not a well-formed JSON object at
//! the structural level; such a record is then checked on its own.
//!
//! The hash is keyed with a random key per engine, so a crafted record cannot be made to collide
//! with the common shape and hide an unknown field from the report (it would still be dropped:
//! the mask step is an allow-list).

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// Objects nested deeper than this are not followed (NULL): no user record comes close, and it
/// bounds the recursion.
const MAX_DEPTH: usize = 64;

/// Writes the shape of `doc` into `out` as a token stream: `{` and `}` around an object, each key's
/// raw bytes followed by `"` (a key's raw text never holds an unescaped `"`, so the stream is
/// unambiguous), then `{…}` for an object value, `[` for an array, `s` for a scalar.
/// None when `doc` is not one well-formed JSON object.
pub fn shape_into(doc: &[u8], out: &mut Vec<u8>) -> Option<()> {
    out.clear();
    let start = skip_ws(doc, 0);
    if doc.get(start) != Some(&b'{') {
        return None;
    }
    let end = object(doc, start, out, 0)?;
    (skip_ws(doc, end) == doc.len()).then_some(())
}

/// The fingerprint: the shape, hashed with `hasher`'s key.
pub fn fingerprint(hasher: &RandomState, doc: &[u8], buf: &mut Vec<u8>) -> Option<u64> {
    shape_into(doc, buf)?;
    Some(hasher.hash_one(buf.as_slice()))
}

fn skip_ws(doc: &[u8], mut i: usize) -> usize {
    while matches!(doc.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// `doc[i]` is `{`. Returns the index after the matching `}`.
fn object(doc: &[u8], mut i: usize, out: &mut Vec<u8>, depth: usize) -> Option<usize> {
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
                out.extend_from_slice(&doc[i + 1..end - 1]);
                out.push(b'"');
                i = skip_ws(doc, end);
                if doc.get(i) != Some(&b':') {
                    return None;
                }
                i = value(doc, skip_ws(doc, i + 1), out, depth)?;
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
fn value(doc: &[u8], i: usize, out: &mut Vec<u8>, depth: usize) -> Option<usize> {
    match *doc.get(i)? {
        b'{' => object(doc, i, out, depth + 1),
        b'[' => {
            out.push(b'[');
            array_end(doc, i)
        }
        b'"' => {
            out.push(b's');
            string_end(doc, i)
        }
        _ => {
            out.push(b's');
            let len = doc[i..].iter().position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'));
            let end = i + len.unwrap_or(doc.len() - i);
            (end > i).then_some(end)
        }
    }
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

    fn shape(doc: &str) -> Option<String> {
        let mut buf = Vec::new();
        shape_into(doc.as_bytes(), &mut buf).map(|_| String::from_utf8(buf).unwrap())
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
        let hasher = RandomState::new();
        let mut buf = Vec::new();
        let mut print = |doc: &str| fingerprint(&hasher, doc.as_bytes(), &mut buf);
        assert_eq!(print(r#"{"a": "x", "b": {"c": 1}}"#), print(r#"{"a":"y","b":{"c":"2"}}"#));
        assert_ne!(print(r#"{"a": "x", "b": {"c": 1}}"#), print(r#"{"a": "x", "b": {"c": 1, "z": 1}}"#));
        assert_eq!(print("nope"), None);
    }
}
