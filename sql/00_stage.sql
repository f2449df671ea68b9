-- Step 0 — stage.
-- Creates the table the sources fill: one row per received user, the user's JSON object as text,
-- exactly as the source delivered it. `seq` is the arrival order (0-based) over the whole run.
-- Lives only in the run's private in-process DuckDB: raw personal data never leaves it.
CREATE OR REPLACE TABLE raw_users (
    seq BIGINT NOT NULL,
    doc VARCHAR NOT NULL
);
