//! `duckpipe report`: the answers over every complete run at the destination.

use time::OffsetDateTime;

use super::args::{ReportArgs, ReportFormat};
use super::{output, settings};
use crate::analytics::{self, Report, page::Page};
use crate::engine::Engine;
use crate::lake::{self, Destination, RunRecord, integrity, users_view, verify};

pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let dest = args.dest.dest;
    let as_of = settings::as_of(args.as_of);
    let parquet = settings::parquet_key()?;
    let engine = lake::open(&dest, &parquet, None, false)?;
    let records = integrity::records(&engine, &dest)?;
    let report = compute(&engine, &dest, &records, as_of, args.report.top)?;
    let text = match args.report.format {
        ReportFormat::Json => format!("{}\n", serde_json::to_string(&report)?),
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
) -> anyhow::Result<Report> {
    users_view::open_users_view_of(engine, dest, records)?;
    analytics::compute(engine, as_of, top).map_err(|e| verify::name_damaged_object(engine, dest, records, e))
}
