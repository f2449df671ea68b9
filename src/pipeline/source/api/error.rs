//! Why a pull failed. Messages hold no user data: response bodies are never quoted, except the
//! server's own `error` string (truncated), and URLs only as `scheme://host:port/path`
//! ([`super::public_url`]): credentials in the base URL never reach a message.

use reqwest::StatusCode;
use thiserror::Error;

use super::NATIONALITIES;

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

    /// Ctrl-C or SIGTERM.
    #[error(transparent)]
    Interrupted(#[from] crate::interrupt::Interrupted),

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

pub(super) fn server_suffix(message: &Option<String>) -> String {
    match message {
        Some(m) => format!(" — server says: {m}"),
        None => String::new(),
    }
}
