//! The generalize step, k-anonymity on request (`load --min-k K`): between reject and export,
//! `sql/run/kanon_rows.sql` and `generalized_users.sql` turn `masked_users` into
//! `generalized_users`, and the rows that had to be suppressed are counted.

use serde::Serialize;

use crate::engine::{Engine, sql};
use crate::lake::record::InformationLoss;

/// What the generalize step did: the relation the export writes, and the rows it suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KanonOutcome {
    /// `masked_users`, or `generalized_users` when the step ran.
    pub relation: &'static str,
    /// Rows removed because no generalisation made their class large enough.
    pub suppressed: u64,
    /// What the step generalised (None when it did not run).
    pub loss: Option<InformationLoss>,
}

/// How many of the largest cities keep their name under `--min-k` (ties at the last place
/// too): those that can appear in the report's top list (`--top`, default 10). Every other city
/// becomes "(other)" within its country, so that its users keep their age band.
pub const KEPT_CITIES: u32 = 10;

/// Makes every (gender, age_band, country, city) class of the written users hold at least `min_k`
/// rows. `min_k` ≤ 1 is a no-op (every class already holds one row).
pub fn apply(engine: &Engine, min_k: u32) -> anyhow::Result<KanonOutcome> {
    if min_k <= 1 {
        return Ok(KanonOutcome { relation: "masked_users", suppressed: 0, loss: None });
    }
    engine.set_int("min_k", min_k.into())?;
    engine.set_int("kept_cities", KEPT_CITIES.into())?;
    engine.run_all(&sql::GENERALIZE_STEPS)?;
    let suppressed = engine.count("SELECT count(*) FROM kanon_rows WHERE suppressed")?;
    engine.execute_batch("DROP TABLE kanon_rows;")?;
    if suppressed > 0 {
        tracing::warn!(suppressed, min_k, "records suppressed: no generalisation made their class hold min-k records");
    }
    let loss = engine.one(&sql::INFORMATION_LOSS.sql(), [], |r| {
        Ok(InformationLoss {
            exact_age_removed: r.get::<_, i64>(1)? as u64,
            age_band_widened: r.get::<_, i64>(2)? as u64,
            city_other: r.get::<_, i64>(3)? as u64,
            country_other: r.get::<_, i64>(4)? as u64,
        })
    })?;
    tracing::info!(
        min_k,
        suppressed,
        age_band_widened = loss.age_band_widened,
        city_other = loss.city_other,
        country_other = loss.country_other,
        "generalised for k-anonymity"
    );
    Ok(KanonOutcome { relation: "generalized_users", suppressed, loss: Some(loss) })
}
