//! The lake's audit log: one small JSON object per entry under `<dest>/audit/`, created once and
//! never changed (object stores cannot append; a new object per entry can). An entry says what
//! was done, when, to how many rows and which runs — never an identifier, a pseudonym or any
//! other value of the data.

use std::io::Write as _;

use serde::Serialize;
use time::OffsetDateTime;

use super::{Destination, S3Settings, s3_client};
use crate::engine::EngineError;
use crate::timefmt;

/// One erasure (`forget`).
#[derive(Debug, Clone, Serialize)]
pub struct Erasure {
    pub operation: &'static str,
    pub time: String,
    /// How many identifiers were asked for (not which).
    pub identifiers: usize,
    pub rows_removed: u64,
    pub quarantine_rows_removed: u64,
    /// Orphaned objects (of failed loads) that held them and were deleted.
    pub orphans_removed: usize,
    /// The runs whose rows were rewritten, and the record that replaced them.
    pub runs_touched: Vec<String>,
    pub record: Option<String>,
}

/// Appends `entry` as `audit/<time>-<random>.json`; returns its path relative to the lake.
pub fn append<T: Serialize>(dest: &Destination, entry: &T) -> anyhow::Result<String> {
    let now = OffsetDateTime::now_utc();
    let relative = format!("audit/{}-{:08x}.json", timefmt::compact(now), rand::random::<u32>());
    let text = format!("{}\n", serde_json::to_string(entry)?);
    match dest {
        Destination::Local(_) => {
            let path = dest.resolve(&relative);
            let io = |e: std::io::Error| EngineError(format!("cannot write the audit entry {path}: {e}"));
            std::fs::create_dir_all(dest.resolve("audit")).map_err(io)?;
            let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(io)?;
            file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).map_err(io)?;
            super::durable::sync(std::path::Path::new(&dest.resolve("audit"))).map_err(io)?;
        }
        Destination::S3 { .. } => {
            let settings = S3Settings::from_process_env()?;
            let (bucket, key) = dest.s3_key(&relative).expect("an S3 destination");
            if s3_client::put_if_absent(&settings, bucket, &key, text.as_bytes())? != s3_client::Created::Yes {
                return Err(EngineError(format!("the audit entry {relative} exists already")).into());
            }
        }
    }
    Ok(relative)
}

/// The time as entries state it.
pub fn now() -> String {
    timefmt::rfc3339(OffsetDateTime::now_utc())
}
