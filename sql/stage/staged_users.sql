-- staged_users — every user of the run, masked, in arrival order.
-- Input:  masked_rows (masked_rows.sql), for its columns only.
-- Output: table staged_users, empty, with the columns of masked_rows. Each batch is appended by
--         append_batch.sql, so a user's rowid is its position in the run (`seq`).
-- Why:    the only table that grows with the input, and it is narrow: the raw JSON of a batch is
--         gone with the batch except where masked_rows keeps it.
CREATE OR REPLACE TABLE staged_users AS
FROM masked_rows
WITH NO DATA;
