-- raw_users — one batch of users as the source delivered them.
-- Input:  none (duckpipe appends each user's JSON text, in arrival order).
-- Output: table raw_users(doc VARCHAR, problem VARCHAR, seq BIGINT): one row per received record.
--         `problem` is NULL for a record received as text; else why it cannot be read (over the
--         maximum record size, not UTF-8 text: src/pipeline/source/mod.rs), and `doc` holds what
--         is kept of it (nothing for an oversized record). `seq` is the record's position in the
--         run (from 0), or NULL where the order of rows gives it (staged_users' rowid).
-- Why:    one batch at a time: after steps flat_users … masked_rows have appended it to
--         staged_users, the table is made afresh, so the raw JSON of only one batch is held. It
--         lives only in the run's private in-process DuckDB: raw personal data never leaves it.
CREATE OR REPLACE TABLE raw_users (
    doc VARCHAR,
    problem VARCHAR,
    seq BIGINT
);
