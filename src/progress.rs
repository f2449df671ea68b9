//! A one-line progress display for long loads on stderr: users received (of how many, with the
//! share done and the time left, when the source knows its total), users per second, the bytes
//! of user records staged into DuckDB and batches (API pages) — or, while DuckDB reads a whole
//! file in one statement (whose progress duckpipe cannot see), what it reads and for how long so
//! far ([`Ticker`]).
//!
//! Shown only when stderr is a terminal and the user asked for neither `--quiet` nor `-v`
//! (detailed logs would interleave with the line). Pipes, files and CI logs never see it, and
//! stdout is never touched, so `--format json` output stays clean.

use std::io::{IsTerminal as _, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::numbers::{bytes, duration, grouped, share};

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
    /// The users the source will deliver, when it knows (API and generator: `--count`).
    total: Option<u64>,
    started: Instant,
    last_draw: Option<Instant>,
    batches: u64,
    users: u64,
    bytes: u64,
}

impl Progress {
    /// A display on stderr, enabled per [`should_show`].
    pub fn for_stderr(total: Option<u64>) -> Self {
        Self::new(should_show(ALLOWED_BY_FLAGS.load(Ordering::Relaxed), std::io::stderr().is_terminal()), total)
    }

    pub fn new(enabled: bool, total: Option<u64>) -> Self {
        Self { enabled, total, started: Instant::now(), last_draw: None, batches: 0, users: 0, bytes: 0 }
    }

    /// The hook in the load's source sink: one call per batch (an API page, a file chunk).
    /// `users` records of `bytes` bytes in all.
    pub fn batch(&mut self, users: u64, bytes: u64) {
        self.batches += 1;
        self.users += users;
        self.bytes += bytes;
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
        let counts = Counts { batches: self.batches, users: self.users, bytes: self.bytes, total: self.total };
        let text = line(&counts, self.started.elapsed());
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

/// A progress line for one long step: `<command>: <what> · <seconds> s`, redrawn every
/// [`REDRAW`] on its own thread until dropped, then ended with a newline. Nothing at all when
/// progress is not shown (see [`should_show`]).
pub struct Ticker {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    /// `command` names the command (`loading`, `compact`, …), `what` the step.
    pub fn for_stderr(command: &'static str, what: String) -> Self {
        if !should_show(ALLOWED_BY_FLAGS.load(Ordering::Relaxed), std::io::stderr().is_terminal()) {
            return Self { stop: None, thread: None };
        }
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let started = Instant::now();
        let thread = std::thread::spawn(move || {
            loop {
                let done = !matches!(stopped.recv_timeout(REDRAW), Err(std::sync::mpsc::RecvTimeoutError::Timeout));
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\r\x1b[2K{}{}",
                    ticker_line(command, &what, started.elapsed()),
                    if done { "\n" } else { "" }
                );
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
pub fn ticker_line(command: &str, what: &str, elapsed: Duration) -> String {
    format!("{command}: {what} · {}", duration(elapsed.as_secs()))
}

/// What the progress line reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub batches: u64,
    pub users: u64,
    pub bytes: u64,
    pub total: Option<u64>,
}

/// The progress text, e.g. `loading: 15,000 of 30,000 users (50.0 %) · 7,500 users/s · 2 s left ·
/// 19.8 MB staged · 3 pages`. Without a total: users, rate, bytes and pages only.
pub fn line(c: &Counts, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 { c.users as f64 / secs } else { 0.0 };
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let mut parts = Vec::with_capacity(5);
    match c.total {
        Some(total) => {
            parts.push(format!(
                "{} of {} users ({})",
                grouped(as_i64(c.users)),
                grouped(as_i64(total)),
                share(as_i64(c.users.min(total)), as_i64(total))
            ));
            parts.push(format!("{} users/s", grouped(rate.round() as i64)));
            // The time left at the rate so far; unknown until a first batch has arrived.
            if rate > 0.0 {
                let left = total.saturating_sub(c.users) as f64 / rate;
                parts.push(format!("{} left", duration(left.ceil() as u64)));
            }
        }
        None => {
            parts.push(format!("{} users", grouped(as_i64(c.users))));
            parts.push(format!("{} users/s", grouped(rate.round() as i64)));
        }
    }
    parts.push(format!("{} staged", bytes(c.bytes)));
    parts.push(format!("{} {}", grouped(as_i64(c.batches)), if c.batches == 1 { "page" } else { "pages" }));
    format!("loading: {}", parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticker_says_what_and_how_long() {
        assert_eq!(
            ticker_line("loading", "DuckDB reads u.ndjson (1.1 GB)", Duration::from_millis(12_400)),
            "loading: DuckDB reads u.ndjson (1.1 GB) · 12 s"
        );
        assert_eq!(
            ticker_line("compact", "step 1 of 3: rewriting 2 data objects", Duration::from_secs(75)),
            "compact: step 1 of 3: rewriting 2 data objects · 1 min 15 s"
        );
        // Off the terminal it is inert: no thread, nothing drawn.
        let t = Ticker::for_stderr("loading", "x".into());
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
    fn line_counts_rates_and_time_left() {
        let c = Counts { batches: 3, users: 15_000, bytes: 19_800_000, total: None };
        assert_eq!(
            line(&c, Duration::from_secs(2)),
            "loading: 15,000 users · 7,500 users/s · 19.8 MB staged · 3 pages"
        );
        let c = Counts { total: Some(30_000), ..c };
        assert_eq!(
            line(&c, Duration::from_secs(2)),
            "loading: 15,000 of 30,000 users (50.0 %) · 7,500 users/s · 2 s left · 19.8 MB staged · 3 pages"
        );
        let c = Counts { batches: 1, users: 0, bytes: 0, total: Some(100) };
        assert_eq!(line(&c, Duration::ZERO), "loading: 0 of 100 users (0.0 %) · 0 users/s · 0 B staged · 1 page");
        let done = Counts { batches: 2, users: 100, bytes: 5_000, total: Some(100) };
        assert_eq!(
            line(&done, Duration::from_secs(1)),
            "loading: 100 of 100 users (100.0 %) · 100 users/s · 0 s left · 5.0 kB staged · 2 pages"
        );
    }

    #[test]
    fn a_disabled_display_counts_but_never_draws() {
        let mut p = Progress::new(false, None);
        p.batch(2, 9);
        p.finish();
        assert_eq!((p.batches, p.users, p.bytes), (1, 2, 9));
        assert!(p.last_draw.is_none());
    }
}
