//! Ctrl-C (SIGINT) and SIGTERM. The first signal asks the running command to stop: sources stop
//! at their next page or batch, the query DuckDB is running is interrupted, and the error path
//! removes what the command made (its temporary folder, uncommitted objects) before the process
//! exits with 128 + the signal's number. A second signal leaves at once; whatever is left behind
//! then is swept by the next run (`engine::workspace`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};

/// The first signal received, 0 until then.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// Set once the command's run record is written: an interruption after it cannot undo the commit.
static COMMITTED: AtomicBool = AtomicBool::new(false);

type Callback = Box<dyn Fn() + Send>;

/// What to call when a signal arrives (e.g. interrupt DuckDB's running query), by id.
static CALLBACKS: Mutex<Vec<(u64, Callback)>> = Mutex::new(Vec::new());
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The command stopped because of a signal.
#[derive(Debug, thiserror::Error)]
#[error("interrupted by {}", name(self.signal))]
pub struct Interrupted {
    pub signal: i32,
}

/// Installs the handler (the binary does this once; library users and tests don't).
pub fn install() -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for signal in signals.forever() {
            if SIGNAL.swap(signal, Ordering::SeqCst) != 0 {
                std::process::exit(128 + signal);
            }
            eprintln!("duckpipe: {} received, stopping (press Ctrl-C again to leave at once)", name(signal));
            for (_, callback) in CALLBACKS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                callback();
            }
        }
    })?;
    Ok(())
}

/// The signal received, if any.
pub fn requested() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// `Err` once a signal was received: sources and batch loops call this at every safe point.
pub fn check() -> Result<(), Interrupted> {
    match requested() {
        None => Ok(()),
        Some(signal) => Err(Interrupted { signal }),
    }
}

/// Notes that the command committed (its run record is written).
pub fn mark_committed() {
    COMMITTED.store(true, Ordering::SeqCst);
}

pub fn committed() -> bool {
    COMMITTED.load(Ordering::SeqCst)
}

/// Calls `callback` when a signal arrives, for as long as the returned guard lives.
pub fn on_signal(callback: impl Fn() + Send + 'static) -> CallbackGuard {
    let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
    CALLBACKS.lock().unwrap_or_else(|e| e.into_inner()).push((id, Box::new(callback)));
    CallbackGuard(id)
}

pub struct CallbackGuard(u64);

impl Drop for CallbackGuard {
    fn drop(&mut self) {
        CALLBACKS.lock().unwrap_or_else(|e| e.into_inner()).retain(|(id, _)| *id != self.0);
    }
}

/// The exit code for a signal: 130 for SIGINT, 143 for SIGTERM.
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(1)
}

fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT (Ctrl-C)",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(exit_code(SIGINT), 130);
        assert_eq!(exit_code(SIGTERM), 143);
    }

    #[test]
    fn callbacks_are_removed_with_their_guard() {
        let before = CALLBACKS.lock().unwrap().len();
        let guard = on_signal(|| {});
        assert_eq!(CALLBACKS.lock().unwrap().len(), before + 1);
        drop(guard);
        assert_eq!(CALLBACKS.lock().unwrap().len(), before);
    }
}
