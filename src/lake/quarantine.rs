//! The quarantine's retention: `duckpipe runs purge-quarantine --older-than AGE` deletes the
//! quarantine objects of runs that finished longer ago than AGE (docs/privacy.md, "Quarantine").
//!
//! Rejected records are raw personal data kept only so that a bad source can be fixed and the
//! records loaded again; once that is no longer going to happen they must go. The run record
//! keeps the object's entry, marked `purged_at`, so the run's counts still add up and
//! verification does not report the object missing. The record is marked first and the object
//! deleted after: a purge that stops in between leaves an object the record calls purged, which
//! the next purge deletes (a second delete of a deleted object is not an error).

use serde::Serialize;
use time::OffsetDateTime;

use super::{Destination, RunRecord, S3Settings, durable, s3_client};
use crate::engine::EngineError;
use crate::timefmt;

/// One quarantine object a purge deleted (or, with `dry_run`, would delete).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Purged {
    pub run_id: String,
    pub path: String,
    pub rows: u64,
    pub finished_at: String,
}

/// Deletes the quarantine objects of every run that finished before `cutoff`, and marks them
/// purged in their run records. Returns what was deleted (newly marked ones; objects already
/// marked are deleted again silently, see the module comment).
pub fn purge(
    dest: &Destination,
    records: &[RunRecord],
    cutoff: OffsetDateTime,
    dry_run: bool,
) -> anyhow::Result<Vec<Purged>> {
    let s3 = if dest.is_s3() { Some(S3Settings::from_process_env()?) } else { None };
    let now = timefmt::rfc3339(OffsetDateTime::now_utc());
    let mut purged = Vec::new();
    for run in records {
        let finished = timefmt::parse_rfc3339(&run.finished_at)
            .map_err(|e| EngineError(format!("run record {}: finished_at is not a time ({e})", run.run_id)))?;
        if finished >= cutoff {
            continue;
        }
        let mut marked = run.clone();
        let mut changed = false;
        for object in marked.objects.iter_mut().filter(|o| o.kind == "quarantine" && o.purged_at.is_none()) {
            object.purged_at = Some(now.clone());
            changed = true;
            purged.push(Purged {
                run_id: run.run_id.clone(),
                path: object.path.clone(),
                rows: object.rows,
                finished_at: run.finished_at.clone(),
            });
        }
        if dry_run {
            continue;
        }
        if changed {
            replace_record(dest, s3.as_ref(), &marked)?;
        }
        for object in marked.objects.iter().filter(|o| o.kind == "quarantine") {
            delete(dest, s3.as_ref(), &object.path)?;
        }
    }
    if !dry_run && !purged.is_empty() {
        tracing::info!(objects = purged.len(), dest = %dest, "quarantine purged");
    }
    Ok(purged)
}

/// Replaces a run's record by `record` (the same run, its quarantine marked purged). The one
/// rewrite of a committed record: a load creates its record exactly once (`commit`); a purge only
/// marks entries of a run that is long committed. Locally a synced temporary file renamed over
/// the record, on S3 one PUT: a reader sees the old record or the new one, never half of one.
fn replace_record(dest: &Destination, s3: Option<&S3Settings>, record: &RunRecord) -> anyhow::Result<()> {
    let text = format!("{}\n", serde_json::to_string(record)?);
    let path = dest.record_path(&record.run_id);
    match (dest, s3) {
        (Destination::S3 { .. }, Some(settings)) => {
            let (bucket, key) = dest.s3_key(&format!("runs/{}.json", record.run_id)).expect("an S3 destination");
            s3_client::put(settings, bucket, &key, text.as_bytes())
        }
        _ => {
            let runs = dest.resolve("runs");
            let temp = format!("{runs}/.{}.purge.tmp", record.run_id);
            let io = |e: std::io::Error| EngineError(format!("cannot rewrite the run record {path}: {e}"));
            std::fs::write(&temp, &text).map_err(io)?;
            durable::sync(std::path::Path::new(&temp)).map_err(io)?;
            std::fs::rename(&temp, &path).map_err(io)?;
            durable::sync(std::path::Path::new(&runs)).map_err(io)?;
            Ok(())
        }
    }
}

/// Deletes one object named relative to `dest`; one that is already gone is fine.
fn delete(dest: &Destination, s3: Option<&S3Settings>, relative: &str) -> anyhow::Result<()> {
    match (dest, s3) {
        (Destination::S3 { .. }, Some(settings)) => {
            let (bucket, key) = dest.s3_key(relative).expect("an S3 destination");
            s3_client::delete(settings, bucket, &key)
        }
        _ => {
            let path = dest.resolve(relative);
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    // The run's quarantine folder, once empty (it holds nothing else).
                    if let Some(dir) = std::path::Path::new(&path).parent() {
                        let _ = std::fs::remove_dir(dir);
                    }
                    Ok(())
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(EngineError(format!("cannot delete {path}: {e}")).into()),
            }
        }
    }
}

/// `30d`, `12h`, `90m`: an age for `--older-than`.
pub fn parse_age(text: &str) -> Result<time::Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| format!("{text:?} is not an age (e.g. 30d, 12h, 90m)"))?;
    match unit {
        "d" => Ok(time::Duration::days(n)),
        "h" => Ok(time::Duration::hours(n)),
        "m" => Ok(time::Duration::minutes(n)),
        _ => Err(format!("{text:?} is not an age (a number and d, h or m: e.g. 30d)")),
    }
}

/// How long `runs gc` keeps a run's quarantine: an age, or `off` (kept until purged by hand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention(pub Option<time::Duration>);

/// An age for [`parse_age`], or `off`.
pub fn parse_retention(text: &str) -> Result<Retention, String> {
    match text.trim() {
        "off" => Ok(Retention(None)),
        age => parse_age(age).map(|d| Retention(Some(d))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_is_an_age_or_off() {
        assert_eq!(parse_retention("30d").unwrap(), Retention(Some(time::Duration::days(30))));
        assert_eq!(parse_retention("off").unwrap(), Retention(None));
        assert!(parse_retention("never").is_err());
    }

    #[test]
    fn ages_are_days_hours_or_minutes() {
        assert_eq!(parse_age("30d").unwrap(), time::Duration::days(30));
        assert_eq!(parse_age("12h").unwrap(), time::Duration::hours(12));
        assert_eq!(parse_age("0m").unwrap(), time::Duration::ZERO);
        for bad in ["", "d", "30", "30 days", "-1d", "1.5d", "30y"] {
            assert!(parse_age(bad).is_err(), "{bad:?}");
        }
    }
}
