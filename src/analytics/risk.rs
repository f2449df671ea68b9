//! Re-identification risk of the stored data, computed by the SQL in `sql/risk/` over the view
//! `users` (see `report::open_users_view`): equivalence classes over chosen quasi-identifiers,
//! the smallest class size k, how many records sit in small classes, and what `load --min-k`
//! generalised. Only sizes and counts are reported, never rows.

use serde::{Deserialize, Serialize};

use crate::engine::{Engine, EngineError, sql};
use crate::numbers::{grouped, plural, share};

/// Columns of the stored table that may serve as quasi-identifiers. `sql/risk/classes.sql`
/// groups on exactly these (a test checks it); user input is only ever matched against them.
pub const ALLOWED_QI: [&str; 7] = ["gender", "age", "age_band", "country", "city", "nat", "registered_date"];

/// What an attacker is assumed to know by default: gender, age band and place.
pub const DEFAULT_QI: [&str; 4] = ["gender", "age_band", "country", "city"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskReport {
    pub quasi_identifiers: Vec<String>,
    pub records: i64,
    /// Number of equivalence classes.
    pub classes: i64,
    /// Smallest class size (None without data).
    pub k: Option<i64>,
    /// How many classes have size k.
    pub smallest_classes: i64,
    /// Share of records alone in their class (0..1, 4 decimals).
    pub unique_share: Option<f64>,
    /// Records in classes smaller than 2, 5, 10.
    pub below: Below,
    /// What the stored values show was generalised by `load --min-k`.
    pub generalised: Generalised,
}

/// Records in classes smaller than K, keyed by K (JSON `{"2": .., "5": .., "10": ..}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Below {
    #[serde(rename = "2")]
    pub k2: i64,
    #[serde(rename = "5")]
    pub k5: i64,
    #[serde(rename = "10")]
    pub k10: i64,
}

impl Below {
    pub fn entries(&self) -> [(u32, i64); 3] {
        [(2, self.k2), (5, self.k5), (10, self.k10)]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generalised {
    pub exact_age_removed: i64,
    pub widened_bands: Vec<BandCount>,
    pub city_other: i64,
    pub country_other: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandCount {
    pub band: String,
    pub records: i64,
}

impl Generalised {
    pub fn is_empty(&self) -> bool {
        self.exact_age_removed == 0 && self.widened_bands.is_empty() && self.city_other == 0 && self.country_other == 0
    }
}

/// Computes the risk over the view `users` for the quasi-identifiers `qi` (allow-listed names).
pub fn compute(engine: &Engine, qi: &[&'static str]) -> anyhow::Result<RiskReport> {
    debug_assert!(qi.iter().all(|c| ALLOWED_QI.contains(c)));
    engine.set_list("risk_qi", qi)?;
    engine.run(&sql::RISK_CLASSES)?;
    let err = |e: EngineError| e.context("risk report");
    let (records, classes, k, smallest_classes, b2, b5, b10, unique_share) = engine
        .one(sql::RISK_SUMMARY.text, [], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<f64>>(7)?,
            ))
        })
        .map_err(err)?;
    let (exact_age_removed, city_other, country_other) =
        engine.one(sql::RISK_GENERALISED.text, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(err)?;
    let widened_bands = engine
        .rows(sql::RISK_WIDENED_BANDS.text, [], |r| Ok(BandCount { band: r.get(0)?, records: r.get(1)? }))
        .map_err(err)?;
    engine.execute_batch("DROP TABLE IF EXISTS risk_classes;")?;
    let below = Below { k2: b2, k5: b5, k10: b10 };
    Ok(RiskReport {
        quasi_identifiers: qi.iter().map(|s| s.to_string()).collect(),
        records,
        classes,
        k,
        smallest_classes,
        unique_share,
        below,
        generalised: Generalised { exact_age_removed, widened_bands, city_other, country_other },
    })
}

/// The risk as label/value rows — the same numbers in the terminal, the HTML page and Markdown.
/// Shares never round a real count to nothing (`223 (< 0.1 %)`). Empty without records.
pub fn summary_rows(r: &RiskReport) -> Vec<(String, String)> {
    let Some(k) = r.k else { return Vec::new() };
    let counted = |n: i64| format!("{} ({})", grouped(n), share(n, r.records));
    let mut rows = vec![
        ("quasi-identifiers".to_string(), r.quasi_identifiers.join(", ")),
        ("records / classes".to_string(), format!("{} / {}", grouped(r.records), grouped(r.classes))),
        (
            "k (smallest class)".to_string(),
            format!("{k} ({} of that size)", plural(r.smallest_classes, "class", "classes")),
        ),
        // A unique record is one alone in its class: the records in classes smaller than 2.
        ("unique records".to_string(), counted(r.below.k2)),
    ];
    for (t, n) in r.below.entries() {
        rows.push((format!("in classes smaller than {t}"), counted(n)));
    }
    let g = &r.generalised;
    let generalised = if g.is_empty() {
        "nothing".to_string()
    } else {
        let mut parts = Vec::new();
        if g.exact_age_removed > 0 {
            parts.push(format!("exact age removed for {}", grouped(g.exact_age_removed)));
        }
        if !g.widened_bands.is_empty() {
            let bands: Vec<String> =
                g.widened_bands.iter().map(|b| format!("{} ({})", b.band, grouped(b.records))).collect();
            parts.push(format!("widened age bands: {}", bands.join(", ")));
        }
        if g.city_other > 0 {
            parts.push(format!("city \"(other)\" for {}", grouped(g.city_other)));
        }
        if g.country_other > 0 {
            parts.push(format!("country \"(other)\" for {}", grouped(g.country_other)));
        }
        parts.join("; ")
    };
    rows.push(("generalised by load --min-k".to_string(), generalised));
    rows
}

/// The risk section as text.
pub fn render_text(r: &RiskReport) -> String {
    let mut out = format!("Re-identification risk (quasi-identifiers: {})\n", r.quasi_identifiers.join(", "));
    let Some(k) = r.k else {
        out.push_str("  no records\n");
        return out;
    };
    out.push_str(&format!(
        "  {} in {}\n  k = {k}: the smallest class holds {}; {} of size {k}\n",
        plural(r.records, "record", "records"),
        plural(r.classes, "equivalence class", "equivalence classes"),
        plural(k, "record", "records"),
        plural(r.smallest_classes, "class", "classes")
    ));
    // The rows the two lines above do not say already.
    let said = ["quasi-identifiers", "records / classes", "k (smallest class)"];
    let rows: Vec<(String, String)> =
        summary_rows(r).into_iter().filter(|(label, _)| !said.contains(&label.as_str())).collect();
    let width = rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    for (label, value) in rows {
        out.push_str(&format!("  {label:<width$}  {value}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_sql_groups_on_exactly_the_allow_list() {
        let grouped: Vec<&str> = sql::RISK_CLASSES
            .text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("CASE WHEN list_contains(getvariable('risk_qi'), '"))
            .map(|rest| rest.split('\'').next().unwrap())
            .collect();
        assert_eq!(grouped, ALLOWED_QI.to_vec());
        for col in DEFAULT_QI {
            assert!(ALLOWED_QI.contains(&col));
        }
    }
}
