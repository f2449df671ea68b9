-- Step 3 — mask.
-- Input:  flat_users (step 1) minus rejected_users (step 2); variables run_id (VARCHAR),
--         as_of (TIMESTAMP, UTC: the reference time for ages), loaded_at (TIMESTAMPTZ).
-- Output: masked_users — the only table that is ever exported.
-- This projection is an allow-list: a column that is not named here never reaches the output,
-- so a field the API adds cannot leak by default. Direct identifiers become keyed HMAC
-- pseudonyms (pseudonym() is Rust, keyed by DUCKPIPE_HMAC_KEY); the exact birth date becomes a
-- completed-years age and a ten-year band; the registration time keeps only its date.
-- Dropped on purpose: names, e-mail, phone, cell, street, coordinates, postcode, state,
-- timezone, every login field, id, picture URLs, the exact birth date.
CREATE OR REPLACE TABLE masked_users AS
WITH aged AS (
    SELECT
        *,
        age_years(dob_at, getvariable('as_of')) AS age
    FROM flat_users
    ANTI JOIN rejected_users USING (seq)
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
    CAST(getvariable('run_id') AS VARCHAR)        AS run_id,
    CAST(getvariable('loaded_at') AS TIMESTAMPTZ) AS loaded_at
FROM aged
ORDER BY seq;
