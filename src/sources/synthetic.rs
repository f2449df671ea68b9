//! Offline generator of users in the exact randomuser.me v1.4 JSON shape. (stub: being written)

use super::{BatchSink, SourceSummary};
use time::OffsetDateTime;

/// A deterministic user generator: the same (seed, nat, reference time) always yields the same users.
pub struct Generator {}

impl Generator {
    /// `nat`: upper- or lower-case codes of the 21 v1.4 nationalities; an unknown code is an error.
    /// `now`: the reference time ("today"): registrations end there and `age` fields use it.
    pub fn new(seed: &str, nat: Option<&[String]>, now: OffsetDateTime) -> anyhow::Result<Self> {
        let _ = (seed, nat, now);
        unimplemented!("synthetic generator")
    }

    /// The users of one page (1-based), exactly as the API would serve
    /// `?seed=SEED&page=PAGE&results=RESULTS&nat=..`. Each string is one JSON object.
    pub fn page(&self, page: u32, results: u32) -> Vec<String> {
        let _ = (page, results);
        unimplemented!("synthetic generator")
    }
}

/// Generate `count` users in pages of `page_size` (pages 1, 2, … of the generator), handing each
/// page to `sink`.
pub fn generate(generator: &Generator, count: u64, page_size: u32, sink: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary> {
    let _ = (generator, count, page_size, sink);
    unimplemented!("synthetic generator")
}
