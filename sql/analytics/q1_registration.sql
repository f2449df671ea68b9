-- Question 1 — how long ago did users register, on average?
-- Input:  view users (the stored, masked rows); variable as_of (TIMESTAMP, UTC) = "now" — when it
--         is not set (a stock shell set up without --as-of), the time the query runs.
-- Output: one row — users (all rows), avg_days (mean whole days from registered_date to the
--         as-of date, 1 decimal) and avg_years (the same mean / 365.25, 2 decimals).
-- Why:    whole days from the registration date, so the answer does not depend on the time of day
--         a load ran; as_of fixes "now" so the answer can be reproduced. make_timestamp(epoch_us(…))
--         is the current UTC wall clock whatever the shell's time zone.
WITH as_of AS (
    SELECT CAST(coalesce(CAST(getvariable('as_of') AS TIMESTAMP), make_timestamp(epoch_us(now()))) AS DATE) AS day
),
days AS (
    SELECT date_diff('day', u.registered_date, a.day) AS days
    FROM users AS u, as_of AS a
)
SELECT
    count(*)                              AS users,
    round(avg(days), 1)                   AS avg_days,
    round(avg(days) / 365.25, 2)          AS avg_years
FROM days;
