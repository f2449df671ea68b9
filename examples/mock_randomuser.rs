//! A standalone mock randomuser.me server for end-to-end tests.
//!
//! ```text
//! cargo run --release --example mock_randomuser -- --port 0 [--users synthetic|fake]
//!     [--fail-every N] [--rate-limit USERS_PER_WINDOW] [--rate-window-secs S]
//!     [--faults SCRIPT]
//! ```
//! `--faults` scripts the first requests' answers in order, comma-separated: `normal`,
//! `delay=MS` (answer after MS milliseconds, e.g. to outlast a client timeout), `500`, `502`,
//! `504`, `429`, `truncated`, `error` (an error body). Later requests are answered normally.
//! Prints `listening on http://127.0.0.1:N` as its first stdout line, then serves until killed.
//! Users come from the project's synthetic generator (reference time: the server's start time),
//! or with `--users fake` from a minimal fake-user maker.

#[path = "../tests/support/mock_api.rs"]
mod mock_api;

use std::io::Write;
use std::time::Duration;

fn usage() -> ! {
    eprintln!(
        "usage: mock_randomuser [--port N] [--users synthetic|fake] [--fail-every N] \
         [--rate-limit USERS_PER_WINDOW] [--rate-window-secs S] [--faults SCRIPT]"
    );
    std::process::exit(2)
}

fn parse_fault(text: &str) -> Option<mock_api::Fault> {
    use mock_api::Fault;
    Some(match text.trim() {
        "normal" => Fault::Normal,
        "500" => Fault::InternalError,
        "502" => Fault::BadGateway,
        "504" => Fault::GatewayTimeout,
        "429" => Fault::RateLimited { retry_after: Some(1) },
        "truncated" => Fault::TruncatedJson,
        "error" => Fault::ErrorBody,
        other => Fault::Delay(Duration::from_millis(other.strip_prefix("delay=")?.parse().ok()?)),
    })
}

fn main() {
    let mut port: u16 = 0;
    let mut users = "synthetic".to_string();
    let mut behaviour = mock_api::Behaviour { rate_limit_window: Duration::from_secs(300), ..Default::default() };
    let mut faults = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--port" => port = value().parse().unwrap_or_else(|_| usage()),
            "--users" => users = value(),
            "--fail-every" => behaviour.fail_every = Some(value().parse().unwrap_or_else(|_| usage())),
            "--rate-limit" => behaviour.rate_limit_users = Some(value().parse().unwrap_or_else(|_| usage())),
            "--rate-window-secs" => {
                behaviour.rate_limit_window = Duration::from_secs(value().parse().unwrap_or_else(|_| usage()))
            }
            "--faults" => faults = value().split(',').map(|f| parse_fault(f).unwrap_or_else(|| usage())).collect(),
            _ => usage(),
        }
    }
    let provider = match users.as_str() {
        "synthetic" => mock_api::synthetic_provider(time::OffsetDateTime::now_utc()),
        "fake" => mock_api::fake_provider(),
        _ => usage(),
    };
    let mock = mock_api::MockApi::new(provider);
    mock.set_behaviour(behaviour);
    mock.push_faults(faults);

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap_or_else(|e| {
            eprintln!("cannot bind 127.0.0.1:{port}: {e}");
            std::process::exit(1)
        });
        let addr = listener.local_addr().unwrap();
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}").unwrap();
        out.flush().unwrap();
        drop(out);
        axum::serve(listener, mock.router()).await.expect("mock server");
    });
}
