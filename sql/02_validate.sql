-- Step 2 — validate.
-- Input:  raw_users (step 0), flat_users (step 1); variable `required` (VARCHAR[]): the required
--         fields this run enforces, chosen by duckpipe (load.rs, `validate`) — every required field
--         except those whose whole group (login, dob, …) is absent from every record of the run.
-- Output: rejected_users(seq, reason) — the users that cannot be processed, with every reason
--         found, e.g. 'dob.date missing or not a date; location.city missing'. They are written to
--         the run's quarantine object (step 5), never dropped, and never reach the data (step 3).
-- Reasons name fields, never values: they end up in logs and run records.
CREATE OR REPLACE TABLE rejected_users AS
-- Not a JSON object at all (e.g. an unparsable line in an NDJSON file).
SELECT
    seq,
    'not a valid JSON object' AS reason
FROM raw_users
ANTI JOIN flat_users USING (seq)
UNION ALL
-- Parsed, but a required field is missing, of the wrong type, or not a usable date.
SELECT
    seq,
    reason
FROM (
    SELECT
        seq,
        concat_ws(
            '; ',
            CASE WHEN login_uuid IS NULL AND list_contains(getvariable('required'), 'login.uuid')
                THEN 'login.uuid missing' END,
            CASE WHEN email IS NULL AND list_contains(getvariable('required'), 'email')
                THEN 'email missing' END,
            CASE WHEN gender IS NULL AND list_contains(getvariable('required'), 'gender')
                THEN 'gender missing' END,
            CASE WHEN dob_at IS NULL AND list_contains(getvariable('required'), 'dob.date')
                THEN 'dob.date missing or not a date' END,
            CASE WHEN registered_at IS NULL AND list_contains(getvariable('required'), 'registered.date')
                THEN 'registered.date missing or not a date' END,
            CASE WHEN country IS NULL AND list_contains(getvariable('required'), 'location.country')
                THEN 'location.country missing' END,
            CASE WHEN city IS NULL AND list_contains(getvariable('required'), 'location.city')
                THEN 'location.city missing' END
        ) AS reason
    FROM flat_users
)
WHERE reason <> '';
