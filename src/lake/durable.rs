//! Making local writes survive a power loss: a file's content and a folder's entries reach the
//! disk only when they are fsynced. The data objects and their folders are synced before the run
//! record is created, and the record and `runs/` before the record counts as written; otherwise a
//! crash could leave a record naming objects that are not there, or a zero-length record.

use std::path::Path;

/// Flushes a file's content, or a folder's entries (files created, linked or removed in it), to
/// disk. (On Unix a folder is opened read-only and fsynced like a file.)
pub fn sync(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path)?.sync_all()
}
