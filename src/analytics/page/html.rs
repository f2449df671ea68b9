//! The HTML page: one file, inline CSS and inline SVG charts, no scripts and no external
//! resources (a Content-Security-Policy forbids loading any), so it renders offline.

use super::Page;
use super::charts::{self, BAR, FEMALE, MALE, OTHER, Series};
use crate::analytics::tables::{self, Table};
use crate::analytics::{Report, shown_name as name};
use crate::numbers::grouped;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;max-width:780px;padding:24px;color:#222;background:#fff}\
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}\
.meta{color:#555;margin:0 0 4px}.meta code{font-size:.9em}\
figure{margin:12px 0}svg{max-width:100%;height:auto}\
table{border-collapse:collapse;margin:8px 0 16px;font-size:.92em}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.big{font-size:1.3em;font-weight:600}.slot{color:#666;font-style:italic}\
.answer{font-size:1.12em;line-height:1.45;margin:8px 0 12px;padding:8px 12px;background:#f4f8f6;border-left:4px solid #009e73}\
.note{color:#555;font-size:.92em}\
footer{margin-top:40px;color:#777;font-size:.85em}";

/// Text for HTML element content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A table; cells are escaped here.
fn table(t: &Table) -> String {
    let class = |i: usize| if t.numeric.get(i).copied().unwrap_or(false) { " class=\"n\"" } else { "" };
    let mut out = String::from("<table><thead><tr>");
    for (i, h) in t.headers.iter().enumerate() {
        out.push_str(&format!("<th{}>{}</th>", class(i), escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            out.push_str(&format!("<td{}>{}</td>", class(i), escape(cell)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
    out
}

fn figure(label: &str, svg: String) -> String {
    format!("<figure role=\"img\" aria-label=\"{}\">{svg}</figure>\n", escape(label))
}

fn answer(id: &str, text: &str) -> String {
    format!("<p class=\"answer\" id=\"answer-{id}\">{}</p>\n", escape(text))
}

/// A count as a chart draws it: a cell hidden by --min-cell is not drawn.
fn drawn(r: &Report, n: i64) -> i64 {
    if r.hides(n) { 0 } else { n }
}

pub fn render(page: &Page<'_>) -> anyhow::Result<String> {
    let r = page.report;
    let mut body = String::new();

    body.push_str(&format!(
        "<header><h1>duckpipe report</h1>\n<p class=\"meta\"><span class=\"big\" id=\"users\">{}</span> users · as of <time id=\"as-of\">{}</time></p>\n\
         <p class=\"meta\">Runs ({}): {}</p></header>\n",
        grouped(r.users),
        escape(&r.as_of),
        page.run_ids.len(),
        page.run_ids.iter().map(|id| format!("<code class=\"run-id\">{}</code>", escape(id))).collect::<Vec<_>>().join(", ")
    ));
    if let Some(note) = tables::withheld_note(r) {
        body.push_str(&format!("<p class=\"note\" id=\"min-cell\">Small-cell protection: {}</p>\n", escape(&note)));
    }

    // 1. Registration tenure.
    body.push_str("<section id=\"registration\"><h2>1. Time since registration</h2>\n");
    body.push_str(&answer("registration", &r.answers.registration));
    let labels: Vec<String> = page.tenure.iter().map(|t| t.years.to_string()).collect();
    let values: Vec<i64> = page.tenure.iter().map(|t| drawn(r, t.users)).collect();
    body.push_str(&figure(
        "Users by whole years since registration",
        charts::columns(
            "Users by whole years since registration",
            "years since registration",
            &labels,
            &[Series { name: "users", color: BAR, values }],
            false,
        )?,
    ));
    body.push_str("<details><summary>Table</summary>\n");
    body.push_str(&table(&tables::tenure(r, &page.tenure)));
    body.push_str("</details>\n</section>\n");

    // 2. Gender and age.
    body.push_str("<section id=\"gender-age\"><h2>2. Gender and age</h2>\n");
    body.push_str(&answer("age-gender", &r.answers.age_gender));
    let genders: Vec<String> = r.gender.iter().map(|g| name(&g.gender)).collect();
    let color = |g: Option<&str>| match g {
        Some("female") => FEMALE,
        Some("male") => MALE,
        _ => OTHER,
    };
    // One series per gender (its own colour), each with a value in its own column only.
    let series: Vec<Series<'_>> = r
        .gender
        .iter()
        .enumerate()
        .map(|(i, g)| Series {
            name: g.gender.as_deref().unwrap_or("(unknown)"),
            color: color(g.gender.as_deref()),
            values: (0..r.gender.len()).map(|j| if i == j { drawn(r, g.users) } else { 0 }).collect(),
        })
        .collect();
    body.push_str(&figure("Users by gender", charts::columns("Users by gender", "gender", &genders, &series, false)?));
    body.push_str(&table(&tables::gender(r)));

    body.push_str(&format!("<p>Age (completed years at load time): {}.</p>\n", escape(&r.describe_age("–"))));
    let bands: Vec<String> = r.age_bands.iter().map(|b| b.band.clone()).collect();
    let mut series = vec![
        Series { name: "female", color: FEMALE, values: r.age_bands.iter().map(|b| drawn(r, b.female)).collect() },
        Series { name: "male", color: MALE, values: r.age_bands.iter().map(|b| drawn(r, b.male)).collect() },
    ];
    let other: Vec<i64> = r.age_bands.iter().map(|b| drawn(r, b.users - b.female - b.male)).collect();
    if other.iter().any(|v| *v > 0) {
        series.push(Series { name: "other", color: OTHER, values: other });
    }
    body.push_str(&figure(
        "Age bands by gender",
        charts::columns("Age bands by gender", "age band", &bands, &series, true)?,
    ));
    body.push_str(&table(&tables::age_bands(r)));
    body.push_str("</section>\n");

    // 3. Where users come from.
    body.push_str("<section id=\"where\"><h2>3. Where users come from</h2>\n");
    body.push_str(&answer("places", &r.answers.places));
    let labels: Vec<String> = r.top_countries.iter().map(|c| name(&c.country)).collect();
    let values: Vec<i64> = r.top_countries.iter().map(|c| c.users).collect();
    body.push_str(&figure("Top countries", charts::bars("Top countries", &labels, &values, r.users)?));
    body.push_str(&table(&tables::countries(r)));
    let labels: Vec<String> =
        r.top_locations.iter().map(|l| format!("{}, {}", name(&l.city), name(&l.country))).collect();
    let values: Vec<i64> = r.top_locations.iter().map(|l| l.users).collect();
    body.push_str(&figure(
        "Top cities (with their country)",
        charts::bars("Top cities (with their country)", &labels, &values, r.users)?,
    ));
    body.push_str(&table(&tables::locations(r)));
    body.push_str("</section>\n");

    // 4. Risk: the numbers `duckpipe risk` prints for the default quasi-identifiers.
    body.push_str("<section id=\"risk\"><h2>4. Re-identification risk</h2>\n");
    if r.risk.k.is_some() {
        body.push_str(&table(&tables::risk(&r.risk)));
    } else {
        body.push_str("<p class=\"slot\">No records to measure.</p>\n");
    }
    body.push_str("</section>\n");

    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>duckpipe report — {} users, as of {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\
         <footer>Made by duckpipe from de-identified data: no names, contacts or exact birth dates. Counts are users; shares are of all {} users.</footer>\n\
         </body>\n</html>\n",
        grouped(r.users),
        escape(&r.as_of),
        grouped(r.users)
    ))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{page, sample};

    #[test]
    fn page_is_self_contained_with_five_charts_and_escaped_data() {
        let report = sample();
        let html = page(&report).html().unwrap();
        assert_eq!(html.matches("<svg").count(), 5, "five charts");
        for external in ["<script", "<link", "<img", "src=", "href=", "url(", "@import"] {
            assert!(!html.contains(external), "external or active content: {external}");
        }
        assert!(html.contains("Côte d&#39;Ivoire &lt;&amp;&gt;"), "data is escaped");
        assert!(html.contains("<span class=\"big\" id=\"users\">1,234</span>"));
        assert!(html.contains("<code class=\"run-id\">20261125T000000Z-abc123</code>"));
        assert!(html.contains("<h2>4. Re-identification risk</h2>"));
        assert_eq!(html.matches("Re-identification risk").count(), 1, "one title for the risk section");
    }
}
