//! The SQL in `sql/`, embedded in the binary so that what runs is exactly what is in the files.

pub const STAGE: &str = include_str!("../../sql/00_stage.sql");
pub const STAGE_NDJSON: &str = include_str!("../../sql/00_stage_ndjson.sql");
pub const FLATTEN: &str = include_str!("../../sql/01_flatten.sql");
pub const VALIDATE: &str = include_str!("../../sql/02_validate.sql");
pub const MASK: &str = include_str!("../../sql/03_mask.sql");
/// Steps 1-3 on the users now in `raw_users`: the views of sql/01-03 do the work, this appends
/// their result in arrival order (sql/03_mask.sql explains `staged_users`).
pub const APPEND_BATCH: &str = "INSERT INTO staged_users SELECT * FROM masked_rows;";
pub const REJECT: &str = include_str!("../../sql/03a_reject.sql");
/// Which groups of required fields the run delivered at all (needs `privacy::layout::sample`).
pub const DELIVERED_GROUPS: &str = include_str!("../../sql/checks/delivered_groups.sql");
pub const EXPORT: &str = include_str!("../../sql/04_export.sql");
pub const QUARANTINE: &str = include_str!("../../sql/05_quarantine.sql");

/// The analytics, one file per answer table: (name, SQL).
pub const ANALYTICS: [(&str, &str); 7] = [
    ("q1_registration", include_str!("../../sql/analytics/q1_registration.sql")),
    ("q1_tenure", include_str!("../../sql/analytics/q1_tenure.sql")),
    ("q2_gender", include_str!("../../sql/analytics/q2_gender.sql")),
    ("q2_age", include_str!("../../sql/analytics/q2_age.sql")),
    ("q2_age_bands", include_str!("../../sql/analytics/q2_age_bands.sql")),
    ("q3_top_countries", include_str!("../../sql/analytics/q3_top_countries.sql")),
    ("q3_top_locations", include_str!("../../sql/analytics/q3_top_locations.sql")),
];

/// The text of one analytics file by name.
pub fn analytics(name: &str) -> &'static str {
    ANALYTICS.iter().find(|(n, _)| *n == name).map(|(_, sql)| *sql).expect("known analytics file")
}

/// A SQL string literal: single quotes doubled. For values DuckDB cannot take as parameters
/// (COPY targets, PRAGMA and SECRET arguments); callers validate the value's shape first.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_has_a_header_comment() {
        for sql in [STAGE, STAGE_NDJSON, FLATTEN, VALIDATE, MASK, REJECT, EXPORT, QUARANTINE]
            .iter()
            .chain(ANALYTICS.iter().map(|(_, s)| s))
        {
            assert!(sql.starts_with("-- "), "SQL files start with a header comment: {}", &sql[..40]);
        }
    }

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quote("a'b"), "'a''b'");
        assert_eq!(quote("x"), "'x'");
    }
}
