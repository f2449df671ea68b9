//! `duckpipe risk`: the re-identification risk of the stored data.

use super::args::{Format, RiskArgs};
use super::output::{print_json, print_text};
use super::settings::{self, Env};
use crate::analytics::risk;
use crate::lake::{self, integrity, users_view};

pub fn run(args: RiskArgs, env: &Env) -> anyhow::Result<()> {
    let qi = settings::quasi_identifiers(&args.qi);
    let dest = settings::dest(&args.dest, env)?;
    let parquet = settings::parquet_key(env)?;
    let engine = lake::open(&dest.value, &parquet, None, false)?;
    let records = integrity::records(&engine, &dest.value)?;
    if records.is_empty() {
        return Err(settings::no_runs(&dest).into());
    }
    users_view::open_users_view_of(&engine, &dest.value, &records)?;
    let risk = risk::compute(&engine, &qi)?;
    match args.format {
        Format::Json => print_json(&risk),
        Format::Text => print_text(&risk::render_text(&risk)),
    }
}
