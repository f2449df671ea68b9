-- rejected_users — the users of the run that cannot be processed, with every reason found.
-- Input:  staged_users (stage/staged_users.sql, every batch); variable required (VARCHAR[]: the
--         fields this run enforces — every field checked_users checks except those of a group
--         that no user delivered, chosen in src/pipeline/reject.rs).
-- Output: table rejected_users(seq, reason): by position in the run, e.g. 'dob.date missing or not
--         a date; location.city missing'.
-- Why:    a rejected user is written to the run's quarantine object (write/quarantine.sql), never
--         dropped, and never reaches the data. Reasons name fields, never values: they end up in
--         logs and run records.
CREATE OR REPLACE TABLE rejected_users AS
SELECT
    seq,
    reason
FROM (
    SELECT
        rowid AS seq,
        CASE
            WHEN NOT parsed THEN 'not a valid JSON object'
            ELSE array_to_string(
                list_transform(
                    list_filter(string_split(missing, ', '), lambda f: list_contains(getvariable('required'), f)),
                    lambda f: f || CASE WHEN f LIKE '%.date' THEN ' missing or not a date' ELSE ' missing' END
                ),
                '; '
            )
        END AS reason
    FROM staged_users
    WHERE NOT parsed OR missing <> ''
)
WHERE reason <> '';
