//! Transport and retry: one HTTP request per attempt, and what makes an attempt worth repeating
//! (connection errors, timeouts, HTTP 429 and 5xx, with exponential backoff and full jitter,
//! honouring `Retry-After`).

use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::StatusCode;
use url::Url;

use super::ApiError;
use super::error::server_suffix;
use super::response::{self, GoodPage, Page, server_error_message};

/// Upper bound for one backoff sleep.
pub(super) const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// Upper bound for a server-requested `Retry-After` wait.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// The backoff before attempt `attempt + 1` (attempt is 1-based): full jitter over
/// `min(cap, base · 2^(attempt-1))`.
pub(super) fn backoff(base: Duration, attempt: u32) -> Duration {
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

/// What one attempt produced.
pub(super) enum Attempt {
    Done(GoodPage),
    /// Transient: retry after the given wait (or a backoff if `None`).
    Retry {
        last: String,
        wait: Option<Duration>,
    },
}

/// The requests of one pull: one client, one base URL, one seed for every page.
pub(super) struct Requests<'a> {
    pub client: &'a reqwest::Client,
    pub base: &'a Url,
    pub seed: &'a str,
    pub nat: Option<&'a str>,
    pub pages: u64,
    pub timeout: Duration,
}

impl Requests<'_> {
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

    /// One attempt at one page: the users, a transient failure to retry, or a final error.
    pub async fn attempt(&self, page: u64, results: u32, attempt: u32) -> Result<Attempt, ApiError> {
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
                base_url: super::public_url(self.base.as_str()),
            });
        }
        response::parse(&body, Page { page, pages, results, seed: self.seed }).map(Attempt::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded() {
        for attempt in 1..40 {
            let d = backoff(Duration::from_millis(500), attempt);
            assert!(d <= BACKOFF_CAP);
            assert!(d <= Duration::from_millis(500) * 2u32.pow((attempt - 1).min(20)));
        }
        assert_eq!(backoff(Duration::ZERO, 3), Duration::ZERO);
    }
}
