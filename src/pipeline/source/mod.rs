//! Sources: where user records come from. Every source hands DuckDB the same thing — batches of
//! users, each user the text of one JSON object in the randomuser.me v1.4 shape — so everything
//! downstream (flatten → mask → export) is the same whatever the origin.

pub mod api;
pub mod file;
pub mod synthetic;

pub use crate::lake::record::SourceSummary;

/// Receives batches of users (each the text of one JSON object) as a source produces them.
/// Returning an error stops the source.
pub type BatchSink<'a> = dyn FnMut(Vec<String>) -> anyhow::Result<()> + 'a;

/// Which source to read, with its parameters.
#[derive(Debug, Clone)]
pub enum SourceSpec {
    Api(api::ApiOptions),
    File { path: std::path::PathBuf },
    Synthetic { seed: String, count: u64, nat: Option<Vec<String>> },
}
