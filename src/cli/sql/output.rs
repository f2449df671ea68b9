//! Query results as aligned tables, CSV, JSON or `column = value` lines. On a terminal, tables
//! wider than it are cut to fit, with a line saying so.
//!
//! Values are formatted by Arrow's display formatter (DuckDB hands results over as Arrow), so
//! dates, timestamps, decimals and lists print the way DuckDB users expect.

use duckdb::arrow::array::{Array, ArrayRef};
use duckdb::arrow::datatypes::{DataType, SchemaRef};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::cli::args::SqlFormat;

/// One statement's result: column names and types, and every value as text (`None` = NULL).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ResultSet {
    pub columns: Vec<String>,
    pub kinds: Vec<Kind>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// How a column's values are written: numbers are right-aligned and bare in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Bool,
    Text,
}

/// TIMESTAMPTZ values arrive tagged with the session's zone name ("UTC"), which Arrow's
/// formatter cannot resolve without a zone database; the same instants are re-tagged with the
/// offset `+00:00` (no value changes), so they print in UTC, duckpipe's session zone.
fn utc_offset(array: &ArrayRef) -> Result<ArrayRef, duckdb::arrow::error::ArrowError> {
    match array.data_type() {
        DataType::Timestamp(unit, Some(tz)) if tz.as_ref() != "+00:00" => {
            duckdb::arrow::compute::cast(array, &DataType::Timestamp(*unit, Some("+00:00".into())))
        }
        _ => Ok(array.clone()),
    }
}

fn kind(t: &DataType) -> Kind {
    match t {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => Kind::Number,
        DataType::Boolean => Kind::Bool,
        _ => Kind::Text,
    }
}

impl ResultSet {
    pub fn from_arrow(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Self, duckdb::arrow::error::ArrowError> {
        let columns = schema.fields().iter().map(|f| f.name().clone()).collect();
        let kinds = schema.fields().iter().map(|f| kind(f.data_type())).collect();
        // Timestamps as DuckDB prints them (a space, not ISO's `T`).
        let options = FormatOptions::default()
            .with_timestamp_format(Some("%Y-%m-%d %H:%M:%S%.f"))
            .with_timestamp_tz_format(Some("%Y-%m-%d %H:%M:%S%.f%:z"));
        let mut rows = Vec::new();
        for batch in batches {
            let arrays: Vec<ArrayRef> = batch.columns().iter().map(utc_offset).collect::<Result<_, _>>()?;
            let formatters: Vec<(ArrayFormatter<'_>, &ArrayRef)> = arrays
                .iter()
                .map(|a| ArrayFormatter::try_new(a.as_ref(), &options).map(|f| (f, a)))
                .collect::<Result<_, _>>()?;
            for i in 0..batch.num_rows() {
                rows.push(
                    formatters
                        .iter()
                        .map(|(f, a)| if a.is_null(i) { None } else { Some(f.value(i).to_string()) })
                        .collect(),
                );
            }
        }
        Ok(Self { columns, kinds, rows })
    }

    pub fn render(&self, format: SqlFormat) -> String {
        self.render_fitted(format, None)
    }

    /// [`render`](Self::render), with tables cut to `width` characters when given (a terminal).
    pub fn render_fitted(&self, format: SqlFormat, width: Option<usize>) -> String {
        if self.columns.is_empty() || self.is_bare_success() {
            return String::new();
        }
        match format {
            SqlFormat::Table => self.table(width),
            SqlFormat::Csv => self.csv(),
            SqlFormat::Json => self.json(),
            SqlFormat::Line => self.lines(),
        }
    }

    /// Statements without a result (SET, CREATE VIEW …) come back as an empty `Success` column;
    /// like the DuckDB shell, print nothing for them.
    fn is_bare_success(&self) -> bool {
        self.rows.is_empty() && self.columns.len() == 1 && self.columns[0] == "Success"
    }

    /// An aligned table with a rule under the header and a row count; NULL shows as `NULL`.
    /// With `max_width`, a table wider than that is cut to fit: long text columns are shortened
    /// first (to no less than [`MIN_CUT`] characters, values ending in `…`), then the last
    /// columns are left out; a closing line says what was cut.
    fn table(&self, max_width: Option<usize>) -> String {
        // A value stays on its line and cannot drive the terminal.
        let cell = |v: &Option<String>| {
            v.as_deref().map_or_else(|| "NULL".into(), |v| crate::terminal::printable_cell(v).into_owned())
        };
        let columns: Vec<String> =
            self.columns.iter().map(|c| crate::terminal::printable_cell(c).into_owned()).collect();
        let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
        for row in &self.rows {
            for (w, v) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell(v).chars().count());
            }
        }
        let full = widths.clone();
        let shown = match max_width {
            Some(max) => fit(&mut widths, &self.kinds, max),
            None => widths.len(),
        };
        // Left-out columns are marked by one `…` column.
        let line = |cells: Vec<String>, marker: &str| -> String {
            let parts: Vec<String> = cells
                .iter()
                .take(shown)
                .zip(&widths)
                .zip(&self.kinds)
                .map(|((c, w), k)| {
                    let c = cut(c, *w);
                    if *k == Kind::Number { format!("{c:>w$}") } else { format!("{c:<w$}") }
                })
                .collect();
            let mut text = parts.join("  ");
            if shown < self.columns.len() {
                text.push_str("  ");
                text.push_str(marker);
            }
            format!("{}\n", text.trim_end())
        };
        let mut out = line(columns.clone(), "…");
        out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect(), "-"));
        for row in &self.rows {
            out.push_str(&line(row.iter().map(cell).collect(), "…"));
        }
        let n = self.rows.len();
        out.push_str(&format!("({} row{})\n", crate::numbers::grouped(n as i64), if n == 1 { "" } else { "s" }));
        let narrowed = widths.iter().zip(&full).take(shown).filter(|(w, f)| w < f).count();
        if shown < self.columns.len() || narrowed > 0 {
            let mut what = Vec::new();
            if shown < self.columns.len() {
                what.push(format!("{} of {} columns", shown, self.columns.len()));
            }
            if narrowed > 0 {
                what.push(format!("{narrowed} cut short"));
            }
            out.push_str(&format!("(cut to fit: {}; .mode line shows all)\n", what.join(", ")));
        }
        out
    }

    /// One `column = value` line per value, names right-aligned, a blank line between rows (the
    /// DuckDB shell's `.mode line`).
    fn lines(&self) -> String {
        let width = self.columns.iter().map(|c| c.chars().count()).max().unwrap_or(0);
        let mut out = String::new();
        for (i, row) in self.rows.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            for (c, v) in self.columns.iter().zip(row) {
                // A value stays on its line and cannot drive the terminal.
                let c = crate::terminal::printable_cell(c);
                let v = v.as_deref().map_or("NULL".into(), crate::terminal::printable_cell);
                out.push_str(&format!("{c:>width$} = {v}\n"));
            }
        }
        out
    }

    /// RFC 4180 CSV with a header; NULL is an empty field.
    fn csv(&self) -> String {
        let field = |v: &str| {
            if v.contains([',', '"', '\n', '\r']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v.to_string() }
        };
        let mut out = self.columns.iter().map(|c| field(c)).collect::<Vec<_>>().join(",");
        out.push('\n');
        for row in &self.rows {
            out.push_str(
                &row.iter().map(|v| v.as_deref().map(field).unwrap_or_default()).collect::<Vec<_>>().join(","),
            );
            out.push('\n');
        }
        out
    }

    /// One JSON array of row objects on one line; numbers and booleans bare, NULL as null. Keys
    /// keep the column order (written by hand: serde_json's map would sort them).
    fn json(&self) -> String {
        let keys: Vec<String> = self.columns.iter().map(|c| serde_json::Value::String(c.clone()).to_string()).collect();
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|row| {
                let fields: Vec<String> = keys
                    .iter()
                    .zip(&self.kinds)
                    .zip(row)
                    .map(|((key, kind), v)| format!("{key}:{}", json_value(*kind, v.as_deref())))
                    .collect();
                format!("{{{}}}", fields.join(","))
            })
            .collect();
        format!("[{}]\n", rows.join(","))
    }
}

/// Text columns are not cut below this many characters.
pub const MIN_CUT: usize = 12;

/// Shrinks `widths` until the table fits `max` characters (two between columns): the widest
/// text column loses a character at a time down to [`MIN_CUT`]; if that is not enough, the last
/// columns go (room is kept for the `…` that marks them). Returns how many columns are shown
/// (at least one).
fn fit(widths: &mut Vec<usize>, kinds: &[Kind], max: usize) -> usize {
    let total = |w: &[usize], extra: usize| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1) + extra;
    while total(widths, 0) > max {
        let widest =
            (0..widths.len()).filter(|i| kinds[*i] == Kind::Text && widths[*i] > MIN_CUT).max_by_key(|i| widths[*i]);
        match widest {
            Some(i) => widths[i] -= 1,
            None => break,
        }
    }
    if total(widths, 0) <= max {
        return widths.len();
    }
    while widths.len() > 1 && total(widths, 3) > max {
        widths.pop();
    }
    widths.len()
}

/// `text` in at most `width` characters, ending in `…` when cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

fn json_value(kind: Kind, v: Option<&str>) -> serde_json::Value {
    let Some(v) = v else { return serde_json::Value::Null };
    match kind {
        // Integers stay exact; other numbers go through f64 (NaN/inf become strings).
        Kind::Number => v
            .parse::<i64>()
            .map(serde_json::Value::from)
            .ok()
            .or_else(|| v.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(serde_json::Value::Number))
            .unwrap_or_else(|| serde_json::Value::String(v.to_string())),
        Kind::Bool => serde_json::Value::Bool(v == "true"),
        Kind::Text => serde_json::Value::String(v.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ResultSet {
        ResultSet {
            columns: vec!["country".into(), "users".into(), "share".into()],
            kinds: vec![Kind::Text, Kind::Number, Kind::Number],
            rows: vec![
                vec![Some("Denmark".into()), Some("9".into()), Some("0.5".into())],
                vec![Some("Côte, \"d\"".into()), Some("10".into()), None],
            ],
        }
    }

    #[test]
    fn renders_tables_csv_and_json() {
        assert_eq!(
            sample().render(SqlFormat::Table),
            "country    users  share\n---------  -----  -----\nDenmark        9    0.5\nCôte, \"d\"     10   NULL\n(2 rows)\n"
        );
        assert_eq!(sample().render(SqlFormat::Csv), "country,users,share\nDenmark,9,0.5\n\"Côte, \"\"d\"\"\",10,\n");
        let json: serde_json::Value = serde_json::from_str(&sample().render(SqlFormat::Json)).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"country": "Denmark", "users": 9, "share": 0.5}, {"country": "Côte, \"d\"", "users": 10, "share": null}])
        );
        assert!(
            sample().render(SqlFormat::Json).starts_with("[{\"country\":\"Denmark\",\"users\":9,"),
            "column order kept"
        );
        assert_eq!(ResultSet::default().render(SqlFormat::Table), "");
        assert_eq!(
            sample().render(SqlFormat::Line),
            "country = Denmark\n  users = 9\n  share = 0.5\n\ncountry = Côte, \"d\"\n  users = 10\n  share = NULL\n"
        );
    }

    #[test]
    fn wide_tables_are_cut_to_the_terminal_with_a_hint() {
        let wide = ResultSet {
            columns: (0..12).map(|i| format!("column_{i}")).collect(),
            kinds: vec![Kind::Text; 12],
            rows: vec![(0..12).map(|i| Some(format!("a fairly long value number {i}"))).collect()],
        };
        let text = wide.render_fitted(SqlFormat::Table, Some(80));
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        assert!(text.contains("5 of 12 columns") && text.contains(".mode line"), "{text}");
        assert!(text.contains("a fairly lo…"), "{text}");
        // A table that fits is left alone.
        assert_eq!(sample().render_fitted(SqlFormat::Table, Some(80)), sample().render(SqlFormat::Table));
    }
}
