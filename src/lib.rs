//! duckpipe: randomuser.me users → de-identified, flat, encrypted Parquet on S3/MinIO.
//!
//! The data's path is the module layout:
//! `sources` (api, file, synthetic) → `load` drives `engine` (DuckDB running `sql/`: stage →
//! flatten → validate → mask with the Rust `masking` functions → export) → `store` (S3 or local
//! directory) → `runs` (the run record, written last: the lake's commit log) → `report` (the
//! analytics SQL over recorded runs only). `keys` and `config` hold the secrets and settings; `cli` and
//! `app` are the command line.

pub mod app;
pub mod bucket;
pub mod cli;
pub mod config;
pub mod decimal;
pub mod engine;
pub mod error;
pub mod export;
pub mod keys;
pub mod load;
pub mod masking;
pub mod privacy;
pub mod progress;
pub mod report;
pub mod report_page;
pub mod runs;
pub mod sources;
pub mod sql_shell;
pub mod staging;
pub mod store;
pub mod timefmt;
