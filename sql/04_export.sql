-- Step 4 — export.
-- Input:  masked_users (step 3); a Parquet key registered under the name 'duckpipe'
--         (PRAGMA add_parquet_key) and, for s3:// targets, an S3 secret.
-- Output: encrypted Parquet objects (Parquet Modular Encryption, AES-GCM, footer and columns) in
--         the run's folder {{run_dir}} = <dest>/users/<run_id>, which duckpipe fills in as a
--         quoted literal (COPY takes no expression there), named {{filename_pattern}}:
--         part-<attempt>-0.parquet, part-<attempt>-1.parquet, ... The attempt token (fresh per
--         load) keeps a retried run id from ever mixing its files with those of a crashed attempt.
-- A new object is started once the current one reaches {{file_size_bytes}} (checked after each
-- row group of {{row_group_rows}} rows, so objects end up somewhat larger): big loads become
-- several objects that readers can fetch and scan in parallel, small loads stay one object.
-- Rows keep their order across parts (part-…-0 holds the first rows).
-- Writing needs the httpfs extension loaded (DuckDB's built-in crypto is read-only).
COPY masked_users
TO {{run_dir}}
(
    FORMAT parquet,
    COMPRESSION zstd,
    ENCRYPTION_CONFIG {footer_key: 'duckpipe'},
    ROW_GROUP_SIZE {{row_group_rows}},
    FILE_SIZE_BYTES {{file_size_bytes}},
    FILENAME_PATTERN {{filename_pattern}}
);
