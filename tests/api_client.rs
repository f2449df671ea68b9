//! The randomuser.me API client against the mock server (tests/support/mock_api.rs).

#[path = "support/mock_api.rs"]
mod mock_api;

use duckpipe::pipeline::source::api::{ApiError, ApiOptions, fetch, parse_nat_list};
use duckpipe::pipeline::source::{Record, SourceSummary};
use mock_api::{Fault, MockApi, MockServer};
use std::time::{Duration, Instant};

const SEED: &str = "duckpipe-test";

async fn start() -> (MockApi, MockServer) {
    let mock = MockApi::new(mock_api::fake_provider());
    let server = mock.spawn().await;
    (mock, server)
}

fn options(server: &MockServer, count: u64, page_size: u32) -> ApiOptions {
    ApiOptions {
        base_url: server.base_url("1.4"),
        count,
        page_size,
        seed: Some(SEED.to_string()),
        nat: None,
        timeout: Duration::from_secs(10),
        max_attempts: 3,
        backoff_base: Duration::from_millis(2),
    }
}

/// Runs the client, collecting the batches handed to the sink.
async fn run(opts: &ApiOptions) -> (Result<SourceSummary, ApiError>, Vec<Vec<String>>) {
    let mut batches: Vec<Vec<String>> = Vec::new();
    let mut sink = |batch: Vec<Record>| -> anyhow::Result<()> {
        batches.push(batch.into_iter().map(|r| r.into_text().expect("text")).collect());
        Ok(())
    };
    let result = fetch(opts, &mut sink).await;
    (result, batches)
}

fn assert_no_user_data(message: &str) {
    assert!(!message.contains("@example.com"), "error message leaks user data: {message}");
    assert!(!message.contains("\"gender\""), "error message leaks a body: {message}");
}

#[tokio::test]
async fn pagination_12000_users_in_3_pages_with_one_seed() {
    let (mock, server) = start().await;
    let opts = options(&server, 12_000, 5000);
    let (result, batches) = run(&opts).await;
    let summary = result.expect("fetch");

    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    let results: Vec<String> = reqs.iter().map(|r| r.param("results").unwrap()).collect();
    let pages: Vec<String> = reqs.iter().map(|r| r.param("page").unwrap()).collect();
    assert_eq!(results, ["5000", "5000", "2000"]);
    assert_eq!(pages, ["1", "2", "3"]);
    for r in &reqs {
        assert_eq!(r.path, "/api/1.4/");
        assert_eq!(r.param("seed").as_deref(), Some(SEED));
        assert_eq!(r.param("nat"), None);
    }

    assert_eq!(batches.len(), 3);
    assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [5000, 5000, 2000]);
    assert_eq!(batches[0], mock.users(SEED, None, 1, 5000));
    assert_eq!(batches[1], mock.users(SEED, None, 2, 5000));
    assert_eq!(batches[2], mock.users(SEED, None, 3, 2000));
    assert!(batches[2][1999].contains("u3_1999@example.com"));

    assert_eq!(
        summary,
        SourceSummary {
            kind: "api".into(),
            seed: Some(SEED.into()),
            pages: 3,
            users: 12_000,
            api_version: Some("1.4".into()),
            nat: None,
        }
    );
}

#[tokio::test]
async fn user_text_is_passed_through_unchanged() {
    // A provider with odd-but-valid JSON formatting: the client must not re-serialize it.
    let provider: mock_api::UserProvider =
        std::sync::Arc::new(|_s: &str, _n: Option<&[String]>, page: u32, results: u32| {
            (0..results)
                .map(|i| format!("{{ \"email\" : \"a{page}_{i}@example.com\",\"n\":1.50, \"s\":\"\\u00e9\" }}"))
                .collect()
        });
    let mock = MockApi::new(provider);
    let server = mock.spawn().await;
    let (result, batches) = run(&options(&server, 3, 2)).await;
    assert_eq!(result.expect("fetch").users, 3);
    assert_eq!(batches[0][0], "{ \"email\" : \"a1_0@example.com\",\"n\":1.50, \"s\":\"\\u00e9\" }");
    assert_eq!(batches[1], vec!["{ \"email\" : \"a2_0@example.com\",\"n\":1.50, \"s\":\"\\u00e9\" }".to_string()]);
}

#[tokio::test]
async fn generated_seed_is_used_for_every_page_and_reported() {
    let (mock, server) = start().await;
    let mut opts = options(&server, 25, 10);
    opts.seed = None;
    let (result, batches) = run(&opts).await;
    let summary = result.expect("fetch");
    let seed = summary.seed.clone().expect("seed reported");
    assert_eq!(seed.len(), 16);
    assert!(seed.chars().all(|c| c.is_ascii_hexdigit()), "{seed}");
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    assert!(reqs.iter().all(|r| r.param("seed").as_deref() == Some(seed.as_str())));
    assert_eq!(batches[2], mock.users(&seed, None, 3, 5));

    // A second run without a seed gets a different one.
    let (result2, _) = run(&opts).await;
    assert_ne!(result2.unwrap().seed.unwrap(), seed);
}

#[tokio::test]
async fn given_seed_is_sent() {
    let (mock, server) = start().await;
    let mut opts = options(&server, 7, 5000);
    opts.seed = Some("my seed&x=1".into());
    let (result, batches) = run(&opts).await;
    assert_eq!(result.unwrap().seed.as_deref(), Some("my seed&x=1"));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].param("seed").as_deref(), Some("my seed&x=1"));
    assert_eq!(reqs[0].param("results").as_deref(), Some("7"));
    assert_eq!(reqs[0].param("page").as_deref(), Some("1"));
    assert_eq!(batches, vec![mock.users("my seed&x=1", None, 1, 7)]);
}

#[tokio::test]
async fn rate_limit_then_success_honours_retry_after() {
    let (mock, server) = start().await;
    mock.push_fault(Fault::RateLimited { retry_after: Some(1) });
    let opts = options(&server, 10, 10);
    let started = Instant::now();
    let (result, batches) = run(&opts).await;
    let elapsed = started.elapsed();
    assert_eq!(result.expect("fetch").users, 10);
    assert_eq!(mock.request_count(), 2);
    assert!(elapsed >= Duration::from_secs(1), "Retry-After: 1 not honoured: {elapsed:?}");
    assert_eq!(batches, vec![mock.users(SEED, None, 1, 10)]);
}

#[tokio::test]
async fn rate_limit_retry_after_zero_then_success() {
    let (mock, server) = start().await;
    mock.push_fault(Fault::RateLimited { retry_after: Some(0) });
    let (result, _) = run(&options(&server, 10, 10)).await;
    assert_eq!(result.expect("fetch").users, 10);
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn gateway_errors_are_retried() {
    let (mock, server) = start().await;
    mock.push_faults([Fault::Normal, Fault::BadGateway, Fault::GatewayTimeout]);
    let (result, batches) = run(&options(&server, 20, 10)).await;
    assert_eq!(result.expect("fetch").users, 20);
    assert_eq!(mock.request_count(), 4);
    let pages: Vec<String> = mock.requests().iter().map(|r| r.param("page").unwrap()).collect();
    assert_eq!(pages, ["1", "2", "2", "2"]);
    assert_eq!(batches[1], mock.users(SEED, None, 2, 10));
}

#[tokio::test]
async fn repeated_500_fails_after_max_attempts() {
    let (mock, server) = start().await;
    mock.push_fault(Fault::Normal);
    mock.push_faults(std::iter::repeat_n(Fault::InternalError, 10));
    let mut opts = options(&server, 30, 10);
    opts.max_attempts = 4;
    let (result, batches) = run(&opts).await;
    let err = result.expect_err("must fail");
    assert!(matches!(err, ApiError::RetriesExhausted { page: 2, pages: 3, attempts: 4, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("page 2 of 3"), "{msg}");
    assert!(msg.contains("HTTP 500 Internal Server Error"), "{msg}");
    assert!(msg.contains("4 attempts"), "{msg}");
    assert_eq!(mock.request_count(), 1 + 4);
    assert_eq!(batches.len(), 1, "page 1 was delivered before the failure");
}

#[tokio::test]
async fn repeated_429_fails_with_server_message() {
    let (mock, server) = start().await;
    mock.push_faults(std::iter::repeat_n(Fault::RateLimited { retry_after: None }, 3));
    let (result, _) = run(&options(&server, 10, 10)).await;
    let msg = result.expect_err("must fail").to_string();
    assert!(msg.contains("HTTP 429 Too Many Requests"), "{msg}");
    assert!(msg.contains("Whoa, ease up there cowboy"), "{msg}");
    assert!(msg.contains("page 1 of 1"), "{msg}");
    assert_eq!(mock.request_count(), 3);
}

#[tokio::test]
async fn error_body_with_200_is_not_retried() {
    let (mock, server) = start().await;
    mock.push_fault(Fault::ErrorBody);
    let (result, batches) = run(&options(&server, 10, 10)).await;
    let err = result.expect_err("must fail");
    assert!(matches!(err, ApiError::Server { page: 1, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("Uh oh, something has gone wrong"), "{msg}");
    assert!(msg.contains("page 1 of 1"), "{msg}");
    assert_eq!(mock.request_count(), 1);
    assert!(batches.is_empty());
}

#[tokio::test]
async fn long_server_error_message_is_truncated() {
    let (mock, server) = start().await;
    mock.push_fault(Fault::ErrorMessage("x".repeat(5000)));
    let (result, _) = run(&options(&server, 10, 10)).await;
    let msg = result.expect_err("must fail").to_string();
    assert!(msg.len() < 400, "not truncated: {} chars", msg.len());
}

#[tokio::test]
async fn truncated_json_is_a_clear_error() {
    let (mock, server) = start().await;
    mock.push_faults([Fault::Normal, Fault::TruncatedJson]);
    let (result, batches) = run(&options(&server, 20, 10)).await;
    let err = result.expect_err("must fail");
    assert!(matches!(err, ApiError::InvalidJson { page: 2, pages: 2, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("page 2 of 2") && msg.contains("invalid JSON"), "{msg}");
    assert_no_user_data(&msg);
    assert_eq!(mock.request_count(), 2);
    assert_eq!(batches.len(), 1);
}

#[tokio::test]
async fn empty_results_is_an_empty_page_error() {
    let (mock, server) = start().await;
    mock.push_faults([Fault::Normal, Fault::EmptyResults]);
    let (result, _) = run(&options(&server, 20, 10)).await;
    let err = result.expect_err("must fail");
    assert!(matches!(err, ApiError::WrongPageSize { page: 2, expected: 10, got: 0, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("page 2 of 2") && msg.contains("empty page"), "{msg}");
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test]
async fn short_page_is_an_error() {
    let (mock, server) = start().await;
    mock.push_fault(Fault::ShortPage(3));
    let (result, batches) = run(&options(&server, 20, 10)).await;
    let err = result.expect_err("must fail");
    assert!(matches!(err, ApiError::WrongPageSize { page: 1, expected: 10, got: 3, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("page 1 of 2") && msg.contains("short page"), "{msg}");
    assert_no_user_data(&msg);
    assert_eq!(mock.request_count(), 1);
    assert!(batches.is_empty(), "a short page must not reach the sink");
}

#[tokio::test]
async fn missing_results_is_an_error() {
    let (mock, server) = start().await;
    mock.push_fault(Fault::MissingResults);
    let (result, _) = run(&options(&server, 5, 5)).await;
    let err = result.expect_err("must fail");
    assert!(matches!(err, ApiError::BadShape { page: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("results"), "{err}");
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn unknown_version_404_is_not_retried() {
    let (mock, server) = start().await;
    let mut opts = options(&server, 5, 5);
    opts.base_url = server.base_url("1.5");
    let (result, _) = run(&opts).await;
    let err = result.expect_err("must fail");
    let msg = err.to_string();
    assert!(matches!(err, ApiError::Http { page: 1, .. }), "{err:?}");
    assert!(msg.contains("page 1 of 1: HTTP 404 Not Found"), "{msg}");
    assert!(msg.contains("/api/1.5/"), "{msg}");
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn other_4xx_is_not_retried() {
    let (mock, server) = start().await;
    mock.push_fault(Fault::Status(403, "Forbidden".into()));
    let (result, _) = run(&options(&server, 5, 5)).await;
    let msg = result.expect_err("must fail").to_string();
    assert!(msg.contains("HTTP 403 Forbidden"), "{msg}");
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn version_1_3_reports_its_version() {
    let (_mock, server) = start().await;
    let mut opts = options(&server, 5, 5);
    opts.base_url = server.base_url("1.3");
    let (result, _) = run(&opts).await;
    assert_eq!(result.unwrap().api_version.as_deref(), Some("1.3"));
}

#[tokio::test]
async fn slow_responses_time_out_are_retried_then_fail() {
    let (mock, server) = start().await;
    mock.push_faults(std::iter::repeat_n(Fault::Delay(Duration::from_secs(3)), 2));
    let mut opts = options(&server, 5, 5);
    opts.timeout = Duration::from_millis(200);
    opts.max_attempts = 2;
    let started = Instant::now();
    let (result, _) = run(&opts).await;
    let elapsed = started.elapsed();
    let err = result.expect_err("must fail");
    assert!(matches!(err, ApiError::RetriesExhausted { page: 1, attempts: 2, .. }), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(mock.request_count(), 2);
    assert!(elapsed < Duration::from_secs(3), "the timeout did not apply: {elapsed:?}");
}

#[tokio::test]
async fn slow_response_then_success() {
    let (mock, server) = start().await;
    mock.push_fault(Fault::Delay(Duration::from_secs(3)));
    let mut opts = options(&server, 5, 5);
    opts.timeout = Duration::from_millis(200);
    let (result, batches) = run(&opts).await;
    assert_eq!(result.expect("fetch").users, 5);
    assert_eq!(mock.request_count(), 2);
    assert_eq!(batches, vec![mock.users(SEED, None, 1, 5)]);
}

#[tokio::test]
async fn connection_refused_is_retried_then_fails() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let opts = ApiOptions {
        base_url: format!("http://127.0.0.1:{port}/api/1.4/"),
        count: 5,
        page_size: 5,
        seed: Some(SEED.into()),
        max_attempts: 3,
        backoff_base: Duration::from_millis(1),
        timeout: Duration::from_secs(2),
        nat: None,
    };
    let (result, _) = run(&opts).await;
    let err = result.expect_err("must fail");
    assert!(matches!(err, ApiError::RetriesExhausted { attempts: 3, .. }), "{err:?}");
    assert!(err.to_string().contains("connection failed"), "{err}");
}

#[tokio::test]
async fn nat_is_sent_upper_case_and_reported() {
    let (mock, server) = start().await;
    let mut opts = options(&server, 4, 2);
    opts.nat = Some(vec!["us".into(), "Gb".into()]);
    let (result, batches) = run(&opts).await;
    let summary = result.expect("fetch");
    let nat = vec!["US".to_string(), "GB".to_string()];
    assert_eq!(summary.nat.as_ref(), Some(&nat));
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| r.param("nat").as_deref() == Some("US,GB")));
    assert_eq!(batches[1], mock.users(SEED, Some(&nat), 2, 2));
    assert!(batches[0][1].contains("\"nat\":\"GB\""));
}

#[tokio::test]
async fn bad_nat_fails_before_any_request() {
    let (mock, server) = start().await;
    let mut opts = options(&server, 4, 2);
    opts.nat = Some(vec!["US".into(), "XX".into()]);
    let (result, _) = run(&opts).await;
    let err = result.expect_err("must fail");
    assert!(matches!(&err, ApiError::UnknownNationality { code } if code == "XX"), "{err:?}");
    assert!(err.to_string().contains("\"XX\""), "{err}");
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn oversized_page_size_fails_before_any_request() {
    let (mock, server) = start().await;
    let (result, _) = run(&options(&server, 6000, 5001)).await;
    assert!(matches!(result, Err(ApiError::InvalidOptions(_))), "{result:?}");
    let (result, _) = run(&options(&server, 6000, 0)).await;
    assert!(matches!(result, Err(ApiError::InvalidOptions(_))), "{result:?}");
    // More than 10,000 pages cannot be served with one seed.
    let (result, _) = run(&options(&server, 10_001, 1)).await;
    assert!(matches!(result, Err(ApiError::InvalidOptions(_))), "{result:?}");
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn zero_users_makes_no_request() {
    let (mock, server) = start().await;
    let (result, batches) = run(&options(&server, 0, 100)).await;
    let summary = result.expect("fetch");
    assert_eq!((summary.pages, summary.users), (0, 0));
    assert!(batches.is_empty());
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn sink_error_stops_the_pull() {
    let (mock, server) = start().await;
    let opts = options(&server, 30, 10);
    let mut sink = |_batch: Vec<Record>| -> anyhow::Result<()> { anyhow::bail!("disk full") };
    let err = fetch(&opts, &mut sink).await.expect_err("must fail");
    assert!(matches!(err, ApiError::Sink { page: 1, .. }), "{err:?}");
    assert!(err.to_string().contains("disk full"), "{err}");
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn parse_nat_list_validates() {
    assert_eq!(parse_nat_list("au,BR, ca").unwrap(), ["AU", "BR", "CA"]);
    assert!(matches!(parse_nat_list("US,lego"), Err(ApiError::UnknownNationality { .. })));
    assert_eq!(duckpipe::pipeline::source::api::NATIONALITIES.len(), 21);
    for code in duckpipe::pipeline::source::api::NATIONALITIES {
        assert_eq!(parse_nat_list(&code.to_lowercase()).unwrap(), [code]);
    }
}

#[tokio::test]
async fn mock_normalises_params_like_the_real_server() {
    // The mock itself: out-of-range results → 1, page out of range → 1, bad nat list ignored.
    let (mock, server) = start().await;
    let client = reqwest::Client::new();
    let base = server.base_url("1.4");
    let body: serde_json::Value =
        client.get(format!("{base}?results=6000&page=0&seed=s&nat=US,XX")).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["info"]["results"], 1);
    assert_eq!(body["info"]["page"], 1);
    assert_eq!(body["info"]["seed"], "s");
    assert_eq!(body["results"].as_array().unwrap().len(), 1);
    assert_eq!(body["results"][0]["nat"], "US"); // fake provider default, list ignored
    let resp = client.get(format!("http://{}/api/2.0/", server.addr)).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.text().await.unwrap(), "Not Found");
    assert_eq!(mock.request_count(), 2);
}

/// End to end with the project's synthetic generator behind the mock.
#[tokio::test]
async fn pull_from_mock_backed_by_synthetic_generator() {
    let now = time::macros::datetime!(2026-01-15 12:00 UTC);
    let mock = MockApi::new(mock_api::synthetic_provider(now));
    let server = mock.spawn().await;
    let mut opts = options(&server, 7, 3);
    opts.nat = Some(vec!["ca".into(), "no".into()]);
    let (result, batches) = run(&opts).await;
    let summary = result.expect("fetch");
    assert_eq!((summary.pages, summary.users), (3, 7));
    let nat = vec!["CA".to_string(), "NO".to_string()];
    let generator = duckpipe::pipeline::source::synthetic::Generator::new(SEED, Some(&nat), now).unwrap();
    assert_eq!(batches[0], generator.page(1, 3));
    assert_eq!(batches[2], generator.page(3, 1));
    for user in batches.iter().flatten() {
        let v: serde_json::Value = serde_json::from_str(user).unwrap();
        assert!(v["email"].is_string(), "{user}");
        assert!(["CA", "NO"].contains(&v["nat"].as_str().unwrap()), "{user}");
    }
}

#[tokio::test]
async fn panicking_provider_is_a_500_not_a_dropped_connection() {
    let provider: mock_api::UserProvider =
        std::sync::Arc::new(|_s: &str, _n: Option<&[String]>, _p: u32, _r: u32| -> Vec<String> {
            panic!("not written yet")
        });
    let mock = MockApi::new(provider);
    let server = mock.spawn().await;
    let mut opts = options(&server, 5, 5);
    opts.max_attempts = 2;
    let (result, _) = run(&opts).await;
    let msg = result.expect_err("must fail").to_string();
    assert!(msg.contains("HTTP 500"), "{msg}");
    assert_eq!(mock.request_count(), 2);
}

/// Hostile response bodies (issue 4): random bytes and JSON-like text from a seeded generator,
/// served with HTTP 200, give a clean error or a page — never a panic.
#[tokio::test]
async fn arbitrary_response_bodies_never_panic() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, TestRunner};
    let (mock, server) = start().await;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let json_like = "[\\[\\]{}\":,0-9a-z \\\\]{0,300}";
    let mut bodies: Vec<String> = (0..60).map(|_| json_like.new_tree(&mut runner).unwrap().current()).collect();
    bodies.extend((0..40).map(|_| {
        let bytes =
            proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300).new_tree(&mut runner).unwrap().current();
        String::from_utf8_lossy(&bytes).into_owned()
    }));
    bodies
        .push(r#"{"results": [1, "x", null, {"a": 1}], "info": {"seed": 5, "results": "3", "page": []}}"#.to_string());
    bodies.push(r#"{"results": {"not": "a list"}, "info": null}"#.to_string());
    for body in bodies {
        mock.push_fault(Fault::Status(200, body));
        let mut opts = options(&server, 4, 4);
        opts.max_attempts = 1;
        let (result, _) = run(&opts).await;
        if let Err(e) = result {
            assert!(!e.to_string().is_empty());
        }
    }
}
