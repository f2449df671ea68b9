-- users objects — the run's data as encrypted Parquet.
-- Input:  {{relation}}: masked_users (run/masked_users.sql) or, with --min-k,
--         generalized_users (run/generalized_users.sql); the Parquet key registered as {{key_name}}
--         and, for s3:// targets, an S3 secret.
-- Output: objects {{filename_pattern}} (part-<attempt>-0.parquet, part-<attempt>-1.parquet, …) in
--         the run's folder {{run_dir}} = <dest>/users/<run_id>: Parquet Modular Encryption,
--         AES-GCM, footer and columns. Rows keep their order across parts. One row: the rows
--         written and the list of objects.
-- Why:    the attempt token (fresh per load) keeps a retried run id from mixing its files with
--         those of a crashed attempt; OVERWRITE_OR_IGNORE lets it write into a folder such an
--         attempt left objects in (its names never collide with theirs), and RETURN_FILES names
--         exactly the objects this attempt wrote, with no listing. A new object starts once the
--         current one reaches {{file_size_bytes}} (checked after each row group of
--         {{row_group_rows}} rows), so big loads become several objects that readers fetch and
--         scan in parallel. COPY takes no expression for its target, so duckpipe fills in quoted
--         literals. Writing needs httpfs loaded (DuckDB's built-in crypto is read-only).
COPY {{relation}}
TO {{run_dir}}
(
    FORMAT parquet,
    COMPRESSION zstd,
    ENCRYPTION_CONFIG {footer_key: {{key_name}}},
    ROW_GROUP_SIZE {{row_group_rows}},
    FILE_SIZE_BYTES {{file_size_bytes}},
    FILENAME_PATTERN {{filename_pattern}},
    OVERWRITE_OR_IGNORE true,
    RETURN_FILES true
);
