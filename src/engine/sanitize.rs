//! DuckDB's error messages made safe to show: they may echo values (personal data) from the
//! statement or its input, so every message that leaves the engine passes through [`sanitize`].

use super::workspace;

/// Makes a DuckDB error message safe to show: known messages become clear sentences, and any
/// quoted fragment (where DuckDB echoes values — possibly personal data) is replaced by `'…'`.
/// Object paths are kept where DuckDB names the file, because they say *which* object failed.
pub fn sanitize(message: &str) -> String {
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
    redact_quoted(&cut_echoed_input(first_line))
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
