-- rejections — why records were rejected, grouped.
-- Input:  rejected_users (rejected_users.sql).
-- Output: reason, records: most frequent reason first, then by reason.
-- Why:    the run record and the printed summary say how many records went to quarantine and why,
--         naming fields, never values.
SELECT reason, count(*) AS records
FROM rejected_users
GROUP BY reason
ORDER BY count(*) DESC, reason;
