//! The report as text for a terminal, and the aligned tables every text output uses.

use super::tables::{self, Table};
use super::{Report, risk};
use crate::numbers::users;

/// A plain aligned table: the first `text_columns` columns left-aligned, the rest (numbers)
/// right-aligned.
/// Cells are shown with their control characters escaped (`terminal::printable_cell`): a value
/// from the input stays on its line and cannot drive the terminal.
pub fn table(headers: &[&str], text_columns: usize, rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> =
        rows.iter().map(|row| row.iter().map(|c| crate::terminal::printable_cell(c).into_owned()).collect()).collect();
    let rows = &rows;
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| if i < text_columns { format!("{c:<w$}") } else { format!("{c:>w$}") })
            .collect();
        format!("  {}\n", parts.join("  ").trim_end())
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

/// A [`Table`] for the terminal.
fn text_table(t: &Table) -> String {
    let text_columns = t.numeric.iter().position(|n| *n).unwrap_or(t.headers.len());
    table(&t.headers, text_columns, &t.rows)
}

/// The report as text for a terminal: each question opens with its one-sentence answer.
pub fn render_text(r: &Report) -> String {
    let mut out = format!("duckpipe report — {}, as of {}\n", users(r.users), r.as_of);
    if let Some(note) = tables::withheld_note(r) {
        out.push_str(&format!("Small-cell protection: {note}\n"));
    }
    out.push_str("\n1. Time since registration\n");
    out.push_str(&format!("  {}\n\n", r.answers.registration));
    out.push_str("2. Age and gender\n");
    out.push_str(&format!("  {}\n", r.answers.age_gender));
    out.push_str(&format!("  age: {}\n\n", r.describe_age("-")));
    out.push_str(&text_table(&tables::gender(r)));
    out.push('\n');
    out.push_str(&text_table(&tables::age_bands(r)));
    out.push_str("\n3. Where users come from\n");
    out.push_str(&format!("  {}\n\n", r.answers.places));
    out.push_str(&text_table(&tables::countries(r)));
    out.push('\n');
    out.push_str(&text_table(&tables::locations(r)));
    out.push_str("\n4. ");
    out.push_str(&risk::render_text(&r.risk));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let t = table(&["country", "users"], 1, &[vec!["Denmark".into(), "9".into()], vec!["UK".into(), "10".into()]]);
        assert_eq!(t, "  country  users\n  -------  -----\n  Denmark      9\n  UK          10\n");
    }
}
