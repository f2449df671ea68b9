//! The report as text for a terminal, and the aligned tables every text output uses.

use super::{Report, risk};

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "-".to_string(), T::to_string)
}

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

/// The report as text for a terminal.
pub fn render_text(r: &Report) -> String {
    let mut out = format!("duckpipe report — {} users, as of {}\n\n", r.users, r.as_of);
    out.push_str("1. Time since registration\n");
    out.push_str(&format!(
        "  average: {} days ({} years)\n\n",
        opt(&r.registration.avg_days),
        opt(&r.registration.avg_years)
    ));
    out.push_str("2. Age and gender\n");
    out.push_str(&format!("  age: {}\n\n", r.age.describe("-")));
    let rows: Vec<Vec<String>> = r.gender.iter().map(|g| vec![opt(&g.gender), g.users.to_string()]).collect();
    out.push_str(&table(&["gender", "users"], 1, &rows));
    out.push('\n');
    let rows: Vec<Vec<String>> = r
        .age_bands
        .iter()
        .map(|b| vec![b.band.clone(), b.female.to_string(), b.male.to_string(), b.users.to_string()])
        .collect();
    out.push_str(&table(&["age band", "female", "male", "users"], 1, &rows));
    out.push_str("\n3. Where users come from\n");
    let rows: Vec<Vec<String>> = r.top_countries.iter().map(|c| vec![opt(&c.country), c.users.to_string()]).collect();
    out.push_str(&table(&["country", "users"], 1, &rows));
    out.push('\n');
    let rows: Vec<Vec<String>> =
        r.top_locations.iter().map(|l| vec![opt(&l.country), opt(&l.city), l.users.to_string()]).collect();
    out.push_str(&table(&["country", "city", "users"], 2, &rows));
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
