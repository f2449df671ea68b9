//! duckpipe: randomuser.me users → de-identified, flat, encrypted Parquet on S3/MinIO.
//!
//! The data's path is the module layout:
//! `sources` (api, file, synthetic) → `load` drives `engine` (DuckDB running `sql/`: stage →
//! flatten → mask with the Rust `masking` functions → export) → `store` (S3 or local directory)
//! → `report` (the analytics SQL). `keys` and `config` hold the secrets and settings; `cli` and
//! `app` are the command line.

pub mod app;
pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod export;
pub mod keys;
pub mod load;
pub mod masking;
pub mod report;
pub mod sources;
pub mod staging;
pub mod store;
pub mod timefmt;
