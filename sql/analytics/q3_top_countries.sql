-- Question 3a — which countries do most users come from?
-- Input:  view users; variable top_n (INTEGER).
-- Output: country, users — most users first, then by name; the first top_n.
-- Why:    ties are ordered by name so that the list is the same on every run.
SELECT
    country,
    count(*) AS users
FROM users
GROUP BY country
ORDER BY users DESC, country ASC NULLS LAST
LIMIT getvariable('top_n');
