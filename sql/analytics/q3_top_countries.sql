-- Question 3a — which countries do most users come from?
-- Input:  view users; variable top_n (INTEGER).
-- Output: country, users — most users first, then by name; the first top_n.
-- Why:    ties are ordered by name so that the list is the same on every run. "(other)" (what
--         load --min-k makes of countries too small to keep) is not a country, so it is not listed.
SELECT
    country,
    count(*) AS users
FROM users
WHERE country IS DISTINCT FROM '(other)'
GROUP BY country
ORDER BY users DESC, country ASC NULLS LAST
LIMIT getvariable('top_n');
