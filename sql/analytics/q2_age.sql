-- Question 2b — age summary (ages in completed years at load time).
-- Input:  view users.
-- Output: one row — min, max, avg (1 decimal), median (1 decimal; mean of the two middle values
--         for an even count).
-- Why:    ages are computed at load time (--as-of of the load), so the summary is what was stored.
SELECT
    min(age)                              AS min,
    max(age)                              AS max,
    round(avg(age), 1)                    AS avg,
    round(quantile_cont(age, 0.5), 1)     AS median
FROM users;
