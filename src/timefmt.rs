//! Time values in the three spellings duckpipe needs: RFC 3339 for people and JSON, DuckDB
//! literals for SQL variables, and compact run-id stamps.

use time::{OffsetDateTime, UtcOffset, format_description::well_known::Rfc3339, macros::format_description};

/// Parses an RFC 3339 time (`2026-11-25T00:00:00Z`, `2026-11-25T01:00:00+01:00`) into UTC.
pub fn parse_rfc3339(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map(|t| t.to_offset(UtcOffset::UTC))
        .map_err(|_| format!("{text:?} is not an RFC 3339 time (e.g. 2026-11-25T00:00:00Z)"))
}

/// A reference time as flags take it: RFC 3339, or a date alone (`2026-11-25`, midnight UTC).
pub fn parse_as_of(text: &str) -> Result<OffsetDateTime, String> {
    let date = format_description!("[year]-[month]-[day]");
    match time::Date::parse(text.trim(), &date) {
        Ok(day) => Ok(day.midnight().assume_utc()),
        Err(_) => parse_rfc3339(text).map_err(|_| {
            format!("{text:?} is not a date or an RFC 3339 time (e.g. 2026-11-25 or 2026-11-25T00:00:00Z)")
        }),
    }
}

/// `2026-11-25T00:00:00Z` (fractions of a second only when present).
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC).format(&Rfc3339).expect("a UTC time formats as RFC 3339")
}

/// A DuckDB TIMESTAMP literal (UTC wall clock, microseconds).
pub fn sql_timestamp(t: OffsetDateTime) -> String {
    let f = format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]");
    format!("TIMESTAMP '{}'", t.to_offset(UtcOffset::UTC).format(&f).expect("formats"))
}

/// A DuckDB TIMESTAMPTZ literal in UTC.
pub fn sql_timestamptz(t: OffsetDateTime) -> String {
    let f = format_description!("[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:6]+00");
    format!("TIMESTAMPTZ '{}'", t.to_offset(UtcOffset::UTC).format(&f).expect("formats"))
}

/// `20261125T221500Z`, for run ids.
pub fn compact(t: OffsetDateTime) -> String {
    let f = format_description!("[year][month][day]T[hour][minute][second]Z");
    t.to_offset(UtcOffset::UTC).format(&f).expect("formats")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let t = parse_rfc3339("2026-11-25T01:30:00+01:00").unwrap();
        assert_eq!(rfc3339(t), "2026-11-25T00:30:00Z");
        assert_eq!(sql_timestamp(t), "TIMESTAMP '2026-11-25 00:30:00.000000'");
        assert_eq!(compact(t), "20261125T003000Z");
        assert!(parse_rfc3339("yesterday").unwrap_err().contains("RFC 3339"));
        assert_eq!(rfc3339(parse_as_of("2026-11-25").unwrap()), "2026-11-25T00:00:00Z");
        assert_eq!(rfc3339(parse_as_of("2026-11-25T01:30:00+01:00").unwrap()), "2026-11-25T00:30:00Z");
        assert!(parse_as_of("25/11/2026").unwrap_err().contains("2026-11-25"));
    }
}
