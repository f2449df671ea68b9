-- quarantine object — the rejected records of the run, as received, with their reasons.
-- Input:  rejected_users (run/rejected_users.sql), staged_users (stage/staged_users.sql: holds the
--         raw JSON of every user that may be rejected); variables run_id, loaded_at; the Parquet
--         key registered as {{key_name}}.
-- Output: one encrypted Parquet object at {{output_path}}
--         (<dest>/quarantine/<run_id>/part-<attempt>-0.parquet), written only when someone was
--         rejected.
-- Why:    nothing is silently lost: each rejected record can be inspected with the key, fixed at
--         the source and loaded again. It is personal data, hence encrypted like the data.
COPY (
    SELECT
        q.seq,
        q.reason,
        r.doc,
        CAST(getvariable('run_id') AS VARCHAR)        AS run_id,
        CAST(getvariable('loaded_at') AS TIMESTAMPTZ) AS loaded_at
    FROM rejected_users AS q
    JOIN staged_users AS r ON r.rowid = q.seq
    ORDER BY q.seq
)
TO {{output_path}}
(FORMAT parquet, COMPRESSION zstd, ENCRYPTION_CONFIG {footer_key: {{key_name}}});
