-- Question 3b — which cities (within their country) do most users come from?
-- Input:  view users; variable top_n (INTEGER).
-- Output: country, city, users — most users first, then by country and city; the first top_n.
-- Why:    cities are grouped with their country: "Richmond" in Canada and in Australia are two
--         places. "(other)" (what load --min-k makes of the cities outside the top) is not a
--         place, so it is not listed.
SELECT
    country,
    city,
    count(*) AS users
FROM users
WHERE city IS DISTINCT FROM '(other)'
GROUP BY country, city
ORDER BY users DESC, country ASC NULLS LAST, city ASC NULLS LAST
LIMIT getvariable('top_n');
