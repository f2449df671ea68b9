-- Step 3 — mask, per user.
-- Input:  checked_users (step 2), holding the run's first batch when this file runs; variable
--         as_of (TIMESTAMP, UTC: the reference time for ages).
-- Output: view masked_rows, table staged_users, temp table layout_first and variable
--         first_layout (the first user's shape); staged_users which holds one row of masked_rows per
--         received user: a load appends each batch in arrival order (INSERT … SELECT * FROM
--         masked_rows), so a user's rowid in staged_users is its position in the run (`seq`).
--         This is the only table that grows with the input, and it is narrow.
-- The first nine columns are an allow-list: a column that is not named here never reaches the
-- output, so a field the API adds cannot leak by default. Direct identifiers become keyed HMAC
-- pseudonyms (pseudonym() is Rust, keyed by DUCKPIPE_HMAC_KEY); the exact birth date becomes a
-- completed-years age and a ten-year band; the registration time keeps only its date.
-- Dropped on purpose: names, e-mail, phone, cell, street, coordinates, postcode, state,
-- timezone, every login field, id, picture URLs, the exact birth date.
-- The other columns are bookkeeping for the run-level steps and are never exported (step 3a's
-- masked_users names what is): `doc`, the raw JSON, is kept only for the users that need it
-- later — those that may go to quarantine (not parsed, or a field missing) and those whose shape
-- (json_layout(), src/privacy/layout.rs: keys and kinds of values, never values) differs from
-- the first user's, which the unknown-field check reads (sql/checks/unknown_fields.sql). In a
-- normal run that is nobody, and the raw JSON is gone with its batch.
-- The first user with a shape: the users of the run are compared with it (see `doc` below).
CREATE OR REPLACE TEMP TABLE layout_first AS
SELECT
    doc,
    layout
FROM (SELECT doc, json_layout(doc) AS layout FROM raw_users)
WHERE layout IS NOT NULL
LIMIT 1;

SET VARIABLE first_layout = (SELECT layout FROM layout_first);

CREATE OR REPLACE VIEW masked_rows AS
WITH aged AS (
    SELECT
        *,
        age_years(dob_at, getvariable('as_of')) AS age,
        json_layout(doc)                         AS layout
    FROM checked_users
)
SELECT
    pseudonym(login_uuid)               AS user_id,
    pseudonym(lower(trim(email)))       AS email_pseudonym,
    gender,
    age,
    age_band(age)                       AS age_band,
    CAST(registered_at AS DATE)         AS registered_date,
    country,
    city,
    nat,
    parsed,
    missing,
    layout,
    CASE
        WHEN NOT parsed
          OR missing <> ''
          OR coalesce(layout <> getvariable('first_layout'), true)
        THEN doc
    END                                 AS doc
FROM aged;

CREATE OR REPLACE TABLE staged_users AS
FROM masked_rows
WITH NO DATA;
