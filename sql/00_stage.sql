-- Step 0 — stage.
-- Creates the table the sources fill: one row per received user, the user's JSON object as text,
-- exactly as the source delivered it. A load stages a batch of users here, runs steps 1-3 on it
-- (which append the batch to staged_users) and starts the next batch on a fresh table, so the
-- raw JSON of only one batch is ever held.
-- Lives only in the run's private in-process DuckDB: raw personal data never leaves it.
CREATE OR REPLACE TABLE raw_users (
    doc VARCHAR NOT NULL
);
