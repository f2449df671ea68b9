//! The report as a page people can read and share: a self-contained HTML file with charts
//! (inline SVG, inline CSS, no scripts, fonts or images — it works offline and by e-mail), or
//! Markdown tables for pasting into tickets.
//!
//! The numbers are the [`Report`] that `report::compute` produced, plus what a page needs on top:
//! the runs that hold the data and the registration tenure histogram (`sql/analytics/q1_tenure.sql`).
//! Both renderings open each question with its one-sentence answer and show every count the way
//! the report publishes it ([`Report::cell`]).

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

/// Everything a page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<'a> {
    pub report: &'a Report,
    pub run_ids: Vec<String>,
    pub tenure: Vec<TenureCount>,
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
        Ok(Self { report, run_ids, tenure })
    }

    pub fn html(&self) -> anyhow::Result<String> {
        html::render(self)
    }

    pub fn markdown(&self) -> String {
        markdown::render(self)
    }
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
            leaders: Leaders {
                country: Some(Leader { users: 9, tied: 1 }),
                location: Some(Leader { users: 2, tied: 1 }),
            },
            answers: answers::Answers::default(),
            min_cell: None,
            withheld: None,
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
        }
    }
}
