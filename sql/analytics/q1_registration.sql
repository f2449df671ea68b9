-- Question 1 — how long ago did users register, on average?
-- Input:  view users (the stored, masked rows); variable as_of (TIMESTAMP, UTC) = "now".
-- Output: one row — users (all rows), avg_days (mean whole days from registered_date to the
--         as-of date, 1 decimal) and avg_years (the same mean / 365.25, 2 decimals).
-- Why:    whole days from the registration date, so the answer does not depend on the time of day
--         a load ran; as_of fixes "now" so the answer can be reproduced.
SELECT
    count(*)                                                          AS users,
    round(avg(date_diff('day', registered_date, CAST(getvariable('as_of') AS DATE))), 1)
                                                                      AS avg_days,
    round(avg(date_diff('day', registered_date, CAST(getvariable('as_of') AS DATE))) / 365.25, 2)
                                                                      AS avg_years
FROM users;
