//! DuckDB's error messages made safe to show: they may echo values (personal data) from the
//! statement or its input, so every message that leaves the engine passes through [`sanitize`].
//!
//! What is kept: the kind of error, and in errors about the statement itself (parser, binder,
//! catalog) the names DuckDB quotes — of columns, tables, functions, SQL keywords — when they
//! look like names, DuckDB's "Did you mean …" and "Candidate bindings" lines, and the position
//! (line and column; the echoed statement line is never shown). What goes: every other quoted
//! fragment (where values appear: conversions, JSON, invalid input) and everything after the
//! first line of other errors.

use super::workspace;

/// Makes a DuckDB error message safe to show: known messages become clear sentences, and any
/// quoted fragment (where DuckDB echoes values — possibly personal data) is replaced by `'…'`.
/// Object paths are kept where DuckDB names the file, because they say *which* object failed.
pub fn sanitize(message: &str) -> String {
    sanitize_in(message, None)
}

/// [`sanitize`] for an error of `statement` (the SQL text that failed), which lets the position
/// be found even where DuckDB shows only part of a long line.
pub fn sanitize_in(message: &str, statement: Option<&str>) -> String {
    let first_line = message.lines().next().unwrap_or("").trim();
    if first_line.contains("Computed AES tag differs from read AES tag")
        || first_line.contains("Failed decryption finalization")
    {
        return "decryption failed: wrong DUCKPIPE_PARQUET_KEY, or the object was altered or truncated".into();
    }
    if first_line.contains("is encrypted, but 'encryption_config' was not set") {
        return "the data is encrypted and no key was given".into();
    }
    if first_line.contains("No files found that match the pattern") {
        return "no data found at the destination (run `duckpipe load` first)".into();
    }
    if first_line.contains("read-only crypto module") {
        return "DuckDB cannot write encrypted Parquet without httpfs loaded".into();
    }
    if let Some(name) = locked_setting(first_line) {
        // A setting's name is not data: saying which one is what the user needs.
        return format!(
            "Invalid Input Error: Cannot change configuration option {name:?} - the configuration has been locked"
        );
    }
    if first_line.starts_with("Out of Memory Error") {
        // DuckDB's own figures ("… (60.0 MiB/61.0 MiB used)") say which limit was hit.
        return format!(
            "{} — raise {} (the default is {})",
            redact_quoted(first_line),
            workspace::MEMORY_LIMIT_VAR,
            workspace::DEFAULT_MEMORY_LIMIT
        );
    }
    if is_about_the_statement(first_line) {
        let mut text = keep_names(first_line);
        for line in message.lines().skip(1).map(str::trim) {
            if line.is_empty() || line.starts_with("LINE ") {
                break;
            }
            if line.starts_with("Did you mean") || line.starts_with("Candidate bindings") {
                text.push(' ');
                text.push_str(&keep_names(line));
            }
        }
        if let Some((line, column)) = position(message, statement) {
            text.push_str(&format!(" (at line {line}, column {column})"));
        }
        return text;
    }
    let mut text = redact_quoted(&cut_echoed_input(first_line));
    if let Some((line, column)) = position(message, statement) {
        text.push_str(&format!(" (at line {line}, column {column})"));
    }
    text
}

/// Errors whose quoted parts are names from the statement, not data: the parser's, the binder's
/// and the catalog's.
fn is_about_the_statement(first_line: &str) -> bool {
    ["Parser Error:", "Binder Error:", "Catalog Error:"].iter().any(|p| first_line.starts_with(p))
}

/// Whether a quoted fragment is shaped like a name (`emial`, `users.age`, `FROMM`) or a
/// function signature of types (`lower(INTEGER)`), rather than a value.
fn is_name(fragment: &str) -> bool {
    let ident = |t: &str| {
        let mut chars = t.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    if fragment.is_empty() || fragment.len() > 64 {
        return false;
    }
    if fragment.split('.').all(ident) {
        return true;
    }
    // `lower(INTEGER)`, `list_value(VARCHAR, INTEGER[])`: a function name and type names.
    match fragment.strip_suffix(')').and_then(|f| f.split_once('(')) {
        Some((name, args)) => {
            ident(name)
                && args.split(',').map(str::trim).all(|a| {
                    a.is_empty()
                        || a.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "_[] ".contains(c))
                })
        }
        None => false,
    }
}

/// Quoted fragments that are names stay; any other is replaced by `…`.
fn keep_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['\'', '"']) {
        let q = rest[open..].chars().next().expect("found");
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        match after.find(q) {
            Some(close) => {
                let fragment = &after[..close];
                out.push_str(if is_name(fragment) { fragment } else { "…" });
                out.push(q);
                rest = &after[close + 1..];
            }
            None => {
                out.push('…');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Line and column (1-based, in characters) of DuckDB's caret under its `LINE n: …` echo. When
/// DuckDB shortened the line (`LINE 1: ...text`), the column is found by locating the shown
/// text in `statement`; without the statement only the line is certain, and no column is given.
fn position(message: &str, statement: Option<&str>) -> Option<(usize, usize)> {
    let lines: Vec<&str> = message.lines().collect();
    let i = lines.iter().position(|l| l.starts_with("LINE "))?;
    let echo = lines[i];
    let caret = lines.get(i + 1)?.find('^')?;
    let (label, shown) = echo.split_once(": ")?;
    let line: usize = label.trim_start_matches("LINE ").trim().parse().ok()?;
    let prefix = label.chars().count() + 2;
    let at = caret.checked_sub(prefix)?;
    let column = match shown.strip_prefix("...") {
        None => at + 1,
        Some(rest) => {
            let source_line = statement?.lines().nth(line - 1)?;
            let snippet: String = rest.chars().take(20).collect();
            let start = source_line.find(&snippet)?;
            source_line[..start].chars().count() + at.checked_sub(3)? + 1
        }
    };
    Some((line, column))
}

/// The setting named by DuckDB's "configuration has been locked" error, when it looks like a
/// setting's name.
fn locked_setting(line: &str) -> Option<&str> {
    let rest = line.split_once("Cannot change configuration option \"")?.1;
    let (name, tail) = rest.split_once('"')?;
    let plain = !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (plain && tail.contains("the configuration has been locked")).then_some(name)
}

/// DuckDB's JSON errors echo the offending input ("… Input: {"name": …"), where quotes need not
/// pair up, so redacting quoted parts is not enough: everything from the echo on is cut.
fn cut_echoed_input(line: &str) -> String {
    let cut = [line.find("Input:"), line.find("input:"), line.find('{')].into_iter().flatten().min();
    match cut {
        Some(i) => format!("{}…", line[..i].trim_end()),
        None => line.to_string(),
    }
}

/// Replaces the content of every single- or double-quoted fragment by `…`.
fn redact_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_quote: Option<char> = None;
    for c in text.chars() {
        match in_quote {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                in_quote = None;
            }
            Some(_) => {}
            None if c == '\'' || c == '"' => {
                out.push(c);
                in_quote = Some(c);
            }
            None => out.push(c),
        }
    }
    if in_quote.is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_memory_says_which_setting_to_raise() {
        let msg = sanitize(
            "Out of Memory Error: failed to allocate data of size 8.0 MiB (60.0 MiB/61.0 MiB used)\nPossible solutions: …",
        );
        assert!(msg.starts_with("Out of Memory Error: failed to allocate data of size 8.0 MiB (60.0 MiB/61.0 MiB used) — raise DUCKPIPE_MEMORY_LIMIT"), "{msg}");
    }

    #[test]
    fn statement_errors_show_names_and_positions_but_no_values() {
        let msg = "Binder Error: Referenced column \"emial\" not found in FROM clause!\nCandidate bindings: \"email\"\n\nLINE 1: SELECT emial FROM users WHERE email = 'jane@x.com'\n               ^";
        let clean = sanitize(msg);
        assert_eq!(
            clean,
            "Binder Error: Referenced column \"emial\" not found in FROM clause! Candidate bindings: \"email\" (at line 1, column 8)"
        );
        let msg = "Parser Error: syntax error at or near \"FROMM\"\n\nLINE 1: SELECT * FROM users WHERE email = 'jane' FROMM x\n                                                 ^";
        assert_eq!(sanitize(msg), "Parser Error: syntax error at or near \"FROMM\" (at line 1, column 42)");
        // A value written in double quotes is not shaped like a name: hidden.
        let msg = "Binder Error: Referenced column \"jane@x.com\" not found in FROM clause!";
        assert_eq!(sanitize(msg), "Binder Error: Referenced column \"…\" not found in FROM clause!");
        let msg = "Parser Error: syntax error at or near \"'jane'\"";
        assert!(!sanitize(msg).contains("jane"));
        let msg = "Catalog Error: Scalar Function with name lowr does not exist!\nDid you mean \"lower\"?\n\nLINE 1: SELECT lowr(email) FROM users\n               ^";
        assert_eq!(
            sanitize(msg),
            "Catalog Error: Scalar Function with name lowr does not exist! Did you mean \"lower\"? (at line 1, column 8)"
        );
        let msg = "Binder Error: No function matches the given name and argument types 'lower(INTEGER)'. You might need to add explicit type casts.\n\tCandidate functions:\n\tlower(VARCHAR) -> VARCHAR\n";
        assert!(sanitize(msg).contains("'lower(INTEGER)'"), "{}", sanitize(msg));
        // A conversion error keeps hiding its value, and gets the position too.
        let msg = "Conversion Error: Could not convert string 'forty' to INT32\n\nLINE 1: SELECT * FROM users WHERE age = 'forty'\n                                        ^";
        assert_eq!(sanitize(msg), "Conversion Error: Could not convert string '…' to INT32 (at line 1, column 33)");
        // A shortened echo: the column comes from the statement.
        let statement = format!(
            "SELECT {}, emial FROM users",
            (0..40).map(|i| format!("age AS a{i}")).collect::<Vec<_>>().join(", ")
        );
        let msg = "Binder Error: Referenced column \"emial\" not found in FROM clause!\n\nLINE 1: ..., age AS a35, age AS a36, age AS a37, age AS a38, age AS a39, emial FROM users\n                                                                         ^";
        let want = statement.find("emial").unwrap() + 1;
        assert_eq!(
            sanitize_in(msg, Some(&statement)),
            format!("Binder Error: Referenced column \"emial\" not found in FROM clause! (at line 1, column {want})")
        );
        assert_eq!(sanitize(msg), "Binder Error: Referenced column \"emial\" not found in FROM clause!");
        let msg = "Binder Error: Referenced column \"emial\" not found in FROM clause!\n\nLINE 3:   emial\n          ^";
        assert!(sanitize(msg).ends_with("(at line 3, column 3)"), "{}", sanitize(msg));
    }

    #[test]
    fn a_locked_setting_is_named() {
        let msg = r#"Invalid Input Error: Cannot change configuration option "autoinstall_known_extensions" - the configuration has been locked"#;
        assert_eq!(sanitize(msg), msg);
        let odd = r#"Invalid Input Error: Cannot change configuration option "jane doe@x" - the configuration has been locked"#;
        assert!(!sanitize(odd).contains("jane"));
    }

    #[test]
    fn sanitize_hides_values_and_names_known_errors() {
        let msg = "Conversion Error: Could not convert string 'jane.doe@example.com' to INT32";
        let clean = sanitize(msg);
        assert!(!clean.contains("jane"), "{clean}");
        assert_eq!(clean, "Conversion Error: Could not convert string '…' to INT32");
        assert!(
            sanitize("Invalid Input Error: Computed AES tag differs from read AES tag")
                .contains("wrong DUCKPIPE_PARQUET_KEY")
        );
        assert_eq!(redact_quoted("a \"b\" 'unterminated"), "a \"…\" '…");
        // Echoed JSON with unbalanced quotes: cut, not redacted piecemeal.
        let json = r#"Invalid Input Error: Malformed JSON at byte 24 of input: unexpected end. Input: {"a": "x"Trunc"y", "b": Jane"#;
        let clean = sanitize(json);
        assert!(!clean.contains("Trunc") && !clean.contains("Jane"), "{clean}");
        assert_eq!(clean, "Invalid Input Error: Malformed JSON at byte 24 of…");
        let clean = sanitize(r#"Conversion Error: cannot cast {"first": "Ann"o", "x": Bob} to STRUCT"#);
        assert!(!clean.contains("Ann") && !clean.contains("Bob"), "{clean}");
    }
}
