-- append_set_aside — the records a streamed load set aside, through the per-batch views, into staged_users.
-- Input:  masked_rows (masked_rows.sql) over raw_users (set_aside_users.sql).
-- Output: the records appended to staged_users (staged_users.sql), in file order, each with its seq.
-- Why:    like append_batch.sql, but a clean user is left out: it was written already
--         (streamed_users.sql) and is here only because its text's hash is one of those set aside.
INSERT INTO staged_users
SELECT * FROM masked_rows
WHERE NOT (parsed AND doc IS NULL)
ORDER BY seq;
