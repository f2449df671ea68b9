//! The report as Markdown (GitHub-flavoured tables) for pasting into tickets.

use super::Page;
use crate::analytics::tables::{self, Table};
use crate::numbers::grouped;

/// A value from the data, for Markdown: every character that can start Markdown or HTML syntax
/// backslash-escaped — link and image brackets, emphasis, code spans, headings, tags and
/// entities, table cells, autolinks (`https\://`, `a\@b`, `www\.`) — line breaks flattened, and
/// control characters shown as escapes (`terminal::printable_cell`). It renders as the text
/// itself, and a city named `![x](https://…)` stays a name in the ticket. Parentheses and `!`
/// mean nothing without an unescaped `[`, a colon after a digit starts no scheme and `<` before a
/// space opens no tag, so shares "(12.5 %)", times "00:00" and withheld counts "< 3" read as
/// written.
fn cell(text: &str) -> String {
    let text = crate::terminal::printable_cell(&text.replace(['\n', '\r'], " ")).into_owned();
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let www = c == '.' && out.to_ascii_lowercase().ends_with("www");
        let scheme = c == ':' && !out.ends_with(|p: char| p.is_ascii_digit());
        // `<` opens a tag or an autolink only before a letter, `/`, `!` or `?` ("< 3" is a count).
        let tag = c == '<' && chars.peek().is_some_and(|n| n.is_alphabetic() || "/!?".contains(*n));
        if www || scheme || tag || "\\`*_[]>|~#&@{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A run id in a code span when it is one duckpipe could have made (a safe alphabet), else as
/// escaped text: records are read from the lake and could have been altered.
fn run_id(id: &str) -> String {
    if crate::lake::record::valid_run_id(id) { format!("`{id}`") } else { cell(id) }
}

fn table(t: &Table) -> String {
    let mut out = format!("| {} |\n|", t.headers.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
    for i in 0..t.headers.len() {
        out.push_str(if t.numeric.get(i).copied().unwrap_or(false) { " ---: |" } else { " --- |" });
    }
    out.push('\n');
    for row in &t.rows {
        out.push_str(&format!("| {} |\n", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
    }
    out
}

pub fn render(page: &Page<'_>) -> String {
    let r = page.report;
    let mut out = format!(
        "## duckpipe report\n\n**{}** users, as of {}. Runs ({}): {}\n\n",
        grouped(r.users),
        cell(&r.as_of),
        page.run_ids.len(),
        page.run_ids.iter().map(|id| run_id(id)).collect::<Vec<_>>().join(", ")
    );
    if let Some(note) = tables::withheld_note(r) {
        out.push_str(&format!("*Small-cell protection: {}*\n\n", cell(&note)));
    }
    out.push_str(&format!("### 1. Time since registration\n\n**{}**\n\n", cell(&r.answers.registration)));
    out.push_str(&table(&tables::tenure(r, &page.tenure)));

    out.push_str(&format!("\n### 2. Gender and age\n\n**{}**\n\n", cell(&r.answers.age_gender)));
    out.push_str(&table(&tables::gender(r)));
    out.push_str(&format!("\nAge (completed years at load time): {}.\n\n", r.describe_age("–")));
    out.push_str(&table(&tables::age_bands(r)));

    out.push_str(&format!("\n### 3. Where users come from\n\n**{}**\n\n", cell(&r.answers.places)));
    out.push_str(&table(&tables::countries(r)));
    out.push('\n');
    out.push_str(&table(&tables::locations(r)));

    // 4. Risk: the numbers `duckpipe risk` prints for the default quasi-identifiers.
    if r.risk.k.is_some() {
        out.push_str("\n### 4. Re-identification risk\n\n");
        out.push_str(&table(&tables::risk(&r.risk)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{page, sample};

    #[test]
    fn values_cannot_inject_markdown_or_html() {
        assert_eq!(
            super::cell("![x](https://evil.example/p.png) [a](javascript:x) <img src=x> **b** `c` # h &amp;"),
            r"!\[x\](https\://evil.example/p.png) \[a\](javascript\:x) \<img src=x\> \*\*b\*\* \`c\` \# h \&amp;"
        );
        assert_eq!(super::cell("a@b.org\nWWW.x.com \u{1b}[2J"), r"a\@b.org WWW\.x.com \\u\{1b\}\[2J");
        assert_eq!(super::cell("St. John's, Saint-Étienne"), "St. John's, Saint-Étienne");
        assert_eq!(super::run_id("20261125T000000Z-abc123"), "`20261125T000000Z-abc123`");
        assert_eq!(super::run_id("x`](http://e)"), r"x\`\](http\://e)");
        assert_eq!(super::cell("2026-11-25T00:00:00Z (12.5 %) < 3"), "2026-11-25T00:00:00Z (12.5 %) < 3");
        assert_eq!(super::cell("<a href=x></a><!-- c --><?x"), r"\<a href=x\>\</a\>\<!-- c --\>\<?x");
    }

    #[test]
    fn markdown_tables_escape_pipes() {
        let report = sample();
        let md = page(&report).markdown();
        assert!(md.contains("| 1 | Norway | Ål \\| x | 2 | 0.2 % |"), "{md}");
        assert!(md.contains(r"| 1 | Côte d'Ivoire <\&\> | 9 | 0.7 % |"), "{md}");
        assert!(
            md.contains(
                "| age band | female | male | users | share |\n| --- | ---: | ---: | ---: | ---: |\n| 20-29 | 100 | 90 | 190 | 15.4 % |"
            ),
            "{md}"
        );
        assert!(md.contains("**1,234** users"));
        assert!(md.contains("| 4 | 0 | 0.0 % |"), "empty tenure years are listed");
    }
}
