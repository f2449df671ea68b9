//! Where the interactive prompt's input ends: whether the lines typed so far hold a complete
//! statement (a top-level semicolon), so the prompt knows when to stop reading lines.
//!
//! Only for that: what runs, and what the guard checks, is what DuckDB's own parser extracts
//! from the text (`engine::statements`), so a disagreement between this approximation and
//! DuckDB's lexer can at most make the prompt wait for another line or run a text early, never
//! run a statement unchecked. Semicolons inside string literals (`'…'`, `E'…'`), quoted
//! identifiers (`"…"`), dollar-quoted strings (`$tag$…$tag$`) and comments (`-- …`, `/* … */`) do
//! not end a statement here.

/// The statements in `text` by this approximation, trimmed, without their final semicolon;
/// empty ones (only blanks or comments) are dropped.
fn statements(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' => {
                // A doubled quote inside is an escaped quote, which the loop handles by
                // closing and immediately reopening.
                let end = find_char(&chars, i + 1, c);
                current.extend(&chars[i..end]);
                i = end;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                let end = find_char(&chars, i, '\n');
                current.extend(&chars[i..end]);
                i = end;
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                let end = find_seq(&chars, i + 2, &['*', '/']);
                current.extend(&chars[i..end]);
                i = end;
            }
            '$' => match dollar_tag(&chars, i) {
                Some(tag) => {
                    let end = find_seq(&chars, i + tag.len(), &tag);
                    current.extend(&chars[i..end]);
                    i = end;
                }
                None => {
                    current.push(c);
                    i += 1;
                }
            },
            ';' => {
                push_statement(&mut out, &current);
                current.clear();
                i += 1;
            }
            _ => {
                current.push(c);
                i += 1;
            }
        }
    }
    push_statement(&mut out, &current);
    out
}

/// True when `text` holds at least one statement that is complete (ends with a top-level
/// semicolon) — the interactive prompt reads more lines until then.
pub fn is_complete(text: &str) -> bool {
    if only_comments(text) {
        return true;
    }
    // A sentinel after a newline survives as a statement of its own only when it is outside
    // any quote or comment and follows a top-level semicolon.
    let probe = statements(&format!("{text}\n\u{0}"));
    probe.last().is_some_and(|last| strip_leading_comments(last) == "\u{0}")
}

fn push_statement(out: &mut Vec<String>, text: &str) {
    if !only_comments(text) {
        out.push(text.trim().to_string());
    }
}

/// True when `text` is blank or holds only comments.
pub fn only_comments(text: &str) -> bool {
    strip_leading_comments(text).is_empty()
}

/// `text` without leading blanks and comments.
pub fn strip_leading_comments(text: &str) -> &str {
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            return rest;
        }
    }
}

/// Index just past the next `quote` at or after `from` (or the end of the text).
fn find_char(chars: &[char], from: usize, quote: char) -> usize {
    chars[from..].iter().position(|&c| c == quote).map_or(chars.len(), |p| from + p + 1)
}

/// Index just past the next occurrence of `seq` at or after `from` (or the end of the text).
fn find_seq(chars: &[char], from: usize, seq: &[char]) -> usize {
    if from > chars.len() {
        return chars.len();
    }
    chars[from..].windows(seq.len()).position(|w| w == seq).map_or(chars.len(), |p| from + p + seq.len())
}

/// The `$tag$` opening a dollar-quoted string at `at`, if there is one (`$1` parameters are not).
fn dollar_tag(chars: &[char], at: usize) -> Option<Vec<char>> {
    let mut end = at + 1;
    while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
        end += 1;
    }
    let tag_body = &chars[at + 1..end.min(chars.len())];
    let starts_ok = tag_body.first().is_none_or(|c| !c.is_ascii_digit());
    (chars.get(end) == Some(&'$') && starts_ok).then(|| chars[at..=end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let sql = "SELECT 'a;b' AS \"x;y\"; -- c;d\nSELECT $$e;f$$, $t$g;h$t$; /* i;j */ SELECT 3";
        assert_eq!(
            statements(sql),
            vec!["SELECT 'a;b' AS \"x;y\"", "-- c;d\nSELECT $$e;f$$, $t$g;h$t$", "/* i;j */ SELECT 3"]
        );
        assert_eq!(statements("SELECT 'it''s; fine';"), vec!["SELECT 'it''s; fine'"]);
        assert!(statements(" ; -- only a comment\n;/* and another */").is_empty());
        assert_eq!(statements("SELECT $1; SELECT 2"), vec!["SELECT $1", "SELECT 2"]);
    }

    #[test]
    fn completeness_for_the_prompt() {
        assert!(is_complete("SELECT 1;"));
        assert!(is_complete("SELECT 1;  "));
        assert!(!is_complete("SELECT 1"));
        assert!(!is_complete("SELECT ';"));
        assert!(!is_complete("SELECT 1 /* ; */"));
        assert!(is_complete("SELECT 1; -- done"));
    }

    #[test]
    fn leading_comments_are_skipped() {
        assert_eq!(strip_leading_comments("  -- a\n /* b */ INSTALL x"), "INSTALL x");
        assert!(only_comments("-- a\n/* b */"));
    }
}
