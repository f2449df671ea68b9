//! k-anonymity on request (`load --min-k K`): runs `sql/03b_generalize.sql` on `masked_users`
//! between the mask and export steps, and counts the rows it had to suppress.

use serde::Serialize;

use crate::engine::Engine;

const GENERALIZE: &str = include_str!("../../sql/03b_generalize.sql");

/// What the generalisation step did, for the run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KanonOutcome {
    /// Rows removed because no generalisation made their class large enough.
    pub suppressed: u64,
}

/// Makes every (gender, age_band, country, city) class of `masked_users` hold at least `min_k`
/// rows. `min_k` ≤ 1 is a no-op (every class already holds one row).
pub fn apply(engine: &Engine, min_k: u32) -> anyhow::Result<KanonOutcome> {
    if min_k <= 1 {
        return Ok(KanonOutcome::default());
    }
    engine.set_int("min_k", min_k.into())?;
    engine.execute_batch(GENERALIZE)?;
    let suppressed = engine.query_i64("SELECT count(*) FROM kanon_rows WHERE suppressed")? as u64;
    engine.execute_batch("DROP TABLE kanon_rows;")?;
    if suppressed > 0 {
        tracing::warn!(suppressed, min_k, "records suppressed: no generalisation made their class hold min-k records");
    }
    tracing::info!(min_k, suppressed, "generalised for k-anonymity");
    Ok(KanonOutcome { suppressed })
}

#[cfg(test)]
mod tests {
    #[test]
    fn sql_has_a_header_comment() {
        assert!(super::GENERALIZE.starts_with("-- "));
    }
}
