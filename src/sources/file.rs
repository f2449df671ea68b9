//! Users from a file: a saved API response (with or without `info`), a bare JSON array of users,
//! or NDJSON (one user per line). (stub: being written)

use super::{BatchSink, SourceSummary};
use std::path::Path;

pub fn read(path: &Path, batch_size: usize, sink: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary> {
    let _ = (path, batch_size, sink);
    unimplemented!("file source")
}
