//! Text made safe to show on a terminal. Values come from the input (a city, a country, a field
//! name, a file name) and can hold control characters: an ANSI escape sequence can recolour,
//! move the cursor, rewrite what is on screen or set the window title, and bidirectional
//! overrides can make text read differently from what it is. Every character of that kind is
//! shown as an escape (`\u{1b}`) instead, so what is printed is what the data holds.

use std::borrow::Cow;

/// `text` with every control character except line breaks and tabs escaped (for whole outputs).
pub fn printable(text: &str) -> Cow<'_, str> {
    escape(text, |c| c == '\n' || c == '\t')
}

/// `text` with every control character escaped, line breaks and tabs too (for one value in a
/// table, which must stay on its line).
pub fn printable_cell(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

fn escape(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// C0 and C1 controls, DEL, and the invisible marks and overrides of bidirectional text.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_not_obeyed() {
        assert_eq!(printable("Köln, Zürich"), "Köln, Zürich");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[31mred\u{7}"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(printable("two\nlines\tand tab\r"), "two\nlines\tand tab\\u{d}");
        assert_eq!(printable_cell("two\nlines"), "two\\u{a}lines");
        assert_eq!(printable("\u{202e}evil\u{9b}"), "\\u{202e}evil\\u{9b}");
    }
}
