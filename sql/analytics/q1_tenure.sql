-- Question 1b — how long ago did users register: the distribution behind the average of q1.
-- Input:  view users; variable as_of (TIMESTAMP, UTC) = "now" (unset: the time the query runs,
--         as in q1_registration.sql).
-- Output: years, users — one row per whole year since registration, from the smallest to the
--         largest, with 0 where no user falls (so a histogram shows the gaps), fewest years first.
-- Why:    a year counts when its anniversary has passed at the as-of date, compared as month-day
--         text: spelled out because date_sub('year', …) counts 29 Feb → 28 Feb of a common year as
--         a full year, which is not what "completed years" means for the other questions (ages).
WITH as_of AS (
    SELECT CAST(coalesce(CAST(getvariable('as_of') AS TIMESTAMP), make_timestamp(epoch_us(now()))) AS DATE) AS day
),
tenure AS (
    SELECT
        date_diff('year', u.registered_date, a.day)
            - CASE WHEN strftime(a.day, '%m-%d') < strftime(u.registered_date, '%m-%d') THEN 1 ELSE 0 END
            AS years
    FROM users AS u, as_of AS a
),
counts AS (
    SELECT years, count(*) AS users
    FROM tenure
    GROUP BY years
),
all_years AS (
    -- Every year between the extremes, so empty years appear as 0.
    SELECT unnest(generate_series(min(years), max(years))) AS years
    FROM counts
)
SELECT
    y.years,
    coalesce(c.users, 0) AS users
FROM all_years AS y
LEFT JOIN counts AS c USING (years)
ORDER BY y.years ASC;
