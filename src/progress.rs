//! A one-line progress display for long loads on stderr: batches (API pages) received, users,
//! users per second and the bytes of user records staged into DuckDB — or, while DuckDB reads a
//! whole file in one statement (whose progress duckpipe cannot see), what it reads and for how
//! long so far ([`Ticker`]).
//!
//! Shown only when stderr is a terminal and the user asked for neither `--quiet` nor `-v`
//! (detailed logs would interleave with the line). Pipes, files and CI logs never see it, and
//! stdout is never touched, so `--format json` output stays clean.

use std::io::{IsTerminal as _, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set once from the command line (`main`); off until then, so library users and tests see none.
static ALLOWED_BY_FLAGS: AtomicBool = AtomicBool::new(false);

/// How often the line is redrawn at most.
const REDRAW: Duration = Duration::from_millis(200);

/// Records the flags: progress is allowed unless `--quiet` or `-v` was given.
pub fn configure(quiet: bool, verbose: u8) {
    ALLOWED_BY_FLAGS.store(allowed(quiet, verbose), Ordering::Relaxed);
}

/// The flag half of the decision.
pub fn allowed(quiet: bool, verbose: u8) -> bool {
    !quiet && verbose == 0
}

/// The whole decision: flags allow it and stderr is a terminal.
pub fn should_show(allowed_by_flags: bool, stderr_is_terminal: bool) -> bool {
    allowed_by_flags && stderr_is_terminal
}

pub struct Progress {
    enabled: bool,
    started: Instant,
    last_draw: Option<Instant>,
    batches: u64,
    users: u64,
    bytes: u64,
}

impl Progress {
    /// A display on stderr, enabled per [`should_show`].
    pub fn for_stderr() -> Self {
        Self::new(should_show(ALLOWED_BY_FLAGS.load(Ordering::Relaxed), std::io::stderr().is_terminal()))
    }

    pub fn new(enabled: bool) -> Self {
        Self { enabled, started: Instant::now(), last_draw: None, batches: 0, users: 0, bytes: 0 }
    }

    /// The hook in the load's source sink: one call per batch (an API page, a file chunk).
    pub fn batch(&mut self, users: &[String]) {
        self.batches += 1;
        self.users += users.len() as u64;
        self.bytes += users.iter().map(|u| u.len() as u64).sum::<u64>();
        if self.enabled && self.last_draw.is_none_or(|t| t.elapsed() >= REDRAW) {
            self.draw(false);
        }
    }

    /// Ends the line (when one was drawn), so logs that follow start on a fresh line. Also runs
    /// on drop, so an error that ends the load mid-way is printed on its own line.
    pub fn finish(&mut self) {
        if self.enabled && self.last_draw.is_some() {
            self.draw(true);
            self.enabled = false;
        }
    }

    fn draw(&mut self, last: bool) {
        let text = line(self.batches, self.users, self.bytes, self.started.elapsed());
        let mut err = std::io::stderr().lock();
        // \r + erase-line redraws in place; errors writing progress are not worth failing a load.
        let _ = write!(err, "\r\x1b[2K{text}{}", if last { "\n" } else { "" });
        let _ = err.flush();
        self.last_draw = Some(Instant::now());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A progress line for one long step: `loading: <what> · <seconds> s`, redrawn every
/// [`REDRAW`] on its own thread until dropped, then ended with a newline. Nothing at all when
/// progress is not shown (see [`should_show`]).
pub struct Ticker {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    pub fn for_stderr(what: String) -> Self {
        if !should_show(ALLOWED_BY_FLAGS.load(Ordering::Relaxed), std::io::stderr().is_terminal()) {
            return Self { stop: None, thread: None };
        }
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let started = Instant::now();
        let thread = std::thread::spawn(move || {
            loop {
                let done = !matches!(stopped.recv_timeout(REDRAW), Err(std::sync::mpsc::RecvTimeoutError::Timeout));
                let mut err = std::io::stderr().lock();
                let _ =
                    write!(err, "\r\x1b[2K{}{}", ticker_line(&what, started.elapsed()), if done { "\n" } else { "" });
                let _ = err.flush();
                if done {
                    return;
                }
            }
        });
        Self { stop: Some(stop), thread: Some(thread) }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The ticker text, e.g. `loading: DuckDB reads users.ndjson (1.1 GB) · 12 s`.
pub fn ticker_line(what: &str, elapsed: Duration) -> String {
    format!("loading: {what} · {} s", elapsed.as_secs())
}

/// The progress text, e.g. `loading: 3 pages · 15,000 users · 7,412 users/s · 19.8 MB staged`.
pub fn line(batches: u64, users: u64, bytes: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { (users as f64 / secs).round() as u64 } else { 0 };
    format!(
        "loading: {} page{} · {} users · {} users/s · {:.1} MB staged",
        grouped(batches),
        if batches == 1 { "" } else { "s" },
        grouped(users),
        grouped(rate),
        bytes as f64 / 1_000_000.0
    )
}

fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticker_says_what_and_how_long() {
        assert_eq!(
            ticker_line("DuckDB reads u.ndjson (1.1 GB)", Duration::from_millis(12_400)),
            "loading: DuckDB reads u.ndjson (1.1 GB) · 12 s"
        );
        // Off the terminal it is inert: no thread, nothing drawn.
        let t = Ticker::for_stderr("x".into());
        assert!(t.thread.is_none());
    }

    #[test]
    fn shown_only_on_a_terminal_without_quiet_or_verbose() {
        assert!(should_show(allowed(false, 0), true));
        assert!(!should_show(allowed(false, 0), false), "not when stderr is piped");
        assert!(!should_show(allowed(true, 0), true), "not with --quiet");
        assert!(!should_show(allowed(false, 1), true), "not with -v (logs would interleave)");
        assert!(!should_show(allowed(true, 0), false));
    }

    #[test]
    fn line_counts_and_rates() {
        assert_eq!(
            line(3, 15_000, 19_800_000, Duration::from_secs(2)),
            "loading: 3 pages · 15,000 users · 7,500 users/s · 19.8 MB staged"
        );
        assert_eq!(line(1, 0, 0, Duration::ZERO), "loading: 1 page · 0 users · 0 users/s · 0.0 MB staged");
    }

    #[test]
    fn a_disabled_display_counts_but_never_draws() {
        let mut p = Progress::new(false);
        p.batch(&["{}".to_string(), "{\"a\":1}".to_string()]);
        p.finish();
        assert_eq!((p.batches, p.users, p.bytes), (1, 2, 9));
        assert!(p.last_draw.is_none());
    }
}
