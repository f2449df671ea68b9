//! A mock randomuser.me server speaking the real API's shape, with scripted faults.
//!
//! Used by the Rust integration tests (`#[path = "support/mock_api.rs"] mod mock_api;`) and by
//! `examples/mock_randomuser.rs` (a standalone process for end-to-end tests).
//!
//! Behaviour follows the real service: `/api/1.4/` and `/api/1.3/` (and `/api/` = latest 1.4);
//! any other version → 404 plain-text "Not Found". `results` 1..=5000 else 1; `page` 1..=10000 else
//! 1; missing `seed` → random; `nat` case-insensitive, one unknown code → the list is ignored.
//! Users come from a pluggable [`UserProvider`].
#![allow(dead_code)]

use axum::{
    Router,
    body::Body,
    extract::State,
    http::{HeaderValue, Method, StatusCode, Uri, header},
    response::Response,
};
use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// The 21 nationality codes of v1.4.
pub const NATS: [&str; 21] = [
    "AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IN", "IR", "MX", "NL", "NO", "NZ", "RS", "TR",
    "UA", "US",
];

pub const RATE_LIMIT_MESSAGE: &str =
    "Whoa, ease up there cowboy. You've requested too many users in a short period of time. Please slow down.";
pub const GENERIC_ERROR_MESSAGE: &str =
    "Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you.";

/// Makes the users of one page: (seed, nat, page, results) → one JSON object text per user.
pub type UserProvider = Arc<dyn Fn(&str, Option<&[String]>, u32, u32) -> Vec<String> + Send + Sync>;

/// Minimal fake users, enough for client tests: `{"gender":..,"email":"u{page}_{i}@example.com",..}`.
/// The seed is part of `login.uuid`, so that tests can see which seed made a user.
pub fn fake_provider() -> UserProvider {
    Arc::new(|seed: &str, nat: Option<&[String]>, page: u32, results: u32| {
        (0..results)
            .map(|i| {
                let gender = if i % 2 == 0 { "female" } else { "male" };
                let n = nat.and_then(|n| n.get(i as usize % n.len().max(1))).map(String::as_str).unwrap_or("US");
                format!(
                    "{{\"gender\":\"{gender}\",\"email\":\"u{page}_{i}@example.com\",\"login\":{{\"uuid\":{}}},\"nat\":\"{n}\"}}",
                    serde_json::to_string(&format!("{seed}-{page}-{i}")).unwrap()
                )
            })
            .collect()
    })
}

/// The project's synthetic generator, with a fixed reference time ("now").
pub fn synthetic_provider(now: time::OffsetDateTime) -> UserProvider {
    Arc::new(move |seed: &str, nat: Option<&[String]>, page: u32, results: u32| {
        duckpipe::pipeline::source::synthetic::Generator::new(seed, nat, now)
            .expect("synthetic generator rejected validated options")
            .page(page, results)
    })
}

/// One scripted response, used for the next request instead of (or before) the normal one.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answers normally (a placeholder, to script faults for later requests).
    Normal,
    /// 429 with JSON `{"error": "Whoa, ease up there cowboy..."}` and optional `Retry-After` seconds.
    RateLimited { retry_after: Option<u64> },
    /// 500 with a plain-text body.
    InternalError,
    /// 502 from the "CDN".
    BadGateway,
    /// 504 from the "CDN".
    GatewayTimeout,
    /// Any status with a plain-text body.
    Status(u16, String),
    /// 200 with `{"error": "Uh oh, something has gone wrong..."}`.
    ErrorBody,
    /// 200 with a custom `{"error": MESSAGE}`.
    ErrorMessage(String),
    /// 200 with the normal body cut in half (complete HTTP response, invalid JSON).
    TruncatedJson,
    /// 200 with `{"results":[],"info":{...}}`.
    EmptyResults,
    /// 200 with at most this many users (fewer than requested).
    ShortPage(u32),
    /// 200 with a body lacking `results`.
    MissingResults,
    /// Waits this long, then answers normally.
    Delay(Duration),
}

/// A request the mock received.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub path: String,
    /// The raw query string ("" if none).
    pub query: String,
}

impl RecordedRequest {
    /// The first value of a query parameter (decoded).
    pub fn param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }
}

/// Simple scenarios for the standalone server.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Every Nth request (N, 2N, …) answers 500.
    pub fail_every: Option<u32>,
    /// At most this many users per window, then 429 with `Retry-After`.
    pub rate_limit_users: Option<u64>,
    pub rate_limit_window: Duration,
}

struct Inner {
    provider: UserProvider,
    faults: Mutex<VecDeque<Fault>>,
    requests: Mutex<Vec<RecordedRequest>>,
    behaviour: Mutex<Behaviour>,
    /// (window start, users served in it)
    window: Mutex<(Instant, u64)>,
}

/// The mock's state; cheap to clone (shared).
#[derive(Clone)]
pub struct MockApi {
    inner: Arc<Inner>,
}

impl MockApi {
    pub fn new(provider: UserProvider) -> Self {
        MockApi {
            inner: Arc::new(Inner {
                provider,
                faults: Mutex::new(VecDeque::new()),
                requests: Mutex::new(Vec::new()),
                behaviour: Mutex::new(Behaviour {
                    rate_limit_window: Duration::from_secs(300),
                    ..Behaviour::default()
                }),
                window: Mutex::new((Instant::now(), 0)),
            }),
        }
    }

    /// Queues a scripted response for the next request.
    pub fn push_fault(&self, fault: Fault) {
        self.inner.faults.lock().unwrap().push_back(fault);
    }

    pub fn push_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.inner.faults.lock().unwrap().extend(faults);
    }

    pub fn set_behaviour(&self, b: Behaviour) {
        *self.inner.behaviour.lock().unwrap() = b;
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.requests.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.inner.requests.lock().unwrap().len()
    }

    /// The users the provider makes for a page (what a test expects to receive).
    pub fn users(&self, seed: &str, nat: Option<&[String]>, page: u32, results: u32) -> Vec<String> {
        (self.inner.provider)(seed, nat, page, results)
    }

    pub fn router(&self) -> Router {
        Router::new().fallback(handle).with_state(self.clone())
    }

    /// Serves on 127.0.0.1 at a free port, in the background of the current tokio runtime.
    pub async fn spawn(&self) -> MockServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind mock server");
        let addr = listener.local_addr().unwrap();
        let router = self.router();
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.expect("mock server");
        });
        MockServer { addr, task }
    }
}

/// A running mock server; stopped when dropped.
pub struct MockServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// e.g. "http://127.0.0.1:PORT/api/1.4/"
    pub fn base_url(&self, version: &str) -> String {
        format!("http://{}/api/{version}/", self.addr)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn text(status: StatusCode, body: impl Into<String>) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(body.into()))
        .unwrap()
}

fn json(status: StatusCode, body: String) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(Body::from(body))
        .unwrap()
}

fn error_json(status: StatusCode, message: &str) -> Response {
    json(status, serde_json::json!({ "error": message }).to_string())
}

fn rate_limited(retry_after: Option<u64>) -> Response {
    let mut r = error_json(StatusCode::TOO_MANY_REQUESTS, RATE_LIMIT_MESSAGE);
    if let Some(s) = retry_after {
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_str(&s.to_string()).unwrap());
    }
    r
}

/// Parsed parameters, normalised like the real server does.
struct Params {
    results: u32,
    page: u32,
    seed: String,
    nat: Option<Vec<String>>,
}

fn parse_params(query: &str) -> Params {
    let get = |name: &str| {
        url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    };
    let results = get("results").and_then(|v| v.parse::<u32>().ok()).filter(|n| (1..=5000).contains(n)).unwrap_or(1);
    let page = get("page").and_then(|v| v.parse::<u32>().ok()).filter(|n| (1..=10000).contains(n)).unwrap_or(1);
    let seed = get("seed").filter(|s| !s.is_empty()).unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
    let nat = get("nat").and_then(|v| {
        let codes: Vec<String> = v.split(',').map(|c| c.trim().to_ascii_uppercase()).collect();
        // One unknown code → the whole list is ignored.
        codes.iter().all(|c| NATS.contains(&c.as_str())).then_some(codes)
    });
    Params { results, page, seed, nat }
}

fn page_body(users: &[String], p: &Params, version: &str) -> String {
    format!(
        "{{\"results\":[{}],\"info\":{{\"seed\":{},\"results\":{},\"page\":{},\"version\":\"{version}\"}}}}",
        users.join(","),
        serde_json::to_string(&p.seed).unwrap(),
        users.len(),
        p.page
    )
}

async fn handle(State(mock): State<MockApi>, method: Method, uri: Uri) -> Response {
    let path = uri.path().to_string();
    let query = uri.query().unwrap_or("").to_string();
    let request_no = {
        let mut reqs = mock.inner.requests.lock().unwrap();
        reqs.push(RecordedRequest { path: path.clone(), query: query.clone() });
        reqs.len() as u32
    };

    // Routing: /api/ (latest), /api/1.4/, /api/1.3/ (trailing slash optional, like Express).
    let version = match path.trim_end_matches('/') {
        "/api" => Some("1.4"),
        "/api/1.4" => Some("1.4"),
        "/api/1.3" => Some("1.3"),
        _ => None,
    };
    let Some(version) = version.filter(|_| method == Method::GET) else {
        return text(StatusCode::NOT_FOUND, "Not Found");
    };

    let params = parse_params(&query);
    let fault = mock.inner.faults.lock().unwrap().pop_front();

    // Standalone-scenario behaviour (only when no scripted fault applies).
    if fault.is_none() {
        let b = mock.inner.behaviour.lock().unwrap().clone();
        if let Some(n) = b.fail_every
            && n > 0
            && request_no.is_multiple_of(n)
        {
            return text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        }
        if let Some(limit) = b.rate_limit_users {
            let mut w = mock.inner.window.lock().unwrap();
            if w.0.elapsed() >= b.rate_limit_window {
                *w = (Instant::now(), 0);
            }
            if w.1 + u64::from(params.results) > limit {
                let left = b.rate_limit_window.saturating_sub(w.0.elapsed()).as_secs_f64().ceil() as u64;
                return rate_limited(Some(left.max(1)));
            }
            w.1 += u64::from(params.results);
        }
    }

    let provider = mock.inner.provider.clone();
    // A panicking provider (e.g. a generator not written yet) becomes a plain 500, not a dropped
    // connection.
    let users = |results: u32| -> Result<Vec<String>, Box<Response>> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            provider(&params.seed, params.nat.as_deref(), params.page, results)
        }))
        .map_err(|_| Box::new(text(StatusCode::INTERNAL_SERVER_ERROR, "mock user provider panicked")))
    };
    let page = |results: u32| -> Response {
        match users(results) {
            Ok(u) => json(StatusCode::OK, page_body(&u, &params, version)),
            Err(r) => *r,
        }
    };
    match fault {
        None | Some(Fault::Normal) => page(params.results),
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            page(params.results)
        }
        Some(Fault::RateLimited { retry_after }) => rate_limited(retry_after),
        Some(Fault::InternalError) => text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        Some(Fault::BadGateway) => text(StatusCode::BAD_GATEWAY, "error code: 502"),
        Some(Fault::GatewayTimeout) => text(StatusCode::GATEWAY_TIMEOUT, "error code: 504"),
        Some(Fault::Status(code, body)) => text(StatusCode::from_u16(code).unwrap(), body),
        Some(Fault::ErrorBody) => error_json(StatusCode::OK, GENERIC_ERROR_MESSAGE),
        Some(Fault::ErrorMessage(m)) => error_json(StatusCode::OK, &m),
        Some(Fault::TruncatedJson) => {
            let body = match users(params.results) {
                Ok(u) => page_body(&u, &params, version),
                Err(r) => return *r,
            };
            let mut cut = body.len() / 2;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            json(StatusCode::OK, body[..cut].to_string())
        }
        Some(Fault::EmptyResults) => json(StatusCode::OK, page_body(&[], &params, version)),
        Some(Fault::ShortPage(n)) => page(n.min(params.results)),
        Some(Fault::MissingResults) => json(
            StatusCode::OK,
            format!(
                "{{\"info\":{{\"seed\":{},\"results\":0,\"page\":{},\"version\":\"{version}\"}}}}",
                serde_json::to_string(&params.seed).unwrap(),
                params.page
            ),
        ),
    }
}
