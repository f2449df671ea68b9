//! The randomuser.me API client: paging here, one request and its retries in `transport`, the
//! response body in `response` (pure), the errors in `error`.
//!
//! Pulls `count` users in pages of at most 5000 (`?results=..&page=..&seed=..[&nat=..]`, one seed
//! for every page so that the pull is reproducible) and hands each page's users to the sink as the
//! exact JSON text the server sent (never re-serialized).
//!
//! Transient failures (connection errors, timeouts, HTTP 429 and 5xx) are retried a bounded number
//! of times with exponential backoff and full jitter, honouring `Retry-After`. Everything else
//! (other 4xx, an `"error"` body, bad JSON, a missing `results` array, an empty or short page) is a
//! non-retryable error naming the page. Errors and logs never contain user data: response bodies
//! are never quoted, except the server's own `error` string (truncated).

mod error;
pub mod response;
mod transport;

use std::time::Duration;

use rand::Rng;
use url::Url;

pub use error::ApiError;
use transport::{Attempt, Requests, backoff};

use super::{BatchSink, SourceSummary};
use crate::schema::nationality;

/// The pinned API version: the shape cannot change under us.
pub const DEFAULT_BASE_URL: &str = "https://randomuser.me/api/1.4/";

/// The most users the server serves per request. Larger `results` values are silently turned into
/// 1 by the server, so the client must never send more.
pub const MAX_PAGE_SIZE: u32 = 5000;

/// The highest page number the server honours (larger values silently become page 1).
pub const MAX_PAGE: u64 = 10_000;

pub use crate::schema::nationality::NATIONALITIES;

/// How to pull users from the API.
#[derive(Debug, Clone)]
pub struct ApiOptions {
    /// Base URL with the version pinned, e.g. "https://randomuser.me/api/1.4/".
    pub base_url: String,
    /// Users wanted.
    pub count: u64,
    /// Users per request, 1..=5000.
    pub page_size: u32,
    /// Seed sent with every page; `None` → a random 16-hex-char seed (reported in the summary).
    pub seed: Option<String>,
    /// Nationality codes (case-insensitive), validated against [`NATIONALITIES`].
    pub nat: Option<Vec<String>>,
    /// Timeout of one request (connect + response + body).
    pub timeout: Duration,
    /// Attempts per page (≥ 1) before giving up on transient failures.
    pub max_attempts: u32,
    /// First backoff step; doubled per attempt, full jitter, capped at 30 s.
    pub backoff_base: Duration,
}

impl Default for ApiOptions {
    fn default() -> Self {
        ApiOptions {
            base_url: DEFAULT_BASE_URL.to_string(),
            count: 5000,
            page_size: MAX_PAGE_SIZE,
            seed: None,
            nat: None,
            timeout: Duration::from_secs(60),
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
        }
    }
}

/// A URL as it may be shown or recorded: `scheme://host:port/path`, without user name,
/// password, query or fragment — where API credentials go (`https://user:token@…`, `?key=…`).
/// Text that is not a URL is not shown at all.
pub fn public_url(text: &str) -> String {
    match Url::parse(text) {
        Ok(url) if url.has_host() => {
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!("{}://{}{port}{}", url.scheme(), url.host_str().unwrap_or_default(), url.path())
        }
        Ok(url) => format!("{}:", url.scheme()),
        Err(_) => "(not a URL)".to_string(),
    }
}

/// Parses a comma list of nationality codes ("us, gb,FR") into validated upper-case codes.
pub fn parse_nat_list(s: &str) -> Result<Vec<String>, ApiError> {
    let codes: Vec<String> = s.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect();
    if codes.is_empty() {
        return Err(ApiError::InvalidOptions(format!("empty nationality list {s:?}")));
    }
    validate_nat(&codes)
}

/// Upper-cases and validates codes; an unknown code is an error.
fn validate_nat(codes: &[String]) -> Result<Vec<String>, ApiError> {
    codes
        .iter()
        .map(|c| {
            nationality::code(c).map(str::to_string).ok_or_else(|| ApiError::UnknownNationality { code: c.clone() })
        })
        .collect()
}

/// A random 16-hex-char seed, like the server's own.
fn random_seed() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

/// Runs `work` unless Ctrl-C or SIGTERM comes first (a request can take minutes to time out, a
/// `Retry-After` wait a minute).
async fn interruptible<T>(work: impl std::future::Future<Output = T>) -> Result<T, crate::interrupt::Interrupted> {
    let watch = async {
        loop {
            if let Err(i) = crate::interrupt::check() {
                return i;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::select! {
        done = work => Ok(done),
        stopped = watch => Err(stopped),
    }
}

/// Pulls `opts.count` users from the API, handing each page to `sink`.
pub async fn fetch(opts: &ApiOptions, sink: &mut BatchSink<'_>) -> Result<SourceSummary, ApiError> {
    // Validate everything before the first request.
    if opts.page_size == 0 || opts.page_size > MAX_PAGE_SIZE {
        return Err(ApiError::InvalidOptions(format!(
            "page size must be 1..={MAX_PAGE_SIZE} (the server turns larger values into 1), got {}",
            opts.page_size
        )));
    }
    if opts.max_attempts == 0 {
        return Err(ApiError::InvalidOptions("max_attempts must be at least 1".into()));
    }
    let nat = match &opts.nat {
        Some(codes) if codes.is_empty() => None,
        Some(codes) => Some(validate_nat(codes)?),
        None => None,
    };
    let base = Url::parse(&opts.base_url)
        .map_err(|e| ApiError::BadBaseUrl { url: public_url(&opts.base_url), reason: e.to_string() })?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(ApiError::BadBaseUrl {
            url: public_url(&opts.base_url),
            reason: "scheme must be http or https".into(),
        });
    }
    let page_size = u64::from(opts.page_size);
    let pages = opts.count.div_ceil(page_size);
    if pages > MAX_PAGE {
        return Err(ApiError::InvalidOptions(format!(
            "{} users in pages of {} needs {pages} pages; the API serves at most {MAX_PAGE} pages per seed",
            opts.count, opts.page_size
        )));
    }
    let seed = match &opts.seed {
        Some(s) if !s.is_empty() => s.clone(),
        _ => random_seed(),
    };
    let nat_param = nat.as_ref().map(|codes| codes.join(","));

    let client = reqwest::Client::builder()
        .timeout(opts.timeout)
        .connect_timeout(opts.timeout)
        .user_agent(concat!("duckpipe/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(ApiError::Client)?;
    let ctx =
        Requests { client: &client, base: &base, seed: &seed, nat: nat_param.as_deref(), pages, timeout: opts.timeout };

    tracing::info!(count = opts.count, pages, page_size = opts.page_size, seed = %seed, nat = ?nat_param, "randomuser API pull");
    let mut summary =
        SourceSummary { kind: "api".into(), seed: Some(seed.clone()), pages: 0, users: 0, api_version: None, nat };

    for page in 1..=pages {
        let results = (opts.count - (page - 1) * page_size).min(page_size) as u32;
        let mut attempt = 1;
        let good = loop {
            match interruptible(ctx.attempt(page, results, attempt)).await?? {
                Attempt::Done(good) => break good,
                Attempt::Retry { last, wait } => {
                    if attempt >= opts.max_attempts {
                        return Err(ApiError::RetriesExhausted {
                            page,
                            pages,
                            attempts: attempt,
                            last,
                            base_url: public_url(base.as_str()),
                        });
                    }
                    let wait = wait.unwrap_or_else(|| backoff(opts.backoff_base, attempt));
                    tracing::warn!(page, pages, attempt, max_attempts = opts.max_attempts, wait_ms = wait.as_millis() as u64, problem = %last, "randomuser request failed; retrying");
                    interruptible(tokio::time::sleep(wait)).await?;
                    attempt += 1;
                }
            }
        };
        if summary.api_version.is_none() {
            summary.api_version = good.version;
        }
        let n = good.users.len() as u64;
        sink(good.users.into_iter().map(super::Record::Text).collect()).map_err(|e| ApiError::Sink {
            page,
            pages,
            source: e.into(),
        })?;
        summary.pages += 1;
        summary.users += n;
    }
    tracing::info!(pages = summary.pages, users = summary.users, "randomuser API pull done");
    Ok(summary)
}

impl super::Source for ApiOptions {
    /// One request at a time, on the stage step's source thread: the next page is fetched while
    /// DuckDB takes the last one. More requests in parallel would not make a pull faster: the API
    /// allows about 20,000 users per 5 minutes (../shared/docs/randomuser-api.md), four pages of
    /// 5,000, and answers 429 past that.
    fn produce(&self, _batch_size: usize, sink: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| anyhow::anyhow!("cannot start the HTTP runtime: {e}"))?;
        // The API error's own text, without a chain: it is what the user sees.
        runtime.block_on(fetch(self, sink)).map_err(|e| anyhow::Error::msg(e.to_string()))
    }

    fn expected_users(&self) -> Option<u64> {
        Some(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nat_list_is_parsed_and_validated() {
        assert_eq!(parse_nat_list("us, gb,Fr").unwrap(), vec!["US", "GB", "FR"]);
        assert!(matches!(parse_nat_list("US,XX"), Err(ApiError::UnknownNationality { code }) if code == "XX"));
        assert!(parse_nat_list(" , ").is_err());
        assert!(parse_nat_list("lego").is_err());
    }

    #[test]
    fn public_urls_keep_no_credentials() {
        assert_eq!(public_url("https://randomuser.me/api/1.4/"), "https://randomuser.me/api/1.4/");
        assert_eq!(
            public_url("http://alice:s3cret@127.0.0.1:8080/api/1.4/?token=abc&results=5#frag"),
            "http://127.0.0.1:8080/api/1.4/"
        );
        assert_eq!(public_url("https://[::1]:9/x?k=v"), "https://[::1]:9/x");
        assert_eq!(public_url("not a url with secret"), "(not a URL)");
        assert_eq!(public_url("mailto:secret@example.com"), "mailto:");
    }

    #[test]
    fn seed_is_16_hex() {
        let s = random_seed();
        assert_eq!(s.len(), 16);
        assert!(s.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
