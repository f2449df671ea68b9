-- kanon_rows — k-anonymity on request (load --min-k K), placement: every masked user with the
-- place it keeps and whether it must be suppressed.
-- Input:  masked_users (masked_users.sql); variables min_k (INTEGER, at least 2) and kept_cities
--         (INTEGER: how many of the largest cities may keep their name, src/pipeline/generalize.rs).
-- Output: temp table kanon_rows: masked_users with `pos` (arrival order), country, city and nat
--         possibly "(other)", and `suppressed`.
-- Why:    the generalisations are chosen to keep the three answers (docs/privacy.md,
--         "k-anonymity on request"), in this order:
--         1. exact age → removed for every row (generalized_users.sql): it is finer than the band,
--            so keeping it would undo any guarantee on the band;
--         2. city → "(other)" within its country for every city but the kept_cities largest (ties
--            at the last place included): only the top cities of question 3 need a name, and a
--            small city would otherwise cost its users their age band (a city of 25 users holds
--            about two per gender and band); also for a kept city's rows whose (gender, country,
--            city) group has fewer than K rows;
--         3. country → "(other)" (and nat with it: nat names the country in randomuser data) for
--            the rows whose (gender, country, "(other)") group is still smaller than K;
--         4. suppression, only for rows whose (gender, "(other)", "(other)") group is still
--            smaller than K — the last resort, counted, never silent;
--         5. age bands, in generalized_users.sql, widened only where a band is too thin.
--         Gender is never generalised, and registration dates are not touched.
CREATE OR REPLACE TEMP TABLE kanon_rows AS
WITH input AS (
    SELECT row_number() OVER () AS pos, * FROM masked_users
),
city_sizes AS (
    SELECT
        country,
        city,
        rank() OVER (ORDER BY count(*) DESC) AS city_rank
    FROM input
    GROUP BY country, city
),
city_level AS (
    SELECT
        i.*,
        CASE WHEN s.city_rank <= getvariable('kept_cities')
              AND count(*) OVER (PARTITION BY i.gender, i.country, i.city) >= getvariable('min_k')
             THEN i.city ELSE '(other)' END AS city_1
    FROM input AS i
    JOIN city_sizes AS s ON s.country IS NOT DISTINCT FROM i.country AND s.city IS NOT DISTINCT FROM i.city
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
