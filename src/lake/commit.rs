//! The commit point of a load: its run record, created exactly once and never overwritten.
//!
//! - S3: one PUT with `If-None-Match: *`, so the endpoint creates the object only if no record
//!   of that run id exists (S3 and MinIO answer 412 otherwise). A PUT is atomic: the record
//!   appears whole or not at all.
//! - Local: the data objects and their folders are fsynced, the record is written to a hidden
//!   temporary file of this attempt and fsynced, then hard-linked to its name — which fails if the
//!   name exists — and `runs/` is fsynced. A reader never sees half a record, a power loss never
//!   leaves a record naming objects that are not on disk.
//!
//! Two loads with the same run id racing to commit: exactly one creates the record; the other
//! learns that the run id is taken and by which attempt.

use std::io::Write as _;
use std::path::Path;

use super::{Destination, RunRecord, S3Settings, durable, s3_client};
use crate::engine::EngineError;
use crate::error::UsageError;

/// What creating the record did.
#[derive(Debug)]
pub enum Outcome {
    /// This attempt's record is now the run's record.
    Committed,
    /// The run id was already committed by another attempt (its record, if readable): nothing
    /// was written.
    Taken(Option<Box<RunRecord>>),
}

/// Creates `record` at `runs/<run_id>.json` unless a record of that run id exists.
pub fn create(dest: &Destination, record: &RunRecord) -> anyhow::Result<Outcome> {
    let text = format!("{}\n", serde_json::to_string(record)?);
    match dest {
        Destination::Local(_) => create_local(dest, record, &text),
        Destination::S3 { .. } => create_s3(dest, record, &text),
    }
}

fn create_local(dest: &Destination, record: &RunRecord, text: &str) -> anyhow::Result<Outcome> {
    let path = dest.record_path(&record.run_id);
    let io = |what: &str, e: std::io::Error| EngineError(format!("cannot {what} for the run record {path}: {e}"));
    // Everything the record names, and the folders holding it, reach the disk first.
    for object in &record.objects {
        durable::sync(Path::new(&dest.resolve(&object.path))).map_err(|e| io("sync the objects", e))?;
    }
    for folder in Destination::run_folders(&record.run_id) {
        durable::sync(Path::new(&dest.resolve(&folder))).map_err(|e| io("sync the folders", e))?;
    }
    durable::sync(Path::new(&dest.root())).map_err(|e| io("sync the destination folder", e))?;

    let runs = dest.resolve("runs");
    let temp = format!("{runs}/.{}.{}.tmp", record.run_id, record.attempt);
    let written = write_synced(Path::new(&temp), text);
    let linked = written.and_then(|()| std::fs::hard_link(&temp, &path));
    // The temporary name goes whatever happened (a killed load leaves it: runs --orphans lists it).
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            // From here the run is committed: an interruption must not remove its objects.
            crate::interrupt::mark_committed();
            durable::sync(Path::new(&runs)).map_err(|e| {
                EngineError(format!(
                    "run {} is recorded at {path}, but runs/ could not be synced to disk ({e}): a retry with --run-id {} is a no-op if the record survives",
                    record.run_id, record.run_id
                ))
            })?;
            Ok(Outcome::Committed)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let existing = std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str(t.trim()).ok());
            Ok(Outcome::Taken(existing.map(Box::new)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            Err(UsageError(format!("cannot write the run record {path}: {e}")).into())
        }
        Err(e) => Err(EngineError(format!("cannot write the run record {path}: {e}")).into()),
    }
}

/// Writes a new file (never an existing one) and flushes it to disk.
fn write_synced(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

fn create_s3(dest: &Destination, record: &RunRecord, text: &str) -> anyhow::Result<Outcome> {
    let settings = S3Settings::from_process_env()?;
    let (bucket, key) = dest.s3_key(&format!("runs/{}.json", record.run_id)).expect("an S3 destination");
    let path = dest.record_path(&record.run_id);
    match s3_client::put_if_absent(&settings, bucket, &key, text.as_bytes()) {
        Ok(s3_client::Created::Yes) => {
            crate::interrupt::mark_committed();
            Ok(Outcome::Committed)
        }
        Ok(s3_client::Created::AlreadyExists) => existing(&settings, bucket, &key, record)?
            .ok_or_else(|| EngineError(format!("{path} exists and then did not: retry with --run-id {}", record.run_id)).into()),
        // Refused: nothing was written.
        Err(e) if e.is::<UsageError>() => Err(e),
        // Lost connection, timeout, 5xx: the PUT may or may not have landed. Reading the record
        // back tells which.
        Err(e) => match existing(&settings, bucket, &key, record) {
            Ok(Some(outcome)) => Ok(outcome),
            Ok(None) => Err(e.context(format!("cannot write the run record {path}: nothing was committed"))),
            Err(_) => Err(EngineError(format!(
                "writing the run record {path} failed and whether it was written is unknown ({e:#}): run `duckpipe runs` to see, or retry with --run-id {} (a no-op if it was)",
                record.run_id
            ))
            .into()),
        },
    }
}

/// The record holding the name, if any: this attempt's (after a lost answer) counts as committed.
fn existing(settings: &S3Settings, bucket: &str, key: &str, mine: &RunRecord) -> anyhow::Result<Option<Outcome>> {
    let Some(bytes) = s3_client::get(settings, bucket, key)? else {
        return Ok(None);
    };
    Ok(Some(match serde_json::from_slice::<RunRecord>(&bytes) {
        Ok(r) if r.attempt == mine.attempt => {
            crate::interrupt::mark_committed();
            Outcome::Committed
        }
        Ok(r) => Outcome::Taken(Some(Box::new(r))),
        Err(_) => Outcome::Taken(None),
    }))
}
