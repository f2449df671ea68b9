//! The three answers, computed by the analytics SQL in `sql/analytics/` over the stored,
//! encrypted data, and rendered as text tables or as JSON (a stable shape for scripts).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::engine::{Engine, EngineError, PARQUET_KEY_NAME, sanitize, sql};
use crate::runs::{self, RunRecord};
use crate::store::Destination;
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
    pub risk: crate::privacy::risk::RiskReport,
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

/// Defines the view `users` over the data of every complete run at `dest` — only objects named
/// by a run record, never a glob — decrypting with the registered key, and returns those runs.
///
/// Before any data is read it checks that the runs were written with this Parquet key (by
/// fingerprint: a clear "wrong key" instead of a decryption error) and that every object still
/// has the size its record states (a truncated or replaced object is named).
pub fn open_users_view(engine: &Engine, dest: &Destination) -> anyhow::Result<Vec<RunRecord>> {
    let records = runs::list(engine, dest)?;
    open_users_view_of(engine, dest, &records)?;
    Ok(records)
}

/// [`open_users_view`] over records the caller has already read (a load that just listed them
/// and added its own), so they are not fetched again.
pub fn open_users_view_of(engine: &Engine, dest: &Destination, records: &[RunRecord]) -> anyhow::Result<()> {
    if records.is_empty() {
        return Err(EngineError(format!("no complete runs at {dest} (run `duckpipe load` first)")).into());
    }
    runs::check_key(engine, records)?;
    let files: Vec<(String, u64)> =
        records.iter().flat_map(|r| r.data_objects(dest).map(|(path, o)| (path, o.bytes))).collect();
    for (file, bytes) in &files {
        runs::check_size(engine, file, *bytes).map_err(|problem| EngineError(format!("object {file} {problem}")))?;
    }
    let list: Vec<String> = files.iter().map(|(f, _)| sql::quote(f)).collect();
    // Not union_by_name: DuckDB 1.5.5 fails with an internal error when it is combined with
    // encryption_config in a view. Every run so far has the same schema (recorded per run).
    let statement = format!(
        "CREATE OR REPLACE VIEW users AS SELECT * FROM read_parquet([{}], encryption_config = {{footer_key: {}}});",
        list.join(", "),
        sql::quote(PARQUET_KEY_NAME)
    );
    engine.execute_batch(&statement).map_err(|e| name_damaged_object(engine, dest, records, e))?;
    Ok(())
}

/// After a failed read over the view: finds the first data object whose content does not
/// decrypt and authenticate and names it in the error.
pub fn name_damaged_object(
    engine: &Engine,
    dest: &Destination,
    records: &[RunRecord],
    err: anyhow::Error,
) -> anyhow::Error {
    if !err.chain().any(|c| c.is::<EngineError>()) {
        return err;
    }
    tracing::debug!(error = %format!("{err:#}"), "reading the data failed; checking each object");
    for (file, _) in records.iter().flat_map(|r| r.data_objects(dest)) {
        if let Err(problem) = verify_object(engine, &file) {
            return EngineError(format!(
                "object {file} is damaged or was altered ({problem}); the other objects are intact"
            ))
            .into();
        }
    }
    err
}

/// Reads every column of every row group of one encrypted object, so that AES-GCM checks
/// every page. Queries only read the columns they need, so only this finds damage in the others.
pub fn verify_object(engine: &Engine, file: &str) -> Result<(), String> {
    let probe = format!(
        "SELECT bit_xor(hash(COLUMNS(*))) FROM read_parquet({}, encryption_config = {{footer_key: {}}})",
        sql::quote(file),
        sql::quote(PARQUET_KEY_NAME)
    );
    engine.conn().execute_batch(&probe).map_err(|e| sanitize(&e.to_string()))
}

/// Runs every analytics file over the view `users`.
pub fn compute(engine: &Engine, as_of: OffsetDateTime, top: u32) -> anyhow::Result<Report> {
    engine.set_variable("as_of", &timefmt::sql_timestamp(as_of))?;
    engine.set_variable("top_n", &top.to_string())?;
    let conn = engine.conn();
    let err = |e: duckdb::Error| -> anyhow::Error { EngineError(sanitize(&e.to_string())).into() };
    let rows =
        |name: &str| -> anyhow::Result<duckdb::Statement<'_>> { conn.prepare(sql::analytics(name)).map_err(err) };

    let (users, avg_days, avg_years) =
        rows("q1_registration")?.query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).map_err(err)?;
    let gender = rows("q2_gender")?
        .query_map([], |r| Ok(GenderCount { gender: r.get(0)?, users: r.get(1)? }))
        .and_then(Iterator::collect)
        .map_err(err)?;
    let age = rows("q2_age")?
        .query_row([], |r| Ok(AgeSummary { min: r.get(0)?, max: r.get(1)?, avg: r.get(2)?, median: r.get(3)? }))
        .map_err(err)?;
    let age_bands = rows("q2_age_bands")?
        .query_map([], |r| Ok(AgeBandCount { band: r.get(0)?, female: r.get(1)?, male: r.get(2)?, users: r.get(3)? }))
        .and_then(Iterator::collect)
        .map_err(err)?;
    let top_countries = rows("q3_top_countries")?
        .query_map([], |r| Ok(CountryCount { country: r.get(0)?, users: r.get(1)? }))
        .and_then(Iterator::collect)
        .map_err(err)?;
    let top_locations = rows("q3_top_locations")?
        .query_map([], |r| Ok(LocationCount { country: r.get(0)?, city: r.get(1)?, users: r.get(2)? }))
        .and_then(Iterator::collect)
        .map_err(err)?;
    let risk = crate::privacy::risk::compute(engine, &crate::privacy::risk::DEFAULT_QI)?;
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

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "-".to_string(), T::to_string)
}

/// A plain aligned table: the first `text_columns` columns left-aligned, the rest (numbers)
/// right-aligned.
pub fn table(headers: &[&str], text_columns: usize, rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| if i < text_columns { format!("{c:<w$}") } else { format!("{c:>w$}") })
            .collect();
        format!("  {}\n", parts.join("  ").trim_end())
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

/// The report as text for a terminal.
pub fn render_text(r: &Report) -> String {
    let mut out = format!("duckpipe report — {} users, as of {}\n\n", r.users, r.as_of);
    out.push_str("1. Time since registration\n");
    out.push_str(&format!(
        "  average: {} days ({} years)\n\n",
        opt(&r.registration.avg_days),
        opt(&r.registration.avg_years)
    ));
    out.push_str("2. Age and gender\n");
    out.push_str(&format!("  age: {}\n\n", r.age.describe("-")));
    let rows: Vec<Vec<String>> = r.gender.iter().map(|g| vec![opt(&g.gender), g.users.to_string()]).collect();
    out.push_str(&table(&["gender", "users"], 1, &rows));
    out.push('\n');
    let rows: Vec<Vec<String>> = r
        .age_bands
        .iter()
        .map(|b| vec![b.band.clone(), b.female.to_string(), b.male.to_string(), b.users.to_string()])
        .collect();
    out.push_str(&table(&["age band", "female", "male", "users"], 1, &rows));
    out.push_str("\n3. Where users come from\n");
    let rows: Vec<Vec<String>> = r.top_countries.iter().map(|c| vec![opt(&c.country), c.users.to_string()]).collect();
    out.push_str(&table(&["country", "users"], 1, &rows));
    out.push('\n');
    let rows: Vec<Vec<String>> =
        r.top_locations.iter().map(|l| vec![opt(&l.country), opt(&l.city), l.users.to_string()]).collect();
    out.push_str(&table(&["country", "city", "users"], 2, &rows));
    out.push_str("\n4. ");
    out.push_str(&crate::privacy::risk::render_text(&r.risk));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let t = table(&["country", "users"], 1, &[vec!["Denmark".into(), "9".into()], vec!["UK".into(), "10".into()]]);
        assert_eq!(t, "  country  users\n  -------  -----\n  Denmark      9\n  UK          10\n");
    }
}
