//! S3 connection settings from the standard AWS variables (or, for what they do not set, the
//! AWS profile: `aws_profile`), and the DuckDB secret made from them.

use std::path::PathBuf;

use super::StoreConfigError;
use super::aws_profile::Profile;
use crate::engine::{Engine, sql, sql::quote};
use crate::error::{EngineError, UsageError};

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

/// Where one S3 setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// This environment variable.
    Var(&'static str),
    /// This AWS profile, in this file.
    Profile { name: String, file: PathBuf },
    /// duckpipe's default.
    Default,
}

/// Where the credentials, the region and the endpoint came from (`duckpipe config` says it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    pub credentials: Source,
    pub region: Source,
    pub endpoint: Source,
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
    pub sources: Sources,
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
    /// The AWS rules, as the AWS CLI applies them: credentials from AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN), else from the profile (AWS_PROFILE, else
    /// `default`) in the shared files; the region from AWS_REGION, AWS_DEFAULT_REGION, the
    /// profile, else us-east-1; the endpoint (MinIO) from AWS_ENDPOINT_URL_S3,
    /// AWS_ENDPOINT_URL or the profile's `endpoint_url` — http or https taken from the URL.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, StoreConfigError> {
        let var = |name: &'static str| get(name).filter(|v| !v.trim().is_empty()).map(|v| (v, Source::Var(name)));
        let profile = Profile::load(&get)?;
        let from_profile = |key: &str| {
            let p = profile.as_ref()?;
            p.get(key).map(|(v, file)| (v.to_string(), Source::Profile { name: p.name.clone(), file: file.into() }))
        };

        let (key_id, secret, session_token, credentials) =
            match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
                (Some((key_id, source)), Some((secret, _))) => {
                    (key_id, secret, var("AWS_SESSION_TOKEN").map(|(t, _)| t), source)
                }
                // Half a pair in the environment is a mistake worth naming, not a reason to
                // fall back to a profile.
                (Some(_), None) => return Err(StoreConfigError::MissingCredential { var: "AWS_SECRET_ACCESS_KEY" }),
                (None, Some(_)) => return Err(StoreConfigError::MissingCredential { var: "AWS_ACCESS_KEY_ID" }),
                (None, None) => match (from_profile("aws_access_key_id"), from_profile("aws_secret_access_key")) {
                    (Some((key_id, source)), Some((secret, _))) => {
                        (key_id, secret, from_profile("aws_session_token").map(|(t, _)| t), source)
                    }
                    (Some(_), None) => {
                        return Err(StoreConfigError::MissingCredential { var: "AWS_SECRET_ACCESS_KEY" });
                    }
                    (None, _) => return Err(StoreConfigError::MissingCredential { var: "AWS_ACCESS_KEY_ID" }),
                },
            };
        let (region, region_source) = var("AWS_REGION")
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .or_else(|| from_profile("region"))
            .unwrap_or_else(|| ("us-east-1".into(), Source::Default));
        let endpoint_url =
            var("AWS_ENDPOINT_URL_S3").or_else(|| var("AWS_ENDPOINT_URL")).or_else(|| from_profile("endpoint_url"));
        let endpoint_source = endpoint_url.as_ref().map_or(Source::Default, |(_, s)| s.clone());
        let (endpoint, use_ssl) = match endpoint_url.map(|(v, _)| v) {
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
            session_token,
            region,
            endpoint,
            use_ssl,
            sources: Sources { credentials, region: region_source, endpoint: endpoint_source },
        })
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// Whether a session token is part of the credentials.
    pub fn has_session_token(&self) -> bool {
        self.session_token.is_some()
    }

    /// Why the endpoint could not be reached, as an error to show. A TLS client talking to a
    /// plain-http server (MinIO runs without TLS by default) fails with a TLS protocol error
    /// that says nothing about the cause; that is a setting to change (exit 2), and says so.
    pub fn unreachable(&self, cause: &str) -> anyhow::Error {
        let url = self.endpoint_url();
        let tls_to_plain = ["InvalidContentType", "corrupt message", "wrong version number", "record overflow"];
        if self.use_ssl && tls_to_plain.iter().any(|m| cause.contains(m)) {
            let plain = url.replacen("https://", "http://", 1);
            return UsageError(format!(
                "the S3 endpoint {url} does not answer TLS: it looks like a plain-http server (MinIO without TLS). \
                 Set AWS_ENDPOINT_URL={plain} (http, not https) — or enable TLS on the server"
            ))
            .into();
        }
        if self.use_ssl && (cause.contains("certificate") || cause.contains("UnknownIssuer")) {
            return UsageError(format!(
                "the S3 endpoint {url} presented a TLS certificate that is not trusted here ({cause})"
            ))
            .into();
        }
        EngineError(format!("cannot reach the S3 endpoint {url}: {cause}")).into()
    }

    /// An endpoint that answers a plain-http request with "400 Bad Request" may be a TLS server
    /// (Go's TLS servers, MinIO's among them, answer plain http that way).
    pub fn maybe_plain_to_tls(&self, status: u16) -> Option<anyhow::Error> {
        (status == 400 && !self.use_ssl).then(|| {
            let url = self.endpoint_url();
            let tls = url.replacen("http://", "https://", 1);
            UsageError(format!(
                "the S3 endpoint {url} answered a plain-http request with HTTP 400: if the server uses TLS, \
                 set AWS_ENDPOINT_URL={tls}"
            ))
            .into()
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
    fn credentials_come_from_the_environment_else_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let credentials = dir.path().join("credentials");
        std::fs::write(
            &credentials,
            "[lab]\naws_access_key_id = AKIDLAB\naws_secret_access_key = labsecret\nregion = eu-north-1\n",
        )
        .unwrap();
        let file = credentials.to_string_lossy().into_owned();
        let env = move |pairs: &'static [(&'static str, &'static str)]| {
            let file = file.clone();
            move |k: &str| {
                if k == "AWS_SHARED_CREDENTIALS_FILE" {
                    return Some(file.clone());
                }
                pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
            }
        };
        let s = S3Settings::from_env(env(&[("AWS_PROFILE", "lab"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")]))
            .unwrap();
        assert_eq!(s.credentials().0, "AKIDLAB");
        assert_eq!(s.region, "eu-north-1");
        assert_eq!(s.sources.credentials, Source::Profile { name: "lab".into(), file: credentials.clone() });
        assert_eq!(s.sources.endpoint, Source::Var("AWS_ENDPOINT_URL"));
        // The environment wins over the profile.
        let s = S3Settings::from_env(env(&[
            ("AWS_PROFILE", "lab"),
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "envsecret"),
            ("AWS_REGION", "us-west-2"),
        ]))
        .unwrap();
        assert_eq!((s.credentials().0, s.region.as_str()), ("AKIDENV", "us-west-2"));
        assert_eq!(s.sources.credentials, Source::Var("AWS_ACCESS_KEY_ID"));
        let e = S3Settings::from_env(env(&[("AWS_PROFILE", "missing")])).unwrap_err();
        assert_eq!(e, StoreConfigError::UnknownProfile("missing".into()));
        let e = S3Settings::from_env(env(&[])).unwrap_err();
        assert_eq!(e, StoreConfigError::MissingCredential { var: "AWS_ACCESS_KEY_ID" });
    }

    #[test]
    fn a_tls_client_at_a_plain_http_endpoint_is_told_to_use_http() {
        let s = S3Settings::from_env(|k| match k {
            "AWS_ACCESS_KEY_ID" => Some("a".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("b".into()),
            "AWS_ENDPOINT_URL" => Some("https://127.0.0.1:9000".into()),
            _ => None,
        })
        .unwrap();
        let e = s.unreachable("received corrupt message of type InvalidContentType");
        assert!(e.is::<UsageError>());
        assert!(e.to_string().contains("AWS_ENDPOINT_URL=http://127.0.0.1:9000"), "{e}");
        assert!(s.unreachable("Connection refused (os error 111)").is::<EngineError>());
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
