-- Question 2c — age distribution by gender, in ten-year bands.
-- Input:  view users.
-- Output: band ("20-29"), female, male, users (all genders) — youngest band first.
SELECT
    age_band                                    AS band,
    count(*) FILTER (WHERE gender = 'female')   AS female,
    count(*) FILTER (WHERE gender = 'male')     AS male,
    count(*)                                    AS users
FROM users
WHERE age_band IS NOT NULL
GROUP BY age_band
ORDER BY min(age) ASC;
