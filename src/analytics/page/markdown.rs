//! The report as Markdown (GitHub-flavoured tables) for pasting into tickets.

use super::{Page, count, name, opt};

/// A value from the data, for Markdown: every character that can start Markdown or HTML syntax
/// backslash-escaped — links and images, emphasis, code spans, headings, tags and entities,
/// table cells, autolinks (`https\://`, `a\@b`, `www\.`) — line breaks flattened, and control
/// characters shown as escapes (`terminal::printable_cell`). It renders as the text itself, and
/// a city named `![x](https://…)` stays a name in the ticket.
fn cell(text: &str) -> String {
    let text = crate::terminal::printable_cell(&text.replace(['\n', '\r'], " ")).into_owned();
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        let www = c == '.' && out.to_ascii_lowercase().ends_with("www");
        if www || "\\`*_[]()<>!|~#&:@{}".contains(c) {
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

fn table(headers: &[&str], numeric: &[bool], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|", headers.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "));
    for i in 0..headers.len() {
        out.push_str(if numeric.get(i).copied().unwrap_or(false) { " ---: |" } else { " --- |" });
    }
    out.push('\n');
    for row in rows {
        out.push_str(&format!("| {} |\n", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
    }
    out
}

pub fn render(page: &Page<'_>) -> String {
    let r = page.report;
    let mut out = format!(
        "## duckpipe report\n\n**{}** users, as of {}. Runs ({}): {}\n\n",
        count(r.users),
        cell(&r.as_of),
        page.run_ids.len(),
        page.run_ids.iter().map(|id| run_id(id)).collect::<Vec<_>>().join(", ")
    );
    out.push_str(&format!(
        "### 1. Time since registration\n\nAverage: **{} days** ({} years).\n\n",
        opt(&r.registration.avg_days),
        opt(&r.registration.avg_years)
    ));
    let rows: Vec<Vec<String>> = page.tenure.iter().map(|t| vec![t.years.to_string(), count(t.users)]).collect();
    out.push_str(&table(&["years since registration", "users"], &[true, true], &rows));

    out.push_str("\n### 2. Gender and age\n\n");
    let rows: Vec<Vec<String>> = r.gender.iter().map(|g| vec![name(&g.gender), count(g.users)]).collect();
    out.push_str(&table(&["gender", "users"], &[false, true], &rows));
    out.push_str(&format!("\nAge (completed years at load time): {}.\n\n", r.age.describe("–")));
    let rows: Vec<Vec<String>> =
        r.age_bands.iter().map(|b| vec![b.band.clone(), count(b.female), count(b.male), count(b.users)]).collect();
    out.push_str(&table(&["age band", "female", "male", "users"], &[false, true, true, true], &rows));

    out.push_str("\n### 3. Where users come from\n\n");
    let rows: Vec<Vec<String>> = r.top_countries.iter().map(|c| vec![name(&c.country), count(c.users)]).collect();
    out.push_str(&table(&["country", "users"], &[false, true], &rows));
    out.push('\n');
    let rows: Vec<Vec<String>> =
        r.top_locations.iter().map(|l| vec![name(&l.country), name(&l.city), count(l.users)]).collect();
    out.push_str(&table(&["country", "city", "users"], &[false, false, true], &rows));

    // Risk summary: the numbers `duckpipe risk` prints for the default quasi-identifiers.
    out.push('\n');
    if let Some(risk) = &page.risk {
        out.push_str(&format!("\n### Re-identification risk\n\n{}\n\n", cell(&risk.title)));
        let rows: Vec<Vec<String>> = risk.rows.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect();
        out.push_str(&table(&["measure", "value"], &[false, true], &rows));
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
            r"\!\[x\]\(https\://evil.example/p.png\) \[a\]\(javascript\:x\) \<img src=x\> \*\*b\*\* \`c\` \# h \&amp;"
        );
        assert_eq!(super::cell("a@b.org\nWWW.x.com \u{1b}[2J"), r"a\@b.org WWW\.x.com \\u\{1b\}\[2J");
        assert_eq!(super::cell("St. John's, Saint-Étienne"), "St. John's, Saint-Étienne");
        assert_eq!(super::run_id("20261125T000000Z-abc123"), "`20261125T000000Z-abc123`");
        assert_eq!(super::run_id("x`](http://e)"), r"x\`\]\(http\://e\)");
    }

    #[test]
    fn markdown_tables_escape_pipes() {
        let report = sample();
        let md = page(&report).markdown();
        assert!(md.contains("| Norway | Ål \\| x | 2 |"), "{md}");
        assert!(md.contains(r"| Côte d'Ivoire \<\&\> | 9 |"), "{md}");
        assert!(
            md.contains(
                "| age band | female | male | users |\n| --- | ---: | ---: | ---: |\n| 20-29 | 100 | 90 | 190 |"
            ),
            "{md}"
        );
        assert!(md.contains("**1,234** users"));
        assert!(md.contains("| 4 | 0 |"), "empty tenure years are listed");
    }
}
