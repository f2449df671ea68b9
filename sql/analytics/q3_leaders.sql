-- Question 3c — is the most common country, and the most common (country, city), a tie?
-- Input:  view users.
-- Output: up to two rows — what ('country' or 'location'), users (the largest count) and tied
--         (how many countries, or (country, city) pairs, have that count; 1 = no tie).
-- Why:    the top lists stop at top_n, so a tie for first place may run past them; the one-line
--         answers say "a tie" only when there is one, and how wide it is.
WITH counts AS (
    SELECT 'country' AS what, count(*) AS users FROM users GROUP BY country
    UNION ALL
    SELECT 'location' AS what, count(*) AS users FROM users GROUP BY country, city
),
ranked AS (
    SELECT what, users, max(users) OVER (PARTITION BY what) AS top
    FROM counts
)
SELECT
    what,
    max(top)                              AS users,
    count(*) FILTER (WHERE users = top)   AS tied
FROM ranked
GROUP BY what
ORDER BY what;
