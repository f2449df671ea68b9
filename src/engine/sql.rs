//! The SQL in `sql/`, embedded in the binary so that what runs is exactly what is in the files,
//! and registered here — once — with what each file reads (`getvariable()`) and what duckpipe
//! fills in (`{{placeholder}}`). A test holds every file to its entry.
//!
//! Folders show when a file runs: `stage/` per batch of users, `run/` once the whole run is
//! staged, `write/` the objects a load writes, `lake/` what readers of a lake run, `analytics/`
//! and `risk/` the answers (runnable from a stock DuckDB shell too), `prompt/` what the
//! `duckpipe sql` prompt's dot-commands ask the catalog.

use super::{NEW_QUARANTINE_KEY_NAME, OLD_PARQUET_KEY_NAME, PARQUET_KEY_NAME, QUARANTINE_KEY_NAME};

/// Which registered Parquet key a file's `{{key_name}}` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyName {
    /// The data's key (`DUCKPIPE_PARQUET_KEY`).
    Data,
    /// The key `rekey` moves the data from (the old `DUCKPIPE_PARQUET_KEY`).
    OldData,
    /// The quarantine's key (`DUCKPIPE_QUARANTINE_KEY`).
    Quarantine,
    /// The key `rekey` moves the quarantine to (`DUCKPIPE_NEW_QUARANTINE_KEY`).
    NewQuarantine,
}

impl KeyName {
    pub fn name(self) -> &'static str {
        match self {
            Self::Data => PARQUET_KEY_NAME,
            Self::OldData => OLD_PARQUET_KEY_NAME,
            Self::Quarantine => QUARANTINE_KEY_NAME,
            Self::NewQuarantine => NEW_QUARANTINE_KEY_NAME,
        }
    }
}

/// One SQL file under `sql/`.
#[derive(Debug)]
pub struct SqlFile {
    /// Path under `sql/`.
    pub path: &'static str,
    pub text: &'static str,
    /// The variables it reads with `getvariable()`.
    pub reads: &'static [&'static str],
    /// The placeholders duckpipe fills in ({{name}}), other than `key_name`.
    pub fills: &'static [&'static str],
}

macro_rules! sql_file {
    ($path:literal, reads: [$($r:literal),*], fills: [$($f:literal),*]) => {
        SqlFile { path: $path, text: include_str!(concat!("../../sql/", $path)), reads: &[$($r),*], fills: &[$($f),*] }
    };
}

impl SqlFile {
    /// The text with every placeholder filled: `values` gives each one of [`SqlFile::fills`] as a
    /// SQL fragment (a literal made with [`quote`], a number, a relation name); `{{key_name}}` is
    /// the registered data key's name.
    pub fn fill(&self, values: &[(&str, &str)]) -> String {
        self.fill_keyed(KeyName::Data, values)
    }

    /// [`SqlFile::fill`] with `{{key_name}}` naming `key`.
    pub fn fill_keyed(&self, key: KeyName, values: &[(&str, &str)]) -> String {
        debug_assert!(
            self.fills.iter().all(|f| values.iter().any(|(n, _)| n == f)) && values.len() == self.fills.len(),
            "{}: fill exactly {:?}",
            self.path,
            self.fills
        );
        let mut text = self.text.replace("{{key_name}}", &quote(key.name()));
        for (name, value) in values {
            text = text.replace(&format!("{{{{{name}}}}}"), value);
        }
        text
    }

    /// The text of a file without placeholders (other than `key_name`).
    pub fn sql(&self) -> String {
        self.fill(&[])
    }
}

// stage/ — per batch
pub const RAW_USERS: SqlFile = sql_file!("stage/raw_users.sql", reads: [], fills: []);
pub const RAW_USERS_FROM_FILE: SqlFile = sql_file!(
    "stage/raw_users_from_file.sql",
    reads: [],
    fills: ["input", "max_record_bytes", "maximum_object_size", "oversized_reason"]
);
pub const UTC_TIMESTAMP: SqlFile = sql_file!("stage/utc_timestamp.sql", reads: [], fills: []);
pub const FLAT_USERS: SqlFile = sql_file!("stage/flat_users.sql", reads: [], fills: []);
pub const CHECKED_USERS: SqlFile = sql_file!("stage/checked_users.sql", reads: ["as_of", "loaded_at"], fills: []);
pub const LAYOUT_FIRST: SqlFile = sql_file!("stage/layout_first.sql", reads: [], fills: []);
pub const MASKED_ROWS: SqlFile = sql_file!("stage/masked_rows.sql", reads: ["as_of", "first_layout"], fills: []);
pub const STAGED_USERS: SqlFile = sql_file!("stage/staged_users.sql", reads: [], fills: []);
pub const APPEND_BATCH: SqlFile = sql_file!("stage/append_batch.sql", reads: [], fills: []);
pub const STREAMED_USERS: SqlFile = sql_file!("stage/streamed_users.sql", reads: ["run_id", "loaded_at"], fills: []);
pub const APPEND_SET_ASIDE: SqlFile = sql_file!("stage/append_set_aside.sql", reads: [], fills: []);

// run/ — once the whole run is staged
pub const LAYOUT_SAMPLES: SqlFile = sql_file!("run/layout_samples.sql", reads: ["streamed"], fills: []);
pub const DELIVERED_GROUPS: SqlFile = sql_file!("run/delivered_groups.sql", reads: ["streamed"], fills: []);
pub const UNKNOWN_FIELDS: SqlFile =
    sql_file!("run/unknown_fields.sql", reads: ["known_objects", "known_paths", "kept_leaves"], fills: []);
pub const KEPT_TYPES: SqlFile = sql_file!("run/kept_types.sql", reads: ["kept_leaves"], fills: []);
pub const REJECTED_USERS: SqlFile = sql_file!("run/rejected_users.sql", reads: ["required"], fills: []);
pub const MASKED_USERS: SqlFile =
    sql_file!("run/masked_users.sql", reads: ["required", "bad_type_layouts", "run_id", "loaded_at"], fills: []);
pub const REJECTIONS: SqlFile = sql_file!("run/rejections.sql", reads: [], fills: []);
pub const KANON_ROWS: SqlFile = sql_file!("run/kanon_rows.sql", reads: ["min_k", "kept_cities"], fills: []);
pub const GENERALIZED_USERS: SqlFile = sql_file!("run/generalized_users.sql", reads: ["min_k"], fills: []);
pub const REPEATED_USERS: SqlFile = sql_file!("run/repeated_users.sql", reads: [], fills: ["relation"]);
pub const INFORMATION_LOSS: SqlFile = sql_file!("run/information_loss.sql", reads: [], fills: []);
pub const RUN_USERS: SqlFile = sql_file!("run/run_users.sql", reads: [], fills: ["objects"]);

// write/ — the objects of a load
pub const WRITE_USERS: SqlFile = sql_file!(
    "write/users.sql",
    reads: [],
    fills: ["relation", "run_dir", "filename_pattern", "file_size_bytes", "row_group_rows"]
);
pub const WRITE_QUARANTINE: SqlFile = sql_file!(
    "write/quarantine.sql",
    reads: ["run_id", "loaded_at", "credential_patch", "credential_keys"],
    fills: ["output_path"]
);

// lake/ — reading a lake
pub const USERS_VIEW: SqlFile = sql_file!("lake/users_view.sql", reads: [], fills: ["objects"]);
pub const USERS_LATEST_VIEW: SqlFile =
    sql_file!("lake/users_latest_view.sql", reads: [], fills: ["objects", "run_order"]);
pub const USERS_READ_ONCE: SqlFile = sql_file!("lake/users_read_once.sql", reads: [], fills: []);
pub const OBJECT_ROWS: SqlFile = sql_file!("lake/object_rows.sql", reads: [], fills: ["object"]);
pub const VERIFY_OBJECT: SqlFile = sql_file!("lake/verify_object.sql", reads: [], fills: ["object"]);
pub const OBJECT_SIZE: SqlFile = sql_file!("lake/object_size.sql", reads: [], fills: ["object"]);
pub const OBJECT_SIZES: SqlFile = sql_file!("lake/object_sizes.sql", reads: [], fills: ["objects"]);
pub const KNOWN_USERS: SqlFile = sql_file!("lake/known_users.sql", reads: [], fills: ["relation", "objects"]);
pub const KNOWN_RUNS: SqlFile = sql_file!("lake/known_runs.sql", reads: [], fills: []);
pub const SECRET_IN_FORCE: SqlFile = sql_file!("lake/secret_in_force.sql", reads: [], fills: ["url"]);
pub const LIST_OBJECTS: SqlFile = sql_file!("lake/list_objects.sql", reads: [], fills: ["glob"]);
pub const RUN_RECORDS: SqlFile = sql_file!("lake/run_records.sql", reads: [], fills: ["glob"]);

// analytics/ and risk/ — the answers
pub const Q1_REGISTRATION: SqlFile = sql_file!("analytics/q1_registration.sql", reads: ["as_of"], fills: []);
pub const Q1_TENURE: SqlFile = sql_file!("analytics/q1_tenure.sql", reads: ["as_of"], fills: []);
pub const Q2_GENDER: SqlFile = sql_file!("analytics/q2_gender.sql", reads: [], fills: []);
pub const Q2_AGE: SqlFile = sql_file!("analytics/q2_age.sql", reads: [], fills: []);
pub const Q2_AGE_BANDS: SqlFile = sql_file!("analytics/q2_age_bands.sql", reads: [], fills: []);
pub const Q3_TOP_COUNTRIES: SqlFile = sql_file!("analytics/q3_top_countries.sql", reads: ["top_n"], fills: []);
pub const Q3_TOP_LOCATIONS: SqlFile = sql_file!("analytics/q3_top_locations.sql", reads: ["top_n"], fills: []);
pub const Q3_LEADERS: SqlFile = sql_file!("analytics/q3_leaders.sql", reads: [], fills: []);
pub const RISK_CLASSES: SqlFile = sql_file!("risk/classes.sql", reads: ["risk_qi"], fills: []);
pub const RISK_SUMMARY: SqlFile = sql_file!("risk/summary.sql", reads: [], fills: []);
pub const RISK_GENERALISED: SqlFile = sql_file!("risk/generalised.sql", reads: [], fills: []);
pub const RISK_WIDENED_BANDS: SqlFile = sql_file!("risk/widened_bands.sql", reads: [], fills: []);

// prompt/ — the `duckpipe sql` prompt's dot-commands
pub const PROMPT_TABLES: SqlFile = sql_file!("prompt/tables.sql", reads: [], fills: []);
pub const PROMPT_COLUMNS: SqlFile = sql_file!("prompt/columns.sql", reads: [], fills: []);
// rewrite/ — compact, forget, rekey (src/lake/rewrite.rs)
pub const REWRITE_DATA_IN: SqlFile = sql_file!("rewrite/data_in.sql", reads: [], fills: ["objects", "read_key"]);
pub const REWRITE_QUARANTINE_IN: SqlFile =
    sql_file!("rewrite/quarantine_in.sql", reads: [], fills: ["objects", "read_key"]);
pub const REWRITE_WRITE_QUARANTINE: SqlFile =
    sql_file!("rewrite/write_quarantine.sql", reads: [], fills: ["relation", "output_path", "write_key"]);
pub const FORGET_DATA_HITS: SqlFile =
    sql_file!("rewrite/forget_data_hits.sql", reads: ["forget_pseudonyms"], fills: ["objects"]);
pub const FORGET_QUARANTINE_HITS: SqlFile =
    sql_file!("rewrite/forget_quarantine_hits.sql", reads: ["forget_needles"], fills: ["objects", "read_key"]);
pub const FORGET_DATA: SqlFile = sql_file!("rewrite/forget_data.sql", reads: ["forget_pseudonyms"], fills: []);
pub const FORGET_QUARANTINE: SqlFile = sql_file!("rewrite/forget_quarantine.sql", reads: ["forget_needles"], fills: []);
pub const OBJECT_TIMES: SqlFile = sql_file!("lake/object_times.sql", reads: [], fills: ["objects"]);

/// The per-batch relations, in the order they are created once the run's first batch is in
/// `raw_users`; then every batch runs [`APPEND_BATCH`] and starts afresh with [`RAW_USERS`].
pub const STAGE_STEPS: [&SqlFile; 6] =
    [&UTC_TIMESTAMP, &FLAT_USERS, &CHECKED_USERS, &LAYOUT_FIRST, &MASKED_ROWS, &STAGED_USERS];

/// The first of [`STAGE_STEPS`], up to and including `last` (for tests and benchmarks that look
/// at one relation on its way).
pub fn stage_steps_through(last: &SqlFile) -> &'static [&'static SqlFile] {
    let end = STAGE_STEPS.iter().position(|f| f.path == last.path).expect("a per-batch step");
    &STAGE_STEPS[..=end]
}

/// The reject step: the shapes with a kept field of the wrong type, the users that cannot be
/// processed, and everyone else.
pub const REJECT_STEPS: [&SqlFile; 3] = [&KEPT_TYPES, &REJECTED_USERS, &MASKED_USERS];

/// The generalize step (`load --min-k`).
pub const GENERALIZE_STEPS: [&SqlFile; 2] = [&KANON_ROWS, &GENERALIZED_USERS];

/// Every file under `sql/`.
pub const ALL: [&SqlFile; 59] = [
    &RAW_USERS,
    &RAW_USERS_FROM_FILE,
    &UTC_TIMESTAMP,
    &FLAT_USERS,
    &CHECKED_USERS,
    &LAYOUT_FIRST,
    &MASKED_ROWS,
    &STAGED_USERS,
    &APPEND_BATCH,
    &STREAMED_USERS,
    &APPEND_SET_ASIDE,
    &LAYOUT_SAMPLES,
    &DELIVERED_GROUPS,
    &UNKNOWN_FIELDS,
    &KEPT_TYPES,
    &REJECTED_USERS,
    &MASKED_USERS,
    &REJECTIONS,
    &KANON_ROWS,
    &GENERALIZED_USERS,
    &REPEATED_USERS,
    &INFORMATION_LOSS,
    &RUN_USERS,
    &WRITE_USERS,
    &WRITE_QUARANTINE,
    &USERS_VIEW,
    &USERS_LATEST_VIEW,
    &USERS_READ_ONCE,
    &OBJECT_ROWS,
    &VERIFY_OBJECT,
    &OBJECT_SIZE,
    &OBJECT_SIZES,
    &KNOWN_USERS,
    &KNOWN_RUNS,
    &SECRET_IN_FORCE,
    &LIST_OBJECTS,
    &RUN_RECORDS,
    &OBJECT_TIMES,
    &REWRITE_DATA_IN,
    &REWRITE_QUARANTINE_IN,
    &REWRITE_WRITE_QUARANTINE,
    &FORGET_DATA_HITS,
    &FORGET_QUARANTINE_HITS,
    &FORGET_DATA,
    &FORGET_QUARANTINE,
    &Q1_REGISTRATION,
    &Q1_TENURE,
    &Q2_GENDER,
    &Q2_AGE,
    &Q2_AGE_BANDS,
    &Q3_TOP_COUNTRIES,
    &Q3_TOP_LOCATIONS,
    &Q3_LEADERS,
    &RISK_CLASSES,
    &RISK_SUMMARY,
    &RISK_GENERALISED,
    &RISK_WIDENED_BANDS,
    &PROMPT_TABLES,
    &PROMPT_COLUMNS,
];

/// The analytics, one file per answer table: (name, file).
pub const ANALYTICS: [(&str, &SqlFile); 8] = [
    ("q1_registration", &Q1_REGISTRATION),
    ("q1_tenure", &Q1_TENURE),
    ("q2_gender", &Q2_GENDER),
    ("q2_age", &Q2_AGE),
    ("q2_age_bands", &Q2_AGE_BANDS),
    ("q3_top_countries", &Q3_TOP_COUNTRIES),
    ("q3_top_locations", &Q3_TOP_LOCATIONS),
    ("q3_leaders", &Q3_LEADERS),
];

/// The text of one analytics file by name.
pub fn analytics(name: &str) -> &'static str {
    ANALYTICS.iter().find(|(n, _)| *n == name).map(|(_, f)| f.text).expect("known analytics file")
}

/// A SQL string literal: single quotes doubled. For values DuckDB cannot take as parameters
/// (COPY targets, PRAGMA and SECRET arguments); callers validate the value's shape first.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// `getvariable('x')` names and `{{x}}` placeholders in a text.
    fn names(text: &str, open: &str, close: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            if let Some(j) = rest.find(close) {
                out.insert(rest[..j].to_string());
                rest = &rest[j..];
            }
        }
        out
    }

    fn files_on_disk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files_on_disk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "sql") {
                out.push(path.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }

    #[test]
    fn every_file_is_registered_once() {
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sql");
        let mut disk = Vec::new();
        files_on_disk(&base, &base, &mut disk);
        disk.sort();
        let mut registered: Vec<String> = ALL.iter().map(|f| f.path.to_string()).collect();
        registered.sort();
        assert_eq!(registered, disk, "sql/ and engine::sql::ALL differ");
    }

    #[test]
    fn every_file_says_input_output_why() {
        for f in ALL {
            let header: Vec<&str> = f.text.lines().take_while(|l| l.starts_with("--")).collect();
            assert!(!header.is_empty() && header[0].starts_with("-- "), "{}: no header comment", f.path);
            for part in ["-- Input:", "-- Output:", "-- Why:"] {
                assert!(header.iter().any(|l| l.starts_with(part)), "{}: header lacks {part}", f.path);
            }
        }
    }

    #[test]
    fn variables_and_placeholders_are_declared() {
        for f in ALL {
            let read = names(f.text, "getvariable('", "')");
            let declared: BTreeSet<String> = f.reads.iter().map(|s| s.to_string()).collect();
            assert_eq!(read, declared, "{}: getvariable() names", f.path);
            let mut placeholders = names(f.text, "{{", "}}");
            placeholders.remove("key_name");
            let fills: BTreeSet<String> = f.fills.iter().map(|s| s.to_string()).collect();
            assert_eq!(placeholders, fills, "{}: placeholders", f.path);
            let filled = f.fill(&f.fills.iter().map(|n| (*n, "x")).collect::<Vec<_>>());
            assert!(!filled.contains("{{"), "{}: a placeholder is left", f.path);
        }
    }

    #[test]
    fn the_parquet_key_name_comes_from_one_constant() {
        for f in ALL {
            assert!(!f.text.contains("footer_key: '"), "{}: write footer_key: {{{{key_name}}}}", f.path);
            // A rewrite reads with the key the objects were written with (the old one during
            // rekey), named by a declared placeholder.
            let by_placeholder =
                f.fills.iter().any(|p| p.ends_with("_key") && f.text.contains(&format!("footer_key: {{{{{p}}}}}")));
            if f.text.contains("footer_key") && !by_placeholder {
                assert!(f.sql_with_any_fills().contains(&format!("footer_key: '{PARQUET_KEY_NAME}'")), "{}", f.path);
            }
        }
    }

    #[test]
    fn lambdas_use_the_keyword_form() {
        // DuckDB 2.0 no longer binds `x -> …`; `lambda x: …` works on 1.5.5 and 2.0. (The JSON
        // operator `->>` is not a lambda.)
        for f in ALL {
            assert!(!f.text.replace("->>", "").contains("->"), "{}: use `lambda x: …`", f.path);
        }
    }

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quote("a'b"), "'a''b'");
        assert_eq!(quote("x"), "'x'");
    }

    impl SqlFile {
        fn sql_with_any_fills(&self) -> String {
            self.fill(&self.fills.iter().map(|n| (*n, "x")).collect::<Vec<_>>())
        }
    }
}
