//! The report as a page people can read and share: a self-contained HTML file with charts
//! (inline SVG, inline CSS, no scripts, fonts or images — it works offline and by e-mail), or
//! Markdown tables for pasting into tickets.
//!
//! The numbers are the [`Report`] that `report::compute` produced, plus what a page needs on top:
//! the runs that hold the data and the registration tenure histogram (`sql/analytics/q1_tenure.sql`).

pub mod charts;
mod html;
mod markdown;

use serde::Serialize;

use super::Report;
use crate::engine::{Engine, sql};

/// Users per whole year since registration (`q1_tenure.sql`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenureCount {
    pub years: i64,
    pub users: i64,
}

/// The risk summary (the numbers of `duckpipe risk` for the default quasi-identifiers) as
/// label/value rows in their own section. `None` (no records) = the section says so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskSummary {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

/// Everything a page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<'a> {
    pub report: &'a Report,
    pub run_ids: Vec<String>,
    pub tenure: Vec<TenureCount>,
    pub risk: Option<RiskSummary>,
}

impl<'a> Page<'a> {
    /// Gathers the page's extra data from the view `users`. Call after `report::compute` (which
    /// sets the `as_of` variable the tenure file reads).
    pub fn gather(engine: &Engine, report: &'a Report) -> anyhow::Result<Self> {
        let run_ids = engine
            .rows("SELECT DISTINCT run_id FROM users ORDER BY run_id", [], |r| r.get::<_, Option<String>>(0))?
            .into_iter()
            .flatten()
            .collect();
        let tenure =
            engine.rows(sql::analytics("q1_tenure"), [], |r| Ok(TenureCount { years: r.get(0)?, users: r.get(1)? }))?;
        Ok(Self { report, run_ids, tenure, risk: risk_summary(&report.risk) })
    }

    pub fn html(&self) -> anyhow::Result<String> {
        html::render(self)
    }

    pub fn markdown(&self) -> String {
        markdown::render(self)
    }
}

/// The risk section of the page: the numbers `duckpipe risk` prints, as label/value rows.
/// None when there are no records to measure.
fn risk_summary(risk: &super::risk::RiskReport) -> Option<RiskSummary> {
    let k = risk.k?;
    let share = |n: i64| {
        if risk.records > 0 { format!("{n} ({:.1}%)", 100.0 * n as f64 / risk.records as f64) } else { n.to_string() }
    };
    let mut rows = vec![
        ("quasi-identifiers".to_string(), risk.quasi_identifiers.join(", ")),
        ("records / classes".to_string(), format!("{} / {}", risk.records, risk.classes)),
        (
            "k (smallest class)".to_string(),
            format!(
                "{k} ({} class{} of that size)",
                risk.smallest_classes,
                if risk.smallest_classes == 1 { "" } else { "es" }
            ),
        ),
        ("unique records".to_string(), risk.unique_share.map_or_else(|| "-".into(), |s| format!("{:.1}%", s * 100.0))),
    ];
    for (t, n) in risk.below.entries() {
        rows.push((format!("in classes smaller than {t}"), share(n)));
    }
    let g = &risk.generalised;
    let generalised = if g.is_empty() {
        "nothing".to_string()
    } else {
        let mut parts = Vec::new();
        if g.exact_age_removed > 0 {
            parts.push(format!("exact age removed for {}", g.exact_age_removed));
        }
        if !g.widened_bands.is_empty() {
            parts.push(format!(
                "widened bands: {}",
                g.widened_bands.iter().map(|b| format!("{} ({})", b.band, b.records)).collect::<Vec<_>>().join(", ")
            ));
        }
        if g.city_other > 0 {
            parts.push(format!("city → (other) for {}", g.city_other));
        }
        if g.country_other > 0 {
            parts.push(format!("country → (other) for {}", g.country_other));
        }
        parts.join("; ")
    };
    rows.push(("generalised by load --min-k".to_string(), generalised));
    Some(RiskSummary { title: "Re-identification risk".to_string(), rows })
}

/// Thousands separators for counts in prose and tables.
fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "–".to_string(), T::to_string)
}

fn name(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(unknown)".into())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analytics::*;

    pub fn sample() -> Report {
        Report {
            users: 1234,
            as_of: "2026-11-25T00:00:00Z".into(),
            registration: Registration { avg_days: Some(3788.3), avg_years: Some(10.37) },
            gender: vec![
                GenderCount { gender: Some("female".into()), users: 700 },
                GenderCount { gender: Some("male".into()), users: 534 },
            ],
            age: AgeSummary { min: Some(20), max: Some(82), avg: Some(51.2), median: Some(50.0) },
            age_bands: vec![
                AgeBandCount { band: "20-29".into(), female: 100, male: 90, users: 190 },
                AgeBandCount { band: "30-39".into(), female: 600, male: 444, users: 1044 },
            ],
            top_countries: vec![CountryCount { country: Some("Côte d'Ivoire <&>".into()), users: 9 }],
            top_locations: vec![LocationCount {
                country: Some("Norway".into()),
                city: Some("Ål | x".into()),
                users: 2,
            }],
            risk: crate::analytics::risk::RiskReport {
                quasi_identifiers: vec!["gender".into(), "age_band".into()],
                records: 1234,
                classes: 4,
                k: Some(100),
                smallest_classes: 1,
                unique_share: Some(0.0),
                below: crate::analytics::risk::Below { k2: 0, k5: 0, k10: 0 },
                generalised: crate::analytics::risk::Generalised {
                    exact_age_removed: 0,
                    widened_bands: vec![],
                    city_other: 0,
                    country_other: 0,
                },
            },
        }
    }

    pub fn page(report: &Report) -> Page<'_> {
        Page {
            report,
            run_ids: vec!["20261125T000000Z-abc123".into()],
            tenure: vec![
                TenureCount { years: 3, users: 1000 },
                TenureCount { years: 4, users: 0 },
                TenureCount { years: 5, users: 234 },
            ],
            risk: None,
        }
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234), "1,234");
        assert_eq!(count(-1234567), "-1,234,567");
    }
}
