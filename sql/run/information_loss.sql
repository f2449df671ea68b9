-- information_loss — what load --min-k generalised, per generalisation, for the run record.
-- Input:  generalized_users (generalized_users.sql).
-- Output: one row: rows, exact_age_removed, age_band_widened (a band other than the ten-year
--         one: lent to a thin neighbour, or a run of thin bands), city_other (city "(other)",
--         country kept) and country_other (country "(other)").
-- Why:    the price of the guarantee, in users, next to it in the run record and the load
--         summary (docs/privacy.md has the measured shares for 10,000 and 100,000 users).
SELECT
    count(*)                                                                               AS rows,
    count(*) FILTER (WHERE age IS NULL AND age_band IS NOT NULL)                           AS exact_age_removed,
    count(*) FILTER (WHERE NOT coalesce(regexp_full_match(age_band, '[0-9]*0-[0-9]*9')
                                        AND CAST(split_part(age_band, '-', 2) AS BIGINT)
                                            = CAST(split_part(age_band, '-', 1) AS BIGINT) + 9, true)) AS age_band_widened,
    count(*) FILTER (WHERE city = '(other)' AND country IS DISTINCT FROM '(other)')        AS city_other,
    count(*) FILTER (WHERE country = '(other)')                                            AS country_other
FROM generalized_users;
