-- Step 3b — k-anonymity on request (load --min-k K), between mask (step 3) and export (step 4).
-- Input:  masked_users (step 3a, a view); variable min_k (INTEGER, at least 2).
-- Output: masked_users replaced by a table so that every equivalence class over the quasi-identifiers
--         (gender, age_band, country, city) holds at least K rows; temp table kanon_rows keeps,
--         per row, whether it had to be suppressed (duckpipe counts them for the run summary).
--
-- Generalisation, in this order (docs/privacy.md, "k-anonymity on request"):
--   1. exact age → removed for every row (age NULL): it is finer than the band, so keeping it
--      would undo any guarantee on the band;
--   2. city → "(other)" within its country, for the rows whose (gender, country, city) group
--      has fewer than K rows — no age band can make such a group large enough;
--   3. country → "(other)" (and nat with it: nat names the country in randomuser data) for the
--      rows whose (gender, country, "(other)") group is still smaller than K;
--   4. suppression, only for rows whose (gender, "(other)", "(other)") group is still smaller
--      than K — the last resort, counted, never silent;
--   5. age bands: each remaining (gender, country, city) group gets the narrowest band width
--      — 10 years (unchanged), 20 ("20-39"), 40 ("40-79") or "all ages" — at which every
--      band in the group holds at least K rows. "all ages" always works because the group
--      itself holds at least K rows after steps 2-4.
-- Gender is never generalised, and registration dates are not touched, so the gender split and
-- the time since registration are unchanged unless rows had to be suppressed.
CREATE OR REPLACE TEMP TABLE kanon_rows AS
WITH input AS (
    SELECT row_number() OVER () AS pos, * FROM masked_users
),
city_level AS (
    SELECT
        *,
        CASE WHEN count(*) OVER (PARTITION BY gender, country, city) >= getvariable('min_k')
             THEN city ELSE '(other)' END AS city_1
    FROM input
),
country_level AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY gender, country, city_1) >= getvariable('min_k') AS country_ok
    FROM city_level
),
placed AS (
    SELECT
        * EXCLUDE (country, city, nat, city_1, country_ok),
        CASE WHEN country_ok THEN country ELSE '(other)' END AS country,
        CASE WHEN country_ok THEN city_1  ELSE '(other)' END AS city,
        CASE WHEN country_ok THEN nat     ELSE '(other)' END AS nat
    FROM country_level
)
SELECT
    *,
    count(*) OVER (PARTITION BY gender, country, city) < getvariable('min_k') AS suppressed
FROM placed;

CREATE OR REPLACE TEMP TABLE kanon_banded AS
WITH sized AS (
    -- Class sizes within each place at each band width (age // w = the band's slot).
    SELECT
        *,
        count(*) OVER (PARTITION BY gender, country, city, age // 10) AS n10,
        count(*) OVER (PARTITION BY gender, country, city, age // 20) AS n20,
        count(*) OVER (PARTITION BY gender, country, city, age // 40) AS n40
    FROM kanon_rows
    WHERE NOT suppressed
),
chosen AS (
    SELECT
        *,
        CASE WHEN min(n10) OVER place >= getvariable('min_k') THEN 10
             WHEN min(n20) OVER place >= getvariable('min_k') THEN 20
             WHEN min(n40) OVER place >= getvariable('min_k') THEN 40
        END AS width
    FROM sized
    WINDOW place AS (PARTITION BY gender, country, city)
)
SELECT
    pos, user_id, email_pseudonym, gender,
    CASE
        WHEN age IS NULL OR width = 10 THEN age_band
        WHEN width IS NULL THEN 'all ages'
        ELSE CAST(age // width * width AS VARCHAR) || '-' || CAST(age // width * width + width - 1 AS VARCHAR)
    END AS age_band,
    registered_date, country, city, nat, run_id, loaded_at
FROM chosen;

DROP VIEW masked_users;

CREATE TABLE masked_users AS
SELECT
    user_id,
    email_pseudonym,
    gender,
    CAST(NULL AS INTEGER) AS age,
    age_band,
    registered_date,
    country,
    city,
    nat,
    run_id,
    loaded_at
FROM kanon_banded
ORDER BY pos;

DROP TABLE kanon_banded;
