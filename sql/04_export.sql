-- Step 4 — export.
-- Input:  masked_users (step 3); a Parquet key registered under the name 'duckpipe'
--         (PRAGMA add_parquet_key) and, for s3:// targets, an S3 secret.
-- Output: one encrypted Parquet object (Parquet Modular Encryption, AES-GCM, footer and columns)
--         at {{output_path}}, which duckpipe fills in as a quoted literal (COPY takes no
--         expression there): <dest>/users/<run_id>/part-<attempt>-0.parquet. The attempt token keeps a
--         retried run id from ever mixing its files with those of a crashed attempt.
-- Writing needs the httpfs extension loaded (DuckDB's built-in crypto is read-only).
COPY masked_users
TO {{output_path}}
(FORMAT parquet, COMPRESSION zstd, ENCRYPTION_CONFIG {footer_key: 'duckpipe'});
