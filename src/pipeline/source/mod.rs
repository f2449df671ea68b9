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

/// Receives batches of records as a source produces them. Returning an error stops the source.
pub type BatchSink<'a> = dyn FnMut(Vec<Record>) -> anyhow::Result<()> + 'a;

/// The largest record a file may hold by default (`load --max-record-size`): about a thousand
/// times a randomuser.me user (about 1.1 KB), small enough that a batch of the largest records
/// still fits in memory.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 1 << 20;

/// One record as a source hands it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// The text of one JSON value as received (normally a user object; anything else is
    /// quarantined downstream).
    Text(String),
    /// A record that cannot be handed on as text: quarantined with `reason` (which names no
    /// value), with what is kept of it (`doc`: nothing for a record over the size limit).
    Unreadable { reason: String, doc: Option<String> },
}

impl Record {
    /// A record over the size limit of `max_bytes`: its bytes are not kept.
    pub fn oversized(max_bytes: u64) -> Self {
        Self::Unreadable { reason: oversized_reason(max_bytes), doc: None }
    }

    /// A record whose bytes are not UTF-8 text: kept with each invalid sequence replaced by
    /// U+FFFD, so that it can be found and fixed at the source.
    pub fn not_utf8(bytes: &[u8]) -> Self {
        Self::Unreadable { reason: NOT_UTF8_REASON.to_string(), doc: Some(String::from_utf8_lossy(bytes).into_owned()) }
    }

    /// Bytes of text the record holds here.
    pub fn len(&self) -> usize {
        match self {
            Self::Text(t) => t.len(),
            Self::Unreadable { doc, .. } => doc.as_ref().map_or(0, String::len),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text of a [`Record::Text`].
    pub fn into_text(self) -> Option<String> {
        match self {
            Self::Text(t) => Some(t),
            Self::Unreadable { .. } => None,
        }
    }
}

impl From<String> for Record {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

/// The quarantine reason of a record over the size limit (the same whichever way a file is read).
pub fn oversized_reason(max_bytes: u64) -> String {
    format!("larger than the maximum record size ({max_bytes} bytes, --max-record-size)")
}

/// The quarantine reason of a record that is not UTF-8 text.
pub const NOT_UTF8_REASON: &str = "not valid UTF-8 text";

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

    /// The largest record this source loads (larger ones are quarantined).
    fn max_record_bytes(&self) -> u64 {
        DEFAULT_MAX_RECORD_BYTES
    }
}
