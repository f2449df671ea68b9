//! S3 connection settings from the standard AWS variables, and the DuckDB secret made from them.

use super::StoreConfigError;
use crate::engine::{Engine, EngineError, sql, sql::quote};

/// The name of the one S3 secret in a duckpipe session.
pub const SECRET_NAME: &str = "duckpipe_s3";

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

    /// [`S3Settings::from_env`] over the process environment (with `.env` already loaded).
    pub fn from_process_env() -> Result<Self, StoreConfigError> {
        Self::from_env(|k| std::env::var(k).ok())
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

    /// Creates the DuckDB S3 secret and checks that it is the one DuckDB uses for `root` (the
    /// engine reads no persistent secrets, so no other can be in force; this says so if one
    /// ever were). The statement holds the secret; it is never logged and a failure is reported
    /// without it.
    pub fn install(&self, engine: &Engine, root: &str) -> anyhow::Result<()> {
        let statement = self.secret_statement(Credentials::Values);
        engine
            .execute_batch(&statement)
            .map_err(|_| anyhow::anyhow!("could not configure S3 access in DuckDB (check the AWS_* variables)"))?;
        let in_force: Option<String> =
            engine.rows(&sql::SECRET_IN_FORCE.fill(&[("url", &quote(root))]), [], |r| r.get(0))?.into_iter().next();
        if in_force.as_deref() != Some(SECRET_NAME) {
            return Err(EngineError(format!(
                "DuckDB would reach {root} with the secret {in_force:?} instead of duckpipe's own: refusing to go on"
            ))
            .into());
        }
        Ok(())
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
        format!("CREATE OR REPLACE SECRET {SECRET_NAME} (\n    {}\n);", options.join(",\n    "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
