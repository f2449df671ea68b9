//! Where the data lands: an S3-compatible bucket (MinIO, AWS) or a local directory, and the S3
//! settings DuckDB's httpfs needs. Layout under a destination:
//!
//! ```text
//! <dest>/users/<run_id>/part-<attempt>-<n>.parquet        the data, encrypted; one folder per run
//! <dest>/quarantine/<run_id>/part-<attempt>-0.parquet     rejected records with reasons, encrypted
//! <dest>/runs/<run_id>.json                               the run record, written last
//! ```
//!
//! Only objects named by a run record are ever read (see `runs`): a run that crashed before its
//! record was written left objects nobody reads (`duckpipe runs --orphans` lists them). The
//! attempt token (fresh per `load`) keeps a retried `--run-id` from mixing files with a crashed
//! attempt.

use std::path::PathBuf;

use crate::engine::{Engine, sql::quote};

/// Default destination when neither `--dest` nor `DUCKPIPE_DEST` is given.
pub const DEFAULT_DEST: &str = "./lake";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StoreConfigError {
    #[error("--dest {0:?}: {1}")]
    BadDest(String, &'static str),
    #[error(
        "{var} is not set: an s3:// destination needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (AWS_ENDPOINT_URL for MinIO)"
    )]
    MissingCredential { var: &'static str },
    #[error("AWS_ENDPOINT_URL {0:?} is not a usable URL (expected e.g. http://127.0.0.1:9000)")]
    BadEndpoint(String),
}

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

/// How a secret statement carries the credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// As quoted values (for duckpipe's own session; never printed or logged).
    Values,
    /// As `getenv('AWS_…')` calls (for a statement a user pastes into a DuckDB shell).
    FromEnv,
}

/// S3 connection settings from the standard AWS variables.
#[derive(Clone)]
pub struct S3Settings {
    key_id: String,
    secret: String,
    session_token: Option<String>,
    region: String,
    /// host[:port] of a custom endpoint (MinIO), with path-style URLs; `None` = AWS.
    endpoint: Option<String>,
    use_ssl: bool,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("S3Settings")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("use_ssl", &self.use_ssl)
            .finish_non_exhaustive()
    }
}

impl S3Settings {
    /// Reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (default
    /// us-east-1) and AWS_ENDPOINT_URL (http or https, taken from the URL).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, StoreConfigError> {
        let need =
            |var: &'static str| get(var).filter(|v| !v.is_empty()).ok_or(StoreConfigError::MissingCredential { var });
        let key_id = need("AWS_ACCESS_KEY_ID")?;
        let secret = need("AWS_SECRET_ACCESS_KEY")?;
        let region = get("AWS_REGION")
            .or_else(|| get("AWS_DEFAULT_REGION"))
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| "us-east-1".into());
        let (endpoint, use_ssl) = match get("AWS_ENDPOINT_URL").filter(|v| !v.is_empty()) {
            None => (None, true),
            Some(raw) => {
                let url = url::Url::parse(&raw).map_err(|_| StoreConfigError::BadEndpoint(raw.clone()))?;
                let host = url.host_str().ok_or_else(|| StoreConfigError::BadEndpoint(raw.clone()))?;
                let use_ssl = match url.scheme() {
                    "http" => false,
                    "https" => true,
                    _ => return Err(StoreConfigError::BadEndpoint(raw)),
                };
                let endpoint = match url.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_string(),
                };
                (Some(endpoint), use_ssl)
            }
        };
        Ok(Self {
            key_id,
            secret,
            session_token: get("AWS_SESSION_TOKEN").filter(|t| !t.is_empty()),
            region,
            endpoint,
            use_ssl,
        })
    }

    /// The endpoint as a URL without a trailing slash (AWS's regional endpoint when none is set).
    pub fn endpoint_url(&self) -> String {
        let scheme = if self.use_ssl { "https" } else { "http" };
        match &self.endpoint {
            Some(endpoint) => format!("{scheme}://{endpoint}"),
            None => format!("{scheme}://s3.{}.amazonaws.com", self.region),
        }
    }

    /// (key id, secret, session token, region) for request signing. Never log these.
    pub(crate) fn credentials(&self) -> (&str, &str, Option<&str>, &str) {
        (&self.key_id, &self.secret, self.session_token.as_deref(), &self.region)
    }

    /// Creates the DuckDB S3 secret. The statement holds the secret; it is never logged and a
    /// failure is reported without it.
    pub fn install(&self, engine: &Engine) -> anyhow::Result<()> {
        let statement = self.secret_statement(Credentials::Values);
        engine
            .conn()
            .execute_batch(&statement)
            .map_err(|_| anyhow::anyhow!("could not configure S3 access in DuckDB (check the AWS_* variables)"))
    }

    /// `CREATE OR REPLACE SECRET duckpipe_s3 (…)` for these settings. With
    /// [`Credentials::FromEnv`] the key id, secret and token are `getenv()` calls that DuckDB
    /// evaluates itself, so the statement holds no secret and may be printed.
    pub fn secret_statement(&self, credentials: Credentials) -> String {
        let (key_id, secret, token) = match credentials {
            Credentials::Values => (quote(&self.key_id), quote(&self.secret), self.session_token.as_deref().map(quote)),
            Credentials::FromEnv => (
                "getenv('AWS_ACCESS_KEY_ID')".to_string(),
                "getenv('AWS_SECRET_ACCESS_KEY')".to_string(),
                self.session_token.as_ref().map(|_| "getenv('AWS_SESSION_TOKEN')".to_string()),
            ),
        };
        let mut options = vec!["TYPE s3".to_string(), format!("KEY_ID {key_id}"), format!("SECRET {secret}")];
        if let Some(token) = token {
            options.push(format!("SESSION_TOKEN {token}"));
        }
        options.push(format!("REGION {}", quote(&self.region)));
        options.push(format!("USE_SSL {}", self.use_ssl));
        if let Some(endpoint) = &self.endpoint {
            options.push(format!("ENDPOINT {}", quote(endpoint)));
            options.push("URL_STYLE 'path'".to_string());
        }
        format!("CREATE OR REPLACE SECRET duckpipe_s3 (\n    {}\n);", options.join(",\n    "))
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

    #[test]
    fn printable_secret_statement_reads_credentials_from_the_environment() {
        let env = |k: &str| match k {
            "AWS_ACCESS_KEY_ID" => Some("AKIDEXAMPLE".to_string()),
            "AWS_SECRET_ACCESS_KEY" => Some("topsecret".to_string()),
            "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:9000".to_string()),
            _ => None,
        };
        let s = S3Settings::from_env(env).unwrap();
        let printable = s.secret_statement(Credentials::FromEnv);
        assert!(!printable.contains("topsecret") && !printable.contains("AKIDEXAMPLE"), "{printable}");
        assert!(
            printable.contains("SECRET getenv('AWS_SECRET_ACCESS_KEY')")
                && printable.contains("ENDPOINT '127.0.0.1:9000'"),
            "{printable}"
        );
        assert!(!printable.contains("SESSION_TOKEN"));
        let own = s.secret_statement(Credentials::Values);
        assert!(own.contains("SECRET 'topsecret'") && own.contains("URL_STYLE 'path'"), "{own}");
    }

    #[test]
    fn s3_settings_from_env() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let s = S3Settings::from_env(env(&[
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "topsecret"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
        ]))
        .unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("127.0.0.1:9000"));
        assert!(!s.use_ssl);
        assert_eq!(s.region, "us-east-1");
        assert!(!format!("{s:?}").contains("topsecret"));
        let e = S3Settings::from_env(env(&[("AWS_ACCESS_KEY_ID", "a")])).unwrap_err();
        assert_eq!(e, StoreConfigError::MissingCredential { var: "AWS_SECRET_ACCESS_KEY" });
        let e = S3Settings::from_env(env(&[
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "b"),
            ("AWS_ENDPOINT_URL", "ftp://x"),
        ]))
        .unwrap_err();
        assert!(matches!(e, StoreConfigError::BadEndpoint(_)));
        let s = S3Settings::from_env(env(&[
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "b"),
            ("AWS_ENDPOINT_URL", "https://s3.example.com"),
        ]))
        .unwrap();
        assert!(s.use_ssl);
        assert_eq!(s.endpoint.as_deref(), Some("s3.example.com"));
    }
}
