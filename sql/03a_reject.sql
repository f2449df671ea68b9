-- Step 3a — reject, once the whole run is staged.
-- Input:  staged_users (step 3, every batch); variables required (VARCHAR[]: the fields this run
--         enforces — every field step 2 checks except those of a group that no user delivered,
--         chosen by duckpipe in load.rs, `validate`), run_id (VARCHAR), loaded_at (TIMESTAMPTZ).
-- Output: rejected_users(seq, reason) — the users that cannot be processed, by position in the
--         run, with every reason found, e.g. 'dob.date missing or not a date; location.city
--         missing'. They are written to the run's quarantine object (step 5), never dropped, and
--         never reach the data.
--         view masked_users — everyone else, in arrival order, with exactly the columns that
--         are exported (step 4).
-- Reasons name fields, never values: they end up in logs and run records.
CREATE OR REPLACE TABLE rejected_users AS
SELECT
    seq,
    reason
FROM (
    SELECT
        rowid AS seq,
        CASE
            WHEN NOT parsed THEN 'not a valid JSON object'
            ELSE array_to_string(
                list_transform(
                    list_filter(string_split(missing, ', '), f -> list_contains(getvariable('required'), f)),
                    f -> f || CASE WHEN f LIKE '%.date' THEN ' missing or not a date' ELSE ' missing' END
                ),
                '; '
            )
        END AS reason
    FROM staged_users
    WHERE NOT parsed OR missing <> ''
)
WHERE reason <> '';

CREATE OR REPLACE VIEW masked_users AS
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
FROM staged_users
-- The test of rejected_users above, row by row: a filter keeps the arrival order and needs no join.
WHERE parsed
  AND (missing = '' OR NOT list_has_any(string_split(missing, ', '), getvariable('required')));
