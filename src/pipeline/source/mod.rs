//! Sources: where user records come from. Every source hands DuckDB the same thing — batches of
//! users, each user the text of one JSON object in the randomuser.me v1.4 shape — so everything
//! downstream (flatten → mask → export) is the same whatever the origin: the stage step sees only
//! a [`Source`].

pub mod api;
pub mod document;
pub mod file;
pub mod lines;
pub mod synthetic;

use std::path::Path;

pub use crate::lake::record::SourceSummary;

/// Receives batches of users (each the text of one JSON object) as a source produces them.
/// Returning an error stops the source.
pub type BatchSink<'a> = dyn FnMut(Vec<String>) -> anyhow::Result<()> + 'a;

/// A source of users.
pub trait Source: std::fmt::Debug + Send + Sync {
    /// Produces every user in order, in batches (`batch_size` users, or one API page), into
    /// `sink`; an error from the sink stops it.
    fn produce(&self, batch_size: usize, sink: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary>;

    /// A file DuckDB may read itself, in one parallel pass, when the source is one (see
    /// [`file::duckdb_can_read`]).
    fn duckdb_file(&self) -> Option<&Path> {
        None
    }

    /// How many users the source will deliver, when it knows beforehand (the API and the
    /// generator are asked for `--count`); the progress line then shows the share done and the
    /// time left.
    fn expected_users(&self) -> Option<u64> {
        None
    }
}
