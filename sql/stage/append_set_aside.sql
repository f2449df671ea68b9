-- append_set_aside — the records a streamed load set aside, through the per-batch views, into staged_users.
-- Input:  masked_rows (masked_rows.sql) over the records in raw_users: those the line reader found
--         again in the file, each with its position (seq), in file order.
-- Output: the records appended to staged_users (staged_users.sql), clean users left out.
-- Why:    like append_batch.sql, but a clean user was written already (streamed_users.sql): it is
--         here only because its text's hash is one of those set aside, and must not be written twice.
INSERT INTO staged_users
SELECT * FROM masked_rows
WHERE NOT (parsed AND doc IS NULL);
