//! `duckpipe report`: the answers over every complete run at the destination.

use time::OffsetDateTime;

use super::args::{ReportArgs, ReportFormat};
use super::output;
use super::settings::{self, Env};
use crate::analytics::{self, Report, page::Page};
use crate::engine::Engine;
use crate::lake::{self, Destination, RunRecord, integrity, users_view, verify};

pub fn run(args: ReportArgs, env: &Env) -> anyhow::Result<()> {
    let dest = settings::dest(&args.dest, env)?;
    let as_of = settings::as_of(args.as_of);
    let parquet = settings::parquet_key(env)?;
    let engine = lake::open(&dest.value, &parquet, None, false)?;
    let records = integrity::records(&engine, &dest.value)?;
    if records.is_empty() {
        return Err(settings::no_runs(&dest).into());
    }
    let report = compute(&engine, &dest.value, &records, as_of, args.report.top, args.min_cell)?;
    let text = match args.report.format {
        ReportFormat::Json => format!("{}\n", report.to_json()),
        ReportFormat::Text => analytics::text::render_text(&report),
        ReportFormat::Html => Page::gather(&engine, &report)?.html()?,
        ReportFormat::Md => Page::gather(&engine, &report)?.markdown(),
    };
    output::emit(&text, args.out.as_deref())
}

/// The answers over `records`; a failed read names the damaged object if there is one.
pub(super) fn compute(
    engine: &Engine,
    dest: &Destination,
    records: &[RunRecord],
    as_of: OffsetDateTime,
    top: u32,
    min_cell: Option<u32>,
) -> anyhow::Result<Report> {
    users_view::open_users_view_of(engine, dest, records)?;
    users_view::read_once(engine, dest, records)?;
    analytics::compute(engine, as_of, top, min_cell).map_err(|e| verify::name_damaged_object(engine, dest, records, e))
}
