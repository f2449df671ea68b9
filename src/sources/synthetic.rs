//! Offline generator of users in the exact randomuser.me v1.4 JSON shape. (stub: being written)

use super::{BatchSink, SourceSummary};

/// The users of one page, exactly as the API would serve `?seed=SEED&page=PAGE&results=N&nat=..`:
/// deterministic for the same (seed, page, results, nat). Each string is one JSON object.
pub fn page_users(seed: &str, page: u32, results: u32, nat: Option<&[String]>) -> Vec<String> {
    let _ = (seed, page, results, nat);
    unimplemented!("synthetic generator")
}

/// Generate `count` users for `seed` in pages of `page_size`, handing each page to `sink`.
pub fn generate(
    seed: &str,
    count: u64,
    nat: Option<&[String]>,
    page_size: u32,
    sink: &mut BatchSink<'_>,
) -> anyhow::Result<SourceSummary> {
    let _ = (seed, count, nat, page_size, sink);
    unimplemented!("synthetic generator")
}
