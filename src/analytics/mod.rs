//! The three answers, computed by the analytics SQL in `sql/analytics/` over the view `users`
//! (`lake::users_view`), the re-identification risk of the stored data (`risk`), and their
//! renderings: one-sentence answers (`answers`), text tables (`text`), JSON (a stable shape for
//! scripts, by serde: fields are added, never removed), and pages with charts (`page`).
//!
//! With small-cell protection (`report --min-cell N`) the places that fewer than N users share
//! and the youngest and oldest age are withheld here, before anything is rendered, and every
//! rendering shows the other counts below N as "< N" ([`Report::cell`]).

pub mod answers;
pub mod page;
pub mod risk;
pub mod tables;
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
    /// The largest country and (country, city) counts, and how many share them (`q3_leaders.sql`).
    pub leaders: Leaders,
    /// One sentence per question, the way every rendering opens its section.
    pub answers: answers::Answers,
    /// Small-cell protection: counts below this are shown as "< N" (absent without --min-cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_cell: Option<i64>,
    /// With --min-cell: how many places each list left out because fewer than N users share them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld: Option<Withheld>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Leaders {
    pub country: Option<Leader>,
    pub location: Option<Leader>,
}

/// The largest count of a list and how many entries have it (1 = no tie).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leader {
    pub users: i64,
    pub tied: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    pub top_countries: i64,
    pub top_locations: i64,
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
    /// `min 18, max 80, average 49.1, median 49.0`, with `missing` for a value there is none of.
    /// Every rendering of the report (text, HTML, Markdown) says it this way.
    pub fn describe(&self, missing: &str) -> String {
        let show = |v: Option<String>| v.unwrap_or_else(|| missing.to_string());
        format!(
            "min {}, max {}, average {}, median {}",
            show(self.min.map(|v| v.to_string())),
            show(self.max.map(|v| v.to_string())),
            show(self.avg.map(|v| crate::numbers::decimal(v, 1))),
            show(self.median.map(|v| crate::numbers::decimal(v, 1)))
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

/// Runs every analytics file over the view `users`; with `min_cell`, withholds what would
/// single people out (see the module doc).
pub fn compute(engine: &Engine, as_of: OffsetDateTime, top: u32, min_cell: Option<u32>) -> anyhow::Result<Report> {
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
    let mut leaders = Leaders::default();
    for (what, users, tied) in
        engine.rows(q("q3_leaders"), [], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?
    {
        let leader = Some(Leader { users, tied });
        match what.as_str() {
            "country" => leaders.country = leader,
            _ => leaders.location = leader,
        }
    }
    let risk = risk::compute(engine, &risk::DEFAULT_QI)?;
    let mut report = Report {
        users,
        as_of: timefmt::rfc3339(as_of),
        registration: Registration { avg_days, avg_years },
        gender,
        age,
        age_bands,
        top_countries,
        top_locations,
        risk,
        leaders,
        answers: answers::Answers::default(),
        min_cell: None,
        withheld: None,
    };
    if let Some(n) = min_cell {
        report.protect(i64::from(n));
    }
    report.answers = answers::Answers::of(&report);
    Ok(report)
}

/// A country, city or gender as shown: `(unknown)` for a missing value.
pub fn shown_name(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "(unknown)".into())
}

impl Report {
    /// Small-cell protection at `n`: lists lose the places fewer than `n` users share, leaders
    /// below `n` are withheld, and so are the youngest and the oldest age (each describes one
    /// person). The other counts stay, and renderings show those below `n` as "< n".
    fn protect(&mut self, n: i64) {
        let before = (self.top_countries.len(), self.top_locations.len());
        self.top_countries.retain(|c| c.users >= n);
        self.top_locations.retain(|l| l.users >= n);
        self.withheld = Some(Withheld {
            top_countries: (before.0 - self.top_countries.len()) as i64,
            top_locations: (before.1 - self.top_locations.len()) as i64,
        });
        for leader in [&mut self.leaders.country, &mut self.leaders.location] {
            if leader.is_some_and(|l| l.users < n) {
                *leader = None;
            }
        }
        self.age.min = None;
        self.age.max = None;
        self.min_cell = Some(n);
    }

    /// The age line ([`AgeSummary::describe`]); under --min-cell the youngest and oldest age
    /// say "withheld".
    pub fn describe_age(&self, missing: &str) -> String {
        self.age.describe(if self.min_cell.is_some() { "withheld" } else { missing })
    }

    /// Whether a count is below the small-cell threshold (0 reveals nobody and is shown).
    pub fn hides(&self, n: i64) -> bool {
        self.min_cell.is_some_and(|min| n > 0 && n < min)
    }

    /// A count as published: `1,234`, or `< 5` below the small-cell threshold.
    pub fn cell(&self, n: i64) -> String {
        match self.min_cell {
            Some(min) if self.hides(n) => format!("< {min}"),
            _ => crate::numbers::grouped(n),
        }
    }

    /// `part`'s share of all users as published: [`crate::numbers::share`], or `–` for a
    /// hidden count (its share would tell it).
    pub fn share(&self, part: i64) -> String {
        if self.hides(part) { "–".into() } else { crate::numbers::share(part, self.users) }
    }

    /// The JSON shape (one line): the fields of [`Report`], in their order; with --min-cell,
    /// counts below N are `null`.
    pub fn to_json(&self) -> String {
        if self.min_cell.is_none() {
            return serde_json::to_string(self).expect("a report serializes");
        }
        let mut value = serde_json::to_value(self).expect("a report serializes");
        let hide = |v: &mut serde_json::Value| {
            if v.as_i64().is_some_and(|n| self.hides(n)) {
                *v = serde_json::Value::Null;
            }
        };
        for g in value["gender"].as_array_mut().into_iter().flatten() {
            hide(&mut g["users"]);
        }
        for b in value["age_bands"].as_array_mut().into_iter().flatten() {
            for k in ["female", "male", "users"] {
                hide(&mut b[k]);
            }
        }
        value.to_string()
    }
}
