//! The randomuser.me API client.
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

use super::{BatchSink, SourceSummary};
use rand::Rng;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::time::{Duration, Instant};
use thiserror::Error;
use url::Url;

/// The pinned API version: the shape cannot change under us.
pub const DEFAULT_BASE_URL: &str = "https://randomuser.me/api/1.4/";

/// The most users the server serves per request. Larger `results` values are silently turned into
/// 1 by the server, so the client must never send more.
pub const MAX_PAGE_SIZE: u32 = 5000;

/// The highest page number the server honours (larger values silently become page 1).
pub const MAX_PAGE: u64 = 10_000;

/// The nationality codes of API v1.4. One unknown code makes the server ignore the whole list.
pub const NATIONALITIES: [&str; 21] = [
    "AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IN", "IR", "MX", "NL", "NO", "NZ", "RS", "TR",
    "UA", "US",
];

/// Upper bound for one backoff sleep.
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// Upper bound for a server-requested `Retry-After` wait.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);
/// How much of the server's `error` string is kept in messages.
const SERVER_MESSAGE_MAX_CHARS: usize = 200;

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

/// Why a pull failed. Messages hold no user data.
#[derive(Debug, Error)]
pub enum ApiError {
    #[error("invalid API options: {0}")]
    InvalidOptions(String),

    #[error("invalid randomuser API base URL {url:?}: {reason}")]
    BadBaseUrl { url: String, reason: String },

    #[error("unknown nationality code {code:?} (randomuser API v1.4 knows {})", NATIONALITIES.join(" "))]
    UnknownNationality { code: String },

    #[error("could not build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),

    /// A non-retryable HTTP status (4xx other than 429, or an unexpected status).
    #[error("randomuser API page {page} of {pages}: HTTP {status}{} (base URL {base_url})", server_suffix(.server_message))]
    Http { page: u64, pages: u64, status: StatusCode, server_message: Option<String>, base_url: String },

    /// Transient failures (connection, timeout, 429, 5xx) on every attempt.
    #[error(
        "randomuser API page {page} of {pages}: giving up after {attempts} attempts; last: {last} (base URL {base_url})"
    )]
    RetriesExhausted { page: u64, pages: u64, attempts: u32, last: String, base_url: String },

    /// The server answered with an `{"error": ...}` body.
    #[error("randomuser API page {page} of {pages}: server error: {message}")]
    Server { page: u64, pages: u64, message: String },

    /// The body is not valid (or is truncated) JSON. `detail` holds only the position.
    #[error("randomuser API page {page} of {pages}: invalid JSON response ({detail})")]
    InvalidJson { page: u64, pages: u64, detail: String },

    /// The body is JSON but not a randomuser response.
    #[error("randomuser API page {page} of {pages}: unexpected response: {problem}")]
    BadShape { page: u64, pages: u64, problem: String },

    /// Fewer (or more) users than requested.
    #[error("randomuser API page {page} of {pages}: {} ({got} users, {expected} requested)", page_size_problem(.got, .expected))]
    WrongPageSize { page: u64, pages: u64, expected: u32, got: usize },

    /// The sink refused a page.
    #[error("randomuser API page {page} of {pages}: could not store the users: {source}")]
    Sink {
        page: u64,
        pages: u64,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

fn page_size_problem(got: &usize, expected: &u32) -> &'static str {
    if *got == 0 {
        "empty page"
    } else if *got < *expected as usize {
        "short page"
    } else {
        "oversized page"
    }
}

fn server_suffix(message: &Option<String>) -> String {
    match message {
        Some(m) => format!(" — server says: {m}"),
        None => String::new(),
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
            let up = c.trim().to_ascii_uppercase();
            if NATIONALITIES.contains(&up.as_str()) {
                Ok(up)
            } else {
                Err(ApiError::UnknownNationality { code: c.clone() })
            }
        })
        .collect()
}

/// A random 16-hex-char seed, like the server's own.
fn random_seed() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

/// The backoff before attempt `attempt + 1` (attempt is 1-based): full jitter over
/// `min(cap, base · 2^(attempt-1))`.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << (attempt.saturating_sub(1)).min(20));
    let ceiling = exp.min(BACKOFF_CAP);
    if ceiling.is_zero() {
        return ceiling;
    }
    let nanos = rand::rng().random_range(0..=ceiling.as_nanos() as u64);
    Duration::from_nanos(nanos)
}

/// `Retry-After` in seconds (the HTTP-date form is not used by randomuser; it falls back to backoff).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let secs: u64 = v.parse().ok()?;
    Some(Duration::from_secs(secs).min(RETRY_AFTER_CAP))
}

/// The `error` string of a JSON body, truncated; `None` if the body has none.
fn server_error_message(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct ErrorBody<'a> {
        #[serde(borrow)]
        error: Option<&'a RawValue>,
    }
    let parsed: ErrorBody = serde_json::from_str(body).ok()?;
    let raw = parsed.error?;
    Some(match serde_json::from_str::<String>(raw.get()) {
        Ok(s) => truncate_chars(&s, SERVER_MESSAGE_MAX_CHARS),
        Err(_) => "(error value is not a string)".to_string(),
    })
}

fn truncate_chars(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// A serde_json error reduced to its category and position (its text may quote the input).
fn json_error_detail(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "truncated: unexpected end of input",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

/// A reqwest error described without its URL.
fn describe_transport_error(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        format!("timed out after {timeout:?}")
    } else if e.is_connect() {
        format!("connection failed: {}", error_chain(e))
    } else if e.is_body() || e.is_decode() {
        format!("reading the response failed: {}", error_chain(e))
    } else {
        format!("request failed: {}", error_chain(e))
    }
}

fn error_chain(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut out = String::new();
    let mut cur: Option<&dyn std::error::Error> = e.source();
    while let Some(err) = cur {
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&err.to_string());
        cur = err.source();
    }
    if out.is_empty() { "unknown error".to_string() } else { out }
}

#[derive(Deserialize)]
struct PageBody<'a> {
    #[serde(borrow)]
    results: Option<&'a RawValue>,
    #[serde(borrow)]
    info: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct Info {
    seed: Option<String>,
    page: Option<u64>,
    version: Option<String>,
}

/// One successfully parsed page.
struct GoodPage {
    users: Vec<String>,
    version: Option<String>,
}

/// What one attempt produced.
enum Attempt {
    Done(GoodPage),
    /// Transient: retry after the given wait (or a backoff if `None`).
    Retry {
        last: String,
        wait: Option<Duration>,
    },
}

struct Ctx<'a> {
    client: &'a reqwest::Client,
    base: &'a Url,
    seed: &'a str,
    nat: Option<&'a str>,
    pages: u64,
    timeout: Duration,
}

impl Ctx<'_> {
    fn url(&self, page: u64, results: u32) -> Url {
        let mut url = self.base.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("results", &results.to_string());
            q.append_pair("page", &page.to_string());
            q.append_pair("seed", self.seed);
            if let Some(nat) = self.nat {
                q.append_pair("nat", nat);
            }
        }
        url
    }

    async fn attempt(&self, page: u64, results: u32, attempt: u32) -> Result<Attempt, ApiError> {
        let pages = self.pages;
        let started = Instant::now();
        let resp = match self.client.get(self.url(page, results)).send().await {
            Ok(r) => r,
            Err(e) => {
                let last = describe_transport_error(&e, self.timeout);
                tracing::debug!(page, attempt, error = %last, "randomuser request failed");
                return Ok(Attempt::Retry { last, wait: None });
            }
        };
        let status = resp.status();
        let wait = retry_after(resp.headers());
        let body = match resp.text().await {
            Ok(b) => b,
            Err(e) => {
                let last = format!("HTTP {status}, then {}", describe_transport_error(&e, self.timeout));
                tracing::debug!(page, attempt, status = status.as_u16(), error = %last, "randomuser response body failed");
                return Ok(Attempt::Retry { last, wait: None });
            }
        };
        tracing::debug!(
            page,
            pages,
            results,
            attempt,
            status = status.as_u16(),
            bytes = body.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "randomuser request"
        );

        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            let last = format!("HTTP {status}{}", server_suffix(&server_error_message(&body)));
            return Ok(Attempt::Retry { last, wait });
        }
        if !status.is_success() {
            return Err(ApiError::Http {
                page,
                pages,
                status,
                server_message: server_error_message(&body),
                base_url: self.base.to_string(),
            });
        }
        self.parse(page, results, &body).map(Attempt::Done)
    }

    fn parse(&self, page: u64, results: u32, body: &str) -> Result<GoodPage, ApiError> {
        let pages = self.pages;
        let parsed: PageBody = match serde_json::from_str(body) {
            Ok(p) => p,
            Err(e) if e.classify() == serde_json::error::Category::Data => {
                return Err(ApiError::BadShape {
                    page,
                    pages,
                    problem: "the body is not a randomuser response object".into(),
                });
            }
            Err(e) => {
                return Err(ApiError::InvalidJson { page, pages, detail: json_error_detail(&e) });
            }
        };
        if parsed.error.is_some() {
            let message = server_error_message(body).unwrap_or_default();
            return Err(ApiError::Server { page, pages, message });
        }
        let Some(raw_results) = parsed.results else {
            return Err(ApiError::BadShape { page, pages, problem: "no \"results\" array".into() });
        };
        let Ok(users) = serde_json::from_str::<Vec<&RawValue>>(raw_results.get()) else {
            return Err(ApiError::BadShape { page, pages, problem: "\"results\" is not an array".into() });
        };
        if users.len() != results as usize {
            return Err(ApiError::WrongPageSize { page, pages, expected: results, got: users.len() });
        }
        if let Some(i) = users.iter().position(|u| !u.get().starts_with('{')) {
            return Err(ApiError::BadShape { page, pages, problem: format!("user {} is not a JSON object", i + 1) });
        }
        let info: Info = parsed.info.and_then(|raw| serde_json::from_str(raw.get()).ok()).unwrap_or_default();
        if let Some(s) = &info.seed {
            if s != self.seed {
                tracing::warn!(page, "randomuser API answered with a different seed than requested");
            }
        }
        if let Some(p) = info.page {
            if p != page {
                tracing::warn!(page, served_page = p, "randomuser API answered with a different page than requested");
            }
        }
        Ok(GoodPage { users: users.into_iter().map(|u| u.get().to_owned()).collect(), version: info.version })
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
        .map_err(|e| ApiError::BadBaseUrl { url: opts.base_url.clone(), reason: e.to_string() })?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(ApiError::BadBaseUrl { url: opts.base_url.clone(), reason: "scheme must be http or https".into() });
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
        Ctx { client: &client, base: &base, seed: &seed, nat: nat_param.as_deref(), pages, timeout: opts.timeout };

    tracing::info!(count = opts.count, pages, page_size = opts.page_size, seed = %seed, nat = ?nat_param, "randomuser API pull");
    let mut summary =
        SourceSummary { kind: "api".into(), seed: Some(seed.clone()), pages: 0, users: 0, api_version: None, nat };

    for page in 1..=pages {
        let results = (opts.count - (page - 1) * page_size).min(page_size) as u32;
        let mut attempt = 1;
        let good = loop {
            match ctx.attempt(page, results, attempt).await? {
                Attempt::Done(good) => break good,
                Attempt::Retry { last, wait } => {
                    if attempt >= opts.max_attempts {
                        return Err(ApiError::RetriesExhausted {
                            page,
                            pages,
                            attempts: attempt,
                            last,
                            base_url: base.to_string(),
                        });
                    }
                    let wait = wait.unwrap_or_else(|| backoff(opts.backoff_base, attempt));
                    tracing::warn!(page, pages, attempt, max_attempts = opts.max_attempts, wait_ms = wait.as_millis() as u64, problem = %last, "randomuser request failed; retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        };
        if summary.api_version.is_none() {
            summary.api_version = good.version;
        }
        let n = good.users.len() as u64;
        sink(good.users).map_err(|e| ApiError::Sink { page, pages, source: e.into() })?;
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
    fn backoff_is_bounded() {
        for attempt in 1..40 {
            let d = backoff(Duration::from_millis(500), attempt);
            assert!(d <= BACKOFF_CAP);
            assert!(d <= Duration::from_millis(500) * 2u32.pow((attempt - 1).min(20)));
        }
        assert_eq!(backoff(Duration::ZERO, 3), Duration::ZERO);
    }

    #[test]
    fn server_message_is_truncated_and_json_detail_has_no_data() {
        let long = format!("{{\"error\":\"{}\"}}", "x".repeat(1000));
        let m = server_error_message(&long).unwrap();
        assert!(m.chars().count() <= SERVER_MESSAGE_MAX_CHARS + 1);
        assert_eq!(server_error_message("{\"results\":[]}"), None);
        assert_eq!(server_error_message("Not Found"), None);
        let e = serde_json::from_str::<serde_json::Value>("{\"email\":\"secret@x.org\"").unwrap_err();
        let d = json_error_detail(&e);
        assert!(!d.contains("secret"), "{d}");
    }

    #[test]
    fn seed_is_16_hex() {
        let s = random_seed();
        assert_eq!(s.len(), 16);
        assert!(s.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
