//! The three answers, computed by the analytics SQL in `sql/analytics/` over the view `users`
//! (`lake::users_view`), the re-identification risk of the stored data (`risk`), and their
//! renderings: text tables (`text`), JSON (a stable shape for scripts, by serde), and pages with
//! charts (`page`).

pub mod page;
pub mod risk;
pub mod text;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::engine::{Engine, sql};
use crate::timefmt;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub users: i64,
    pub as_of: String,
    pub registration: Registration,
    pub gender: Vec<GenderCount>,
    pub age: AgeSummary,
    pub age_bands: Vec<AgeBandCount>,
    pub top_countries: Vec<CountryCount>,
    pub top_locations: Vec<LocationCount>,
    /// Re-identification risk over the default quasi-identifiers (`duckpipe risk` for others).
    pub risk: risk::RiskReport,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub avg_days: Option<f64>,
    pub avg_years: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenderCount {
    pub gender: Option<String>,
    pub users: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeSummary {
    pub min: Option<i32>,
    pub max: Option<i32>,
    pub avg: Option<f64>,
    pub median: Option<f64>,
}

impl AgeSummary {
    /// `min 18, max 80, average 49.1, median 49`, with `missing` for a value there is none of.
    /// Every rendering of the report (text, HTML, Markdown) says it this way.
    pub fn describe(&self, missing: &str) -> String {
        let show = |v: Option<String>| v.unwrap_or_else(|| missing.to_string());
        format!(
            "min {}, max {}, average {}, median {}",
            show(self.min.map(|v| v.to_string())),
            show(self.max.map(|v| v.to_string())),
            show(self.avg.map(|v| v.to_string())),
            show(self.median.map(|v| v.to_string()))
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeBandCount {
    pub band: String,
    pub female: i64,
    pub male: i64,
    pub users: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryCount {
    pub country: Option<String>,
    pub users: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationCount {
    pub country: Option<String>,
    pub city: Option<String>,
    pub users: i64,
}

/// Runs every analytics file over the view `users`.
pub fn compute(engine: &Engine, as_of: OffsetDateTime, top: u32) -> anyhow::Result<Report> {
    engine.set_timestamp("as_of", as_of)?;
    engine.set_int("top_n", top.into())?;
    let q = sql::analytics;

    let (users, avg_days, avg_years) =
        engine.one(q("q1_registration"), [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let gender = engine.rows(q("q2_gender"), [], |r| Ok(GenderCount { gender: r.get(0)?, users: r.get(1)? }))?;
    let age = engine.one(q("q2_age"), [], |r| {
        Ok(AgeSummary { min: r.get(0)?, max: r.get(1)?, avg: r.get(2)?, median: r.get(3)? })
    })?;
    let age_bands = engine.rows(q("q2_age_bands"), [], |r| {
        Ok(AgeBandCount { band: r.get(0)?, female: r.get(1)?, male: r.get(2)?, users: r.get(3)? })
    })?;
    let top_countries =
        engine.rows(q("q3_top_countries"), [], |r| Ok(CountryCount { country: r.get(0)?, users: r.get(1)? }))?;
    let top_locations = engine.rows(q("q3_top_locations"), [], |r| {
        Ok(LocationCount { country: r.get(0)?, city: r.get(1)?, users: r.get(2)? })
    })?;
    let risk = risk::compute(engine, &risk::DEFAULT_QI)?;
    Ok(Report {
        users,
        as_of: timefmt::rfc3339(as_of),
        registration: Registration { avg_days, avg_years },
        gender,
        age,
        age_bands,
        top_countries,
        top_locations,
        risk,
    })
}
