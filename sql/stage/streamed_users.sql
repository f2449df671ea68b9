-- streamed_users — the clean users of a streamed load, with exactly the exported columns.
-- Input:  masked_rows (masked_rows.sql) over raw_users read from a file (raw_users_from_file.sql);
--         the Rust function set_aside() (src/engine/functions/aside.rs); variables
--         run_id (VARCHAR), loaded_at (TIMESTAMPTZ).
-- Output: view streamed_users, in arrival order: the nine masked columns, run_id and loaded_at
--         of every clean user (parsed, every field there, plausible, the reference shape). Each
--         other record is noted by set_aside() (a hash of its text; a record without text is
--         only counted) and is not in the view.
-- Why:    a clean user is written whatever the rest of the run holds, so it can go straight into
--         the export (write/users.sql) while DuckDB reads the file: one pass, nothing staged.
--         Whether the others are written, and the run at all, is decided once the file is read:
--         a second pass finds those set aside again, with their positions, and stages them for
--         the run-level steps (append_set_aside.sql, src/pipeline/stream.rs). The columns are those of run/masked_users.sql, in the same order
--         (tests/sql_steps.rs checks it). The filter is on a volatile function's result, computed
--         in the projection below it: a plain filter would be pushed down into masked_rows and
--         compute its checks twice (measured: +70 % CPU).
CREATE OR REPLACE VIEW streamed_users AS
SELECT
    user_id,
    email_pseudonym,
    gender,
    age,
    age_band,
    registered_date,
    country,
    city,
    nat,
    CAST(getvariable('run_id') AS VARCHAR)        AS run_id,
    CAST(getvariable('loaded_at') AS TIMESTAMPTZ) AS loaded_at
FROM (
    SELECT
        *,
        set_aside(parsed AND doc IS NULL, doc) AS clean
    FROM masked_rows
)
WHERE clean;
