//! `duckpipe risk`: the re-identification risk of the stored data.

use super::args::{Format, RiskArgs};
use super::output::{print_json, print_text};
use super::settings;
use crate::analytics::risk;
use crate::lake::{self, users_view};

pub fn run(args: RiskArgs) -> anyhow::Result<()> {
    let qi = settings::quasi_identifiers(&args.qi);
    let dest = args.dest.dest;
    let parquet = settings::parquet_key()?;
    let engine = lake::open(&dest, &parquet, None, false)?;
    users_view::open_users_view(&engine, &dest)?;
    let risk = risk::compute(&engine, &qi)?;
    match args.format {
        Format::Json => print_json(&risk),
        Format::Text => print_text(&risk::render_text(&risk)),
    }
}
