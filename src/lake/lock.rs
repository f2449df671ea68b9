//! The rewrite lock: one rewrite (compact, forget, rekey, `runs drop`, `runs gc`) at a time per
//! lake. Loads never take it: they only add runs, which a rewrite never touches.
//!
//! The lock is the object `<dest>/lock/rewrite.json`, taken by conditional create — locally
//! `create_new`, on S3 a PUT with `If-None-Match: *` like the run records (`commit`) — so of two
//! rewrites exactly one gets it. It names its holder (operation, host, process, since when); the
//! other waits up to its timeout and is then refused with the holder named. A holder that is
//! gone (same host and its process no longer exists, or its lease expired) is taken over, so a
//! rewrite killed with -9 does not lock the lake forever. Before committing, the holder checks
//! that the lock is still its own.

use std::io::Write as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Destination, S3Settings, s3_client};
use crate::engine::EngineError;
use crate::timefmt;

/// Where the lock lives, relative to the destination.
pub const LOCK_PATH: &str = "lock/rewrite.json";

/// How long a lock is valid without its holder: a rewrite longer than this on another host
/// could be taken over (docs/runs.md, "The rewrite lock").
pub const LEASE: Duration = Duration::from_secs(24 * 3600);

/// What the lock object says about its holder. Holds no data and no key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    pub operation: String,
    pub host: String,
    pub pid: u32,
    /// Random: tells this holder from a later one with the same pid.
    pub token: String,
    pub since: String,
    /// Unix seconds after which the lock may be taken over.
    pub expires: i64,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` (host {}, pid {}, since {})", self.operation, self.host, self.pid, self.since)
    }
}

/// A held lock; released (removed, if still ours) when dropped.
pub struct Lock {
    dest: Destination,
    holder: Holder,
}

impl Lock {
    /// Fails unless the lock object is still this holder's (checked before a commit).
    pub fn check_held(&self) -> anyhow::Result<()> {
        match read(&self.dest)? {
            Some(h) if h.token == self.holder.token => Ok(()),
            Some(h) => Err(EngineError(format!(
                "the rewrite lock at {} was taken over by {h} while this rewrite ran: nothing was committed",
                self.dest
            ))
            .into()),
            None => Err(EngineError(format!(
                "the rewrite lock at {} was removed while this rewrite ran: nothing was committed",
                self.dest
            ))
            .into()),
        }
    }

    pub fn holder(&self) -> &Holder {
        &self.holder
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Ok(Some(h)) = read(&self.dest)
            && h.token == self.holder.token
            && let Err(e) = remove(&self.dest)
        {
            tracing::warn!("could not release the rewrite lock at {}: {e:#}", self.dest);
        }
    }
}

/// Takes the lock for `operation`, waiting up to `timeout` while another rewrite holds it.
pub fn acquire(dest: &Destination, operation: &str, timeout: Duration) -> anyhow::Result<Lock> {
    let now = OffsetDateTime::now_utc();
    let holder = Holder {
        operation: operation.to_string(),
        host: host(),
        pid: std::process::id(),
        token: format!("{:016x}", rand::random::<u64>()),
        since: timefmt::rfc3339(now),
        expires: now.unix_timestamp() + LEASE.as_secs() as i64,
    };
    let text = format!("{}\n", serde_json::to_string(&holder)?);
    let deadline = std::time::Instant::now() + timeout;
    let mut announced = false;
    loop {
        if create(dest, &text)? {
            tracing::debug!(dest = %dest, operation, "rewrite lock taken");
            return Ok(Lock { dest: dest.clone(), holder });
        }
        match read(dest)? {
            // Released meanwhile: try again at once.
            None => continue,
            Some(other) if is_stale(&other) => {
                tracing::warn!("the rewrite lock at {dest} is held by {other}, which is gone: taking it over");
                remove(dest)?;
                continue;
            }
            Some(other) => {
                if std::time::Instant::now() >= deadline {
                    return Err(EngineError(format!(
                        "the lake at {dest} is locked by {other}: only one rewrite at a time (waited {}s; retry when it has finished, or remove {} if that process is gone)",
                        timeout.as_secs(),
                        dest.resolve(LOCK_PATH)
                    ))
                    .into());
                }
                if !announced {
                    tracing::info!("the lake at {dest} is locked by {other}: waiting up to {}s", timeout.as_secs());
                    announced = true;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }
}

/// The rewrite holding the lock at `dest` now, if one does and is alive (a load checks this
/// before its commit; it takes no lock itself).
pub fn live_holder(dest: &Destination) -> anyhow::Result<Option<Holder>> {
    Ok(read(dest)?.filter(|h| !is_stale(h)))
}

/// Whether the holder can no longer be running: its lease expired, or it ran on this host and
/// its process is gone.
fn is_stale(h: &Holder) -> bool {
    if h.expires < OffsetDateTime::now_utc().unix_timestamp() {
        return true;
    }
    h.host == host() && h.pid != std::process::id() && !std::path::Path::new(&format!("/proc/{}", h.pid)).exists()
}

/// This machine's name (Linux; "unknown" elsewhere, which never matches another holder).
fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty() && std::path::Path::new("/proc/self").exists())
        .unwrap_or_else(|| "unknown".into())
}

/// Creates the lock object unless it exists; false when it does.
fn create(dest: &Destination, text: &str) -> anyhow::Result<bool> {
    match dest {
        Destination::Local(_) => {
            let path = dest.resolve(LOCK_PATH);
            let io = |e: std::io::Error| EngineError(format!("cannot create the rewrite lock {path}: {e}"));
            std::fs::create_dir_all(dest.resolve("lock")).map_err(io)?;
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(io)?;
                    Ok(true)
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(io(e).into()),
            }
        }
        Destination::S3 { .. } => {
            let settings = S3Settings::from_process_env()?;
            let (bucket, key) = dest.s3_key(LOCK_PATH).expect("an S3 destination");
            Ok(s3_client::put_if_absent(&settings, bucket, &key, text.as_bytes())? == s3_client::Created::Yes)
        }
    }
}

/// The current holder, if any. A lock object that cannot be parsed (cut off by a crash while
/// being written) counts as stale.
fn read(dest: &Destination) -> anyhow::Result<Option<Holder>> {
    let bytes = match dest {
        Destination::Local(_) => match std::fs::read(dest.resolve(LOCK_PATH)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(EngineError(format!("cannot read {}: {e}", dest.resolve(LOCK_PATH))).into()),
        },
        Destination::S3 { .. } => {
            let settings = S3Settings::from_process_env()?;
            let (bucket, key) = dest.s3_key(LOCK_PATH).expect("an S3 destination");
            match s3_client::get(&settings, bucket, &key)? {
                Some(bytes) => bytes,
                None => return Ok(None),
            }
        }
    };
    Ok(Some(serde_json::from_slice(&bytes).unwrap_or(Holder {
        operation: "unknown".into(),
        host: "unknown".into(),
        pid: 0,
        token: String::new(),
        since: String::new(),
        expires: 0,
    })))
}

fn remove(dest: &Destination) -> anyhow::Result<()> {
    match dest {
        Destination::Local(_) => match std::fs::remove_file(dest.resolve(LOCK_PATH)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(EngineError(format!("cannot remove {}: {e}", dest.resolve(LOCK_PATH))).into()),
        },
        Destination::S3 { .. } => {
            let settings = S3Settings::from_process_env()?;
            let (bucket, key) = dest.s3_key(LOCK_PATH).expect("an S3 destination");
            s3_client::delete(&settings, bucket, &key)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_the_other_is_told_who() {
        let dir = tempfile::tempdir().unwrap();
        let dest = Destination::parse(&dir.path().to_string_lossy()).unwrap();
        let first = acquire(&dest, "compact", Duration::ZERO).unwrap();
        let e = acquire(&dest, "forget", Duration::ZERO).err().unwrap().to_string();
        assert!(e.contains("locked by `compact`") && e.contains(&format!("pid {}", std::process::id())), "{e}");
        first.check_held().unwrap();
        drop(first);
        let second = acquire(&dest, "forget", Duration::ZERO).unwrap();
        assert_eq!(second.holder().operation, "forget");
    }

    #[test]
    fn a_holder_that_is_gone_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let dest = Destination::parse(&dir.path().to_string_lossy()).unwrap();
        let gone = Holder {
            operation: "compact".into(),
            host: host(),
            pid: u32::MAX - 1,
            token: "x".into(),
            since: String::new(),
            expires: i64::MAX,
        };
        assert!(create(&dest, &serde_json::to_string(&gone).unwrap()).unwrap());
        let lock = acquire(&dest, "forget", Duration::ZERO).unwrap();
        assert_eq!(read(&dest).unwrap().unwrap().token, lock.holder().token);
    }
}
