-- Question 2a — gender distribution.
-- Input:  view users.
-- Output: gender, users — most users first, then by gender.
-- Why:    the gender as delivered: duckpipe never generalises it.
SELECT
    gender,
    count(*) AS users
FROM users
GROUP BY gender
ORDER BY users DESC, gender ASC NULLS LAST;
