//! duckpipe: randomuser.me users → de-identified, flat, encrypted Parquet on S3/MinIO.
//!
//! The layers, top to bottom (a module imports only from layers below it; docs/architecture.md):
//!
//! - [`cli`]: the command line — flags, settings resolved once, one module per command, output.
//! - [`pipeline`]: one load, step by step in the order it runs: source → stage → check → reject
//!   → generalize → export → commit. [`analytics`]: the answers over what the lake holds.
//! - [`lake`]: everything about a destination — paths, S3, run records (the commit log),
//!   objects, verification, the `users` view. [`engine`]: the embedded DuckDB, the Rust functions
//!   registered in it and the SQL registry (`sql/`).
//! - Leaves: [`keys`], [`error`], [`schema`] (the facts about a user record and the output),
//!   [`masking`] and [`shape`] (pure functions DuckDB calls), [`calendar`], [`timefmt`],
//!   [`decimal`], [`numbers`] (how numbers are written for people), [`progress`], [`interrupt`]
//!   (Ctrl-C and SIGTERM), [`terminal`] (what may reach a terminal).

pub mod analytics;
pub mod calendar;
pub mod cli;
pub mod decimal;
pub mod engine;
pub mod error;
pub mod interrupt;
pub mod keys;
pub mod lake;
pub mod masking;
pub mod numbers;
pub mod pipeline;
pub mod progress;
pub mod schema;
pub mod shape;
pub mod terminal;
pub mod timefmt;
