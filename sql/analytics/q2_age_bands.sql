-- Question 2c — age distribution by gender, in ten-year bands.
-- Input:  view users.
-- Output: band ("20-29"), female, male, users (all genders) — youngest band first. Data loaded
--         with --min-k has no exact ages and may hold wider bands ("20-39", "all ages"): those
--         are ordered by their lower bound, then upper bound ("all ages" last).
-- Why:    bands, not exact ages, are what survives --min-k, so the distribution is told by band.
SELECT
    age_band                                    AS band,
    count(*) FILTER (WHERE gender = 'female')   AS female,
    count(*) FILTER (WHERE gender = 'male')     AS male,
    count(*)                                    AS users
FROM users
WHERE age_band IS NOT NULL
GROUP BY age_band
ORDER BY
    try_cast(split_part(age_band, '-', 1) AS INTEGER) ASC NULLS LAST,
    try_cast(split_part(age_band, '-', 2) AS INTEGER) ASC NULLS LAST,
    age_band ASC;
