-- raw_users — one batch of users as the source delivered them.
-- Input:  none (duckpipe appends each user's JSON text, in arrival order).
-- Output: table raw_users(doc VARCHAR): one row per received user.
-- Why:    one batch at a time: after steps flat_users … masked_rows have appended it to
--         staged_users, the table is made afresh, so the raw JSON of only one batch is held. It
--         lives only in the run's private in-process DuckDB: raw personal data never leaves it.
CREATE OR REPLACE TABLE raw_users (
    doc VARCHAR NOT NULL
);
