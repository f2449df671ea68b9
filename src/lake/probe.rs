//! Fail early: before a load reads its source (with the API's rate limit, a large pull takes
//! hours), it proves that it may write every folder it will write: a small probe object in each,
//! removed at once. A probe a killed load leaves behind is listed by `runs --orphans`.

use std::io::Write as _;

use super::{Destination, S3Settings, s3_client};
use crate::engine::EngineError;
use crate::error::UsageError;

/// Writes and removes `.probe-<attempt>` in the folders a load of `run_id` writes.
pub fn writable(dest: &Destination, run_id: &str, attempt: &str) -> anyhow::Result<()> {
    let folders = [format!("users/{run_id}"), format!("quarantine/{run_id}"), "runs".to_string()];
    let body = b"duckpipe writability probe; safe to delete\n";
    match dest {
        Destination::Local(_) => {
            dest.prepare_run(run_id).map_err(|e| local_error(&dest.root(), e))?;
            for folder in &folders {
                let path = dest.resolve(&format!("{folder}/.probe-{attempt}"));
                let written = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(body));
                let _ = std::fs::remove_file(&path);
                written.map_err(|e| local_error(&dest.resolve(folder), e))?;
            }
        }
        Destination::S3 { .. } => {
            let settings = S3Settings::from_process_env()?;
            for folder in &folders {
                let (bucket, key) = dest.s3_key(&format!("{folder}/.probe-{attempt}")).expect("an S3 destination");
                s3_client::put(&settings, bucket, &key, body).map_err(|e| e.context(not_writable(dest)))?;
                s3_client::delete(&settings, bucket, &key).map_err(|e| e.context(not_writable(dest)))?;
            }
        }
    }
    tracing::debug!(dest = %dest, "destination is writable");
    Ok(())
}

fn not_writable(dest: &Destination) -> String {
    format!("{dest} is not writable (checked before reading the source: nothing was read or written)")
}

/// A folder that cannot be written: a configuration problem (exit 2), unless the disk is full or
/// failing (exit 4).
fn local_error(path: &str, e: std::io::Error) -> anyhow::Error {
    let message =
        format!("cannot write into {path}: {e} (checked before reading the source: nothing was read or written)");
    match e.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::Other => EngineError(message).into(),
        _ => UsageError(message).into(),
    }
}
