-- generalized_users — k-anonymity on request (load --min-k K): the users that are written.
-- Input:  kanon_rows (kanon_rows.sql); variable min_k (INTEGER, at least 2).
-- Output: table generalized_users, with the columns of masked_users, in arrival order: no
--         suppressed row, no exact age, and each age band as wide as its place needs.
-- Why:    each remaining (gender, country, city) group gets the narrowest band width — 10 years
--         (unchanged), 20 ("20-39"), 40 ("40-79") or "all ages" — at which every band in the group
--         holds at least K rows. "all ages" always works, because the group itself holds at least
--         K rows once kanon_rows.sql has placed it.
CREATE OR REPLACE TABLE generalized_users AS
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
),
banded AS (
    SELECT
        pos, user_id, email_pseudonym, gender,
        CASE
            WHEN age IS NULL OR width = 10 THEN age_band
            WHEN width IS NULL THEN 'all ages'
            ELSE CAST(age // width * width AS VARCHAR) || '-' || CAST(age // width * width + width - 1 AS VARCHAR)
        END AS age_band,
        registered_date, country, city, nat, run_id, loaded_at
    FROM chosen
)
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
FROM banded
ORDER BY pos;
