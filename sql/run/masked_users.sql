-- masked_users — the users of the run that are written, with exactly the exported columns.
-- Input:  staged_users (stage/staged_users.sql); variables required (as in rejected_users.sql),
--         bad_type_layouts (kept_types.sql), run_id (VARCHAR), loaded_at (TIMESTAMPTZ).
-- Output: view masked_users, in arrival order: the nine masked columns, run_id and loaded_at.
-- Why:    the complement of rejected_users.sql, tested row by row: a filter keeps the arrival order
--         and needs no join.
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
WHERE parsed
  AND implausible = ''
  AND NOT list_contains(getvariable('bad_type_layouts'), layout)
  AND (missing = '' OR NOT list_has_any(string_split(missing, ', '), getvariable('required')));
