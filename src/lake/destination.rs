//! Where the data lands: an S3-compatible bucket (MinIO, AWS) or a local directory. Layout under
//! a destination:
//!
//! ```text
//! <dest>/users/<run_id>/part-<attempt>-<n>.parquet        the data, encrypted; one folder per run
//! <dest>/quarantine/<run_id>/part-<attempt>-0.parquet     rejected records with reasons, encrypted
//! <dest>/runs/<run_id>.json                               the run record, written last
//! ```
//!
//! Only objects named by a run record are ever read (see `record`): a run that crashed before its
//! record was written left objects nobody reads (`duckpipe runs --orphans` lists them). The
//! attempt token (fresh per `load`) keeps a retried `--run-id` from mixing files with a crashed
//! attempt.

use std::path::PathBuf;

use super::StoreConfigError;

/// Default destination when neither `--dest` nor `DUCKPIPE_DEST` is given.
pub const DEFAULT_DEST: &str = "./lake";

/// Characters DuckDB's file functions treat as a pattern (a backslash escapes the next
/// character), refused in local lake paths.
pub const GLOB_CHARACTERS: &str = "*?[]\\";

#[derive(Debug, Clone, PartialEq)]
pub enum Destination {
    S3 { bucket: String, prefix: String },
    Local(PathBuf),
}

impl Destination {
    /// Parses `s3://bucket[/prefix]` or a local directory path. Names are restricted to safe
    /// characters because they end up in SQL (COPY targets cannot be parameters).
    pub fn parse(text: &str) -> Result<Self, StoreConfigError> {
        let bad = |why| StoreConfigError::BadDest(text.to_string(), why);
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let prefix = prefix.trim_matches('/');
            let bucket_ok = (3..=63).contains(&bucket.len())
                && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
                && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
            if !bucket_ok {
                return Err(bad("bucket names are 3-63 characters: lowercase letters, digits, '-' and '.'"));
            }
            if !prefix.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=".contains(c)) || prefix.contains("..") {
                return Err(bad("the prefix may hold letters, digits and - _ . / = only"));
            }
            return Ok(Self::S3 { bucket: bucket.to_string(), prefix: prefix.to_string() });
        }
        // `s3:/bucket`, `S3://bucket`, `s3:bucket`: meant for S3, and a local folder named `s3:`
        // would be a silent surprise.
        if text.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("s3:")) {
            return Err(bad("an S3 destination is written s3://bucket[/prefix] (lowercase, two slashes)"));
        }
        if text.contains("://") {
            return Err(bad("only s3:// URLs and local directories are supported"));
        }
        if text.trim().is_empty() {
            return Err(bad("empty path"));
        }
        if text.chars().any(|c| c.is_control()) {
            return Err(bad("control characters are not allowed in a path"));
        }
        if text.chars().any(|c| GLOB_CHARACTERS.contains(c)) {
            // DuckDB expands these in every path it reads, even in an explicit list of files: a
            // lake at `la?e` would read (and list as orphans) the objects of a lake at `lake`.
            return Err(bad("a local lake path may not contain * ? [ ] or \\ (DuckDB reads them as a pattern)"));
        }
        if text == "~" || text.starts_with("~/") {
            // DuckDB expands a leading ~ itself, the file system calls duckpipe makes do not.
            return Err(bad("a leading ~ is not expanded here: write the full path (e.g. $HOME/lake)"));
        }
        Ok(Self::Local(PathBuf::from(text)))
    }

    /// The destination as a URL or path, without a trailing slash.
    pub fn root(&self) -> String {
        match self {
            Self::S3 { bucket, prefix } if prefix.is_empty() => format!("s3://{bucket}"),
            Self::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
            Self::Local(path) => path.to_string_lossy().trim_end_matches('/').to_string(),
        }
    }

    pub fn is_s3(&self) -> bool {
        matches!(self, Self::S3 { .. })
    }

    /// The folder of one run's data.
    pub fn run_dir(&self, run_id: &str) -> String {
        format!("{}/users/{run_id}", self.root())
    }

    /// The quarantine object of one attempt at a run.
    pub fn quarantine_object(&self, run_id: &str, attempt: &str) -> String {
        format!("{}/quarantine/{run_id}/part-{attempt}-0.parquet", self.root())
    }

    /// The run record of one run.
    pub fn record_path(&self, run_id: &str) -> String {
        format!("{}/runs/{run_id}.json", self.root())
    }

    /// A glob matching every run record (S3 only: local lakes are listed by the file system).
    pub fn records_glob(&self) -> String {
        format!("{}/runs/*.json", self.root())
    }

    /// Globs matching every object a load may leave under the destination: data, quarantine,
    /// and anything in `runs/` (records, and probes a killed load left). S3 only, like
    /// [`Destination::records_glob`].
    pub fn object_globs(&self) -> [String; 3] {
        [
            format!("{}/users/*/*", self.root()),
            format!("{}/quarantine/*/*", self.root()),
            format!("{}/runs/*", self.root()),
        ]
    }

    /// The bucket and object key of a path relative to an S3 destination (`None` locally).
    pub fn s3_key(&self, relative: &str) -> Option<(&str, String)> {
        match self {
            Self::S3 { bucket, prefix } if prefix.is_empty() => Some((bucket, relative.to_string())),
            Self::S3 { bucket, prefix } => Some((bucket, format!("{prefix}/{relative}"))),
            Self::Local(_) => None,
        }
    }

    /// The path of an object relative to the destination (how run records name objects, so a
    /// lake can be copied elsewhere and still be read).
    pub fn relative(&self, object: &str) -> String {
        let root = self.root();
        object.strip_prefix(&root).map(|r| r.trim_start_matches('/').to_string()).unwrap_or_else(|| object.to_string())
    }

    /// The full path of an object named relative to the destination.
    pub fn resolve(&self, relative: &str) -> String {
        format!("{}/{relative}", self.root())
    }

    /// The folders (relative) a load of `run_id` writes into, deepest first.
    pub fn run_folders(run_id: &str) -> [String; 5] {
        [format!("users/{run_id}"), "users".into(), format!("quarantine/{run_id}"), "quarantine".into(), "runs".into()]
    }

    /// Local destinations need the folders to exist before DuckDB writes into them.
    pub fn prepare_run(&self, run_id: &str) -> std::io::Result<()> {
        match self {
            Self::Local(_) => {
                for folder in Self::run_folders(run_id) {
                    std::fs::create_dir_all(self.resolve(&folder))?;
                }
                Ok(())
            }
            Self::S3 { .. } => Ok(()),
        }
    }
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.root())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_destinations() {
        assert_eq!(
            Destination::parse("s3://my-bucket/lake/x").unwrap(),
            Destination::S3 { bucket: "my-bucket".into(), prefix: "lake/x".into() }
        );
        let s3 = Destination::parse("s3://bkt").unwrap();
        assert_eq!(s3.run_dir("r1"), "s3://bkt/users/r1");
        assert_eq!(s3.s3_key("runs/r1.json"), Some(("bkt", "runs/r1.json".to_string())));
        assert_eq!(s3.relative("s3://bkt/users/r1/part-a1-0.parquet"), "users/r1/part-a1-0.parquet");
        assert_eq!(s3.resolve("users/r1/part-a1-0.parquet"), "s3://bkt/users/r1/part-a1-0.parquet");
        let prefixed = Destination::parse("s3://bkt/p/").unwrap();
        assert_eq!(prefixed.record_path("r1"), "s3://bkt/p/runs/r1.json");
        assert_eq!(prefixed.quarantine_object("r1", "a"), "s3://bkt/p/quarantine/r1/part-a-0.parquet");
        assert_eq!(prefixed.s3_key("runs/r1.json"), Some(("bkt", "p/runs/r1.json".to_string())));
        assert_eq!(Destination::parse("./lake").unwrap().run_dir("r"), "./lake/users/r");
        assert_eq!(Destination::parse("./lake").unwrap().s3_key("x"), None);
        assert_eq!(Destination::parse("/tmp/l/").unwrap().records_glob(), "/tmp/l/runs/*.json");
    }

    #[test]
    fn rejects_unsafe_destinations() {
        for bad in [
            "s3://Bad_Bucket",
            "s3://b",
            "s3://bucket/it's",
            "s3://bucket/a'); DROP TABLE x; --",
            "s3://bucket/../x",
            "gs://x/y",
            "",
            "a\nb",
            "/tmp/la?e",
            "/tmp/la*e",
            "/tmp/la[k]e",
            "/tmp/lake]",
            "/tmp/back\\slash",
            "~/lake",
            "~",
            "s3:/bucket/lake",
            "S3://bucket/lake",
            "s3:bucket",
        ] {
            assert!(Destination::parse(bad).is_err(), "{bad:?} must be refused");
        }
        // Other characters are allowed: paths are quoted when used in SQL.
        for good in ["/tmp/o'brien", "/tmp/a b/c=1/é,;%$#{}", "~lake", "./x~/y"] {
            assert!(Destination::parse(good).is_ok(), "{good:?}");
        }
    }
}
