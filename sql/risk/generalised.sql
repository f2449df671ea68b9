-- Risk 3 — what load --min-k generalised: exact ages removed, small cities and countries
-- replaced by "(other)" (widened age bands: widened_bands.sql).
-- Input:  view users.
-- Output: one row — exact_age_removed (records with an age band but no exact age), city_other
--         (records whose city, but not country, is "(other)"), country_other (records whose
--         country is "(other)").
-- Why:    read from the stored values themselves, so it holds for any run, whatever wrote it.
SELECT
    count(*) FILTER (WHERE age IS NULL AND age_band IS NOT NULL)                 AS exact_age_removed,
    count(*) FILTER (WHERE city = '(other)' AND country IS DISTINCT FROM '(other)') AS city_other,
    count(*) FILTER (WHERE country = '(other)')                                  AS country_other
FROM users;
