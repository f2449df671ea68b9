-- Risk 4 — age bands wider than the standard ten years (load --min-k widens "20-29" to "20-39",
-- "0-39" or "all ages" where a narrower band would leave a class too small).
-- Input:  view users.
-- Output: band, records — every band that is not "L-H" with L a multiple of ten and H = L + 9,
--         youngest first ("all ages" last).
-- Why:    read from the stored values, like generalised.sql.
WITH bands AS (
    SELECT
        age_band,
        try_cast(split_part(age_band, '-', 1) AS INTEGER) AS low,
        try_cast(split_part(age_band, '-', 2) AS INTEGER) AS high
    FROM users
    WHERE age_band IS NOT NULL
)
SELECT
    age_band AS band,
    count(*) AS records
FROM bands
WHERE NOT coalesce(regexp_full_match(age_band, '[0-9]+-[0-9]+') AND low % 10 = 0 AND high = low + 9, false)
GROUP BY age_band, low, high
ORDER BY low ASC NULLS LAST, high ASC, band ASC;
