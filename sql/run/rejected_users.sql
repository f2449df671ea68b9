-- rejected_users — the users of the run that cannot be processed, with every reason found.
-- Input:  staged_users (stage/staged_users.sql, every batch); kept_types (kept_types.sql);
--         variable required (VARCHAR[]: the fields this run enforces — the identity fields always,
--         the others unless their group was delivered by no user, chosen in src/pipeline/reject.rs).
-- Output: table rejected_users(seq, staged_row, reason): by position in the run (the record's seq,
--         else its place in staged_users) and its row in staged_users, e.g. 'dob.date missing or not
--         a date; location.city missing' or 'gender is a number, not a string',
--         or the problem of a record that could not be read (stage/raw_users.sql: over the
--         maximum record size, not UTF-8 text).
-- Why:    a rejected user is written to the run's quarantine object (write/quarantine.sql), never
--         dropped, and never reaches the data. Reasons name fields, never values: they end up in
--         logs and run records. A user that did not parse gets only that reason: nothing else
--         about it was looked at.
CREATE OR REPLACE TABLE rejected_users AS
SELECT
    seq,
    staged_row,
    reason
FROM (
    SELECT
        coalesce(s.seq, s.rowid) AS seq,
        s.rowid AS staged_row,
        CASE
            WHEN s.problem IS NOT NULL THEN s.problem
            WHEN NOT s.parsed THEN
                CASE WHEN starts_with(ltrim(s.doc), '{') AND json_valid(s.doc)
                     THEN 'nested deeper than 64 levels'
                     ELSE 'not a valid JSON object'
                END
            ELSE concat_ws(
                '; ',
                nullif(array_to_string(
                    list_transform(
                        list_filter(string_split(s.missing, ', '), lambda f: list_contains(getvariable('required'), f)),
                        lambda f: f || CASE WHEN f LIKE '%.date' THEN ' missing or not a date' ELSE ' missing' END
                    ),
                    '; '
                ), ''),
                nullif(s.implausible, ''),
                t.problems
            )
        END AS reason
    FROM staged_users AS s
    LEFT JOIN kept_types AS t USING (layout)
    WHERE NOT s.parsed OR s.missing <> '' OR s.implausible <> '' OR t.problems IS NOT NULL
)
WHERE reason <> '';
