-- Question 3a — which countries do most users come from?
-- Input:  view users; variable top_n (INTEGER).
-- Output: country, users — most users first, then by name; the first top_n.
SELECT
    country,
    count(*) AS users
FROM users
GROUP BY country
ORDER BY users DESC, country ASC NULLS LAST
LIMIT getvariable('top_n');
