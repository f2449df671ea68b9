//! The columns of the lake's `users` data, as DuckDB types: what every data object holds, in
//! this order. The SQL that makes them (sql/run/masked_users.sql, generalized_users.sql), the
//! README table and the end-to-end tests are held to this list.

/// (name, DuckDB type as `DESCRIBE` prints it).
pub const COLUMNS: [(&str, &str); 11] = [
    ("user_id", "VARCHAR"),
    ("email_pseudonym", "VARCHAR"),
    ("gender", "VARCHAR"),
    ("age", "INTEGER"),
    ("age_band", "VARCHAR"),
    ("registered_date", "DATE"),
    ("country", "VARCHAR"),
    ("city", "VARCHAR"),
    ("nat", "VARCHAR"),
    ("run_id", "VARCHAR"),
    ("loaded_at", "TIMESTAMP WITH TIME ZONE"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's table "What ends up in the lake" lists exactly these columns and types
    /// (`TIMESTAMPTZ` is DuckDB's short name for `TIMESTAMP WITH TIME ZONE`).
    #[test]
    fn the_readme_documents_exactly_these_columns() {
        let readme = include_str!("../../README.md");
        let section = readme.split("## What ends up in the lake").nth(1).expect("README section");
        let mut documented: Vec<(String, String)> = Vec::new();
        for line in section.lines().take_while(|l| !l.starts_with("## ")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() < 4 || !cells[1].starts_with('`') {
                continue;
            }
            let ty = cells[2].replace("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE");
            for name in cells[1].split(',') {
                documented.push((name.trim().trim_matches('`').to_string(), ty.clone()));
            }
        }
        let want: Vec<(String, String)> = COLUMNS.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        assert_eq!(documented, want);
    }
}
