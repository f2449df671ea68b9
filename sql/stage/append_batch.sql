-- append_batch — the batch in raw_users, through the per-batch views, into staged_users.
-- Input:  masked_rows (masked_rows.sql) over the users now in raw_users.
-- Output: the batch's rows appended to staged_users (staged_users.sql), in arrival order.
-- Why:    the views do the work; this one statement makes DuckDB run them on every core.
INSERT INTO staged_users SELECT * FROM masked_rows;
