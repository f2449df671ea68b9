//! Offline generator of users in the exact randomuser.me v1.4 JSON shape.
//!
//! Each page has its own RNG, seeded from SHA-256(seed, page), so any page can be produced alone
//! and a mock API built on [`Generator::page`] serves the same users as [`generate`]. Users are
//! written straight into their JSON text by hand (no intermediate `serde_json::Value`), which is
//! what makes generation fast. The record shape is in `record`, the JSON writing in `json`, the
//! word lists in `locale`; this module pages.

mod json;
mod locale;
mod record;

use anyhow::bail;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, UtcOffset};

use super::{BatchSink, SourceSummary};
use crate::schema::nationality;
use json::Buf;
use locale::{NATS, NatTables};

/// A deterministic user generator: the same (seed, nat, reference time) always yields the same users.
pub struct Generator {
    seed: String,
    /// Normalised (upper-case, de-duplicated) codes as requested; `None` = all 21.
    nat: Option<Vec<String>>,
    tables: Vec<NatTables>,
    now: OffsetDateTime,
    now_ms: i64,
}

impl Generator {
    /// `nat`: upper- or lower-case codes of the 21 v1.4 nationalities; an unknown code is an error.
    /// `now`: the reference time ("today"): registrations end there and `age` fields use it.
    pub fn new(seed: &str, nat: Option<&[String]>, now: OffsetDateTime) -> anyhow::Result<Self> {
        let mut codes: Vec<String> = Vec::new();
        for code in nat.unwrap_or(&[]) {
            let Some(code) = nationality::code(code).map(str::to_string) else {
                bail!(
                    "unknown nationality code {:?} (known: {})",
                    code.trim().to_ascii_uppercase(),
                    nationality::NATIONALITIES.join(", ")
                );
            };
            // A repeated code would otherwise weigh that nationality double.
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        let tables =
            NATS.iter().filter(|n| codes.is_empty() || codes.iter().any(|c| c == n.code)).map(NatTables::new).collect();
        let now = now.to_offset(UtcOffset::UTC);
        let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        Ok(Generator {
            seed: seed.to_string(),
            nat: if codes.is_empty() { None } else { Some(codes) },
            tables,
            now,
            now_ms,
        })
    }

    /// The users of one page (1-based), exactly as the API would serve
    /// `?seed=SEED&page=PAGE&results=RESULTS&nat=..`. Each string is one JSON object.
    ///
    /// Users are drawn in order from one RNG stream per page, so `page(p, n)` is a prefix of
    /// `page(p, m)` for `n <= m`.
    pub fn page(&self, page: u32, results: u32) -> Vec<String> {
        let mut users = Vec::with_capacity(results as usize);
        let done: Result<(), std::convert::Infallible> = self.for_each_user(page, results, |user| {
            users.push(user.to_owned());
            Ok(())
        });
        match done {
            Ok(()) => users,
        }
    }

    /// The users of [`Generator::page`], each handed to `f` as the text of one JSON object,
    /// without allocating per user: one buffer is reused for the whole page. Writers (NDJSON
    /// output) use this directly. The first error from `f` stops the page.
    pub fn for_each_user<E>(&self, page: u32, results: u32, mut f: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
        let mut hasher = Sha256::new();
        hasher.update(b"duckpipe-synthetic-v1\0");
        hasher.update(self.seed.as_bytes());
        hasher.update(b"\0");
        hasher.update(page.to_le_bytes());
        let mut rng = ChaCha8Rng::from_seed(hasher.finalize().into());
        let mut out = Buf(Vec::with_capacity(2048));
        for i in 0..results {
            out.0.clear();
            self.write_user(&mut rng, page, i, &mut out);
            f(out.as_str())?;
        }
        Ok(())
    }
}

/// Generate `count` users in pages of `page_size` (pages 1, 2, … of the generator), handing each
/// page to `sink`. The last page is shorter; it equals the start of the full page (see
/// [`Generator::page`]).
// `generator`, not `gen`: `gen` is a reserved keyword in edition 2024.
pub fn generate(
    generator: &Generator,
    count: u64,
    page_size: u32,
    sink: &mut BatchSink<'_>,
) -> anyhow::Result<SourceSummary> {
    generate_pages(generator, count, page_size, |page, n| {
        sink(generator.page(page, n).into_iter().map(super::Record::Text).collect())
    })
}

/// Pages 1, 2, … of `page_size` users (the last one shorter) until `count` users, each produced by
/// `page_fn(page, users)`.
pub fn generate_pages(
    generator: &Generator,
    count: u64,
    page_size: u32,
    mut page_fn: impl FnMut(u32, u32) -> anyhow::Result<()>,
) -> anyhow::Result<SourceSummary> {
    if page_size == 0 {
        bail!("page size must be at least 1");
    }
    let mut summary = SourceSummary {
        kind: "synthetic".into(),
        seed: Some(generator.seed.clone()),
        api_version: Some("1.4".into()),
        nat: generator.nat.clone(),
        ..Default::default()
    };
    while summary.users < count {
        crate::interrupt::check()?;
        let n = (count - summary.users).min(u64::from(page_size)) as u32;
        let page = summary.pages.checked_add(1).ok_or_else(|| anyhow::anyhow!("too many pages"))?;
        page_fn(page, n)?;
        summary.pages = page;
        summary.users += u64::from(n);
    }
    Ok(summary)
}

/// `count` users of the generator.
pub struct SyntheticSource {
    pub generator: Generator,
    pub count: u64,
}

impl std::fmt::Debug for SyntheticSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyntheticSource").field("seed", &self.generator.seed).field("count", &self.count).finish()
    }
}

impl super::Source for SyntheticSource {
    fn produce(&self, batch_size: usize, sink: &mut BatchSink<'_>) -> anyhow::Result<SourceSummary> {
        let page_size = u32::try_from(batch_size).unwrap_or(u32::MAX);
        generate(&self.generator, self.count, page_size, sink)
    }

    fn expected_users(&self) -> Option<u64> {
        Some(self.count)
    }
}

#[cfg(test)]
mod tests;
