//! Sources: where user records come from. Every source hands DuckDB the same thing — batches of
//! users, each user the text of one JSON object in the randomuser.me v1.4 shape — so everything
//! downstream (flatten → mask → export) is the same whatever the origin.

pub mod api;
pub mod file;
pub mod synthetic;

use serde::{Deserialize, Serialize};

/// Receives batches of users (each the text of one JSON object) as a source produces them.
/// Returning an error stops the source.
pub type BatchSink<'a> = dyn FnMut(Vec<String>) -> anyhow::Result<()> + 'a;

/// What a source did, for logs and the run summary. Holds no user data.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SourceSummary {
    /// "api", "file" or "synthetic".
    pub kind: String,
    /// The seed used (given or generated), so that a run can be reproduced.
    pub seed: Option<String>,
    /// Pages requested (api) or batches produced (file, synthetic).
    pub pages: u32,
    /// Users handed to the sink.
    pub users: u64,
    /// API version reported by the server (`info.version`), when known.
    pub api_version: Option<String>,
    /// Nationalities requested, if any.
    pub nat: Option<Vec<String>>,
}
