-- Step 5 — quarantine.
-- Input:  rejected_users (step 3a), staged_users (step 3: holds the raw JSON of every user that
--         may be rejected); variables run_id, loaded_at; the Parquet
--         key 'duckpipe'.
-- Output: one encrypted Parquet object at {{output_path}}
--         (<dest>/quarantine/<run_id>/part-<attempt>-0.parquet), written only when step 3a
--         rejected someone. It holds each rejected record exactly as received (personal data,
--         hence encrypted like the data) with the reason, so that it can be inspected with the
--         key, fixed at the source and loaded again: nothing is silently lost.
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
(FORMAT parquet, COMPRESSION zstd, ENCRYPTION_CONFIG {footer_key: 'duckpipe'});
