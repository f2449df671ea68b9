//! duckpipe: randomuser.me users → de-identified, flat, encrypted Parquet on S3/MinIO.
//!
//! The data's path is the module layout: `sources` → `engine` (DuckDB: flatten → mask → export,
//! with the `masking` functions registered in it) → `store` (object store or local directory) →
//! `report` (analytics SQL).

pub mod sources;
