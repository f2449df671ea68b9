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
        if text.contains("://") {
            return Err(bad("only s3:// URLs and local directories are supported"));
        }
        if text.trim().is_empty() {
            return Err(bad("empty path"));
        }
        if text.chars().any(|c| c.is_control()) {
            return Err(bad("control characters are not allowed in a path"));
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

    /// A glob over the data objects one attempt wrote (one or more files).
    pub fn data_glob(&self, run_id: &str, attempt: &str) -> String {
        format!("{}/part-{attempt}-*.parquet", self.run_dir(run_id))
    }

    /// The quarantine object of one attempt at a run.
    pub fn quarantine_object(&self, run_id: &str, attempt: &str) -> String {
        format!("{}/quarantine/{run_id}/part-{attempt}-0.parquet", self.root())
    }

    /// The run record of one run.
    pub fn record_path(&self, run_id: &str) -> String {
        format!("{}/runs/{run_id}.json", self.root())
    }

    /// A glob matching every run record.
    pub fn records_glob(&self) -> String {
        format!("{}/runs/*.json", self.root())
    }

    /// Globs matching every object a load may write (data and quarantine), for finding orphans.
    pub fn object_globs(&self) -> [String; 2] {
        [format!("{}/users/*/*.parquet", self.root()), format!("{}/quarantine/*/*.parquet", self.root())]
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

    /// Local destinations need the folders to exist before DuckDB writes into them.
    pub fn prepare_run(&self, run_id: &str) -> std::io::Result<()> {
        match self {
            Self::Local(_) => {
                std::fs::create_dir_all(self.run_dir(run_id))?;
                std::fs::create_dir_all(format!("{}/quarantine/{run_id}", self.root()))?;
                std::fs::create_dir_all(format!("{}/runs", self.root()))
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
        assert_eq!(s3.data_glob("r1", "a1"), "s3://bkt/users/r1/part-a1-*.parquet");
        assert_eq!(s3.relative("s3://bkt/users/r1/part-a1-0.parquet"), "users/r1/part-a1-0.parquet");
        assert_eq!(s3.resolve("users/r1/part-a1-0.parquet"), "s3://bkt/users/r1/part-a1-0.parquet");
        let prefixed = Destination::parse("s3://bkt/p/").unwrap();
        assert_eq!(prefixed.record_path("r1"), "s3://bkt/p/runs/r1.json");
        assert_eq!(prefixed.quarantine_object("r1", "a"), "s3://bkt/p/quarantine/r1/part-a-0.parquet");
        assert_eq!(Destination::parse("./lake").unwrap().data_glob("r", "a"), "./lake/users/r/part-a-*.parquet");
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
        ] {
            assert!(Destination::parse(bad).is_err(), "{bad:?} must be refused");
        }
        // A local path with a quote is allowed: it is quoted when used in SQL.
        assert!(Destination::parse("/tmp/o'brien").is_ok());
    }
}
