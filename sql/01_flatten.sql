-- Step 1 — flatten.
-- Input:  raw_users(doc)            one randomuser.me user object per row (v1.3/v1.4 shape)
-- Output: view flat_users           one row per staged user, in order: `doc`, whether it parsed
--                                   as a user object, and one scalar column per field a later
--                                   step uses. Still personal data: never exported (step 3
--                                   chooses what may leave).
-- Only the fields that feed the output (src/privacy/fields.rs, treatment other than "dropped")
-- are read, each by an explicit path, so a field the API adds is never picked up by accident.
-- json_extract_string with a list of paths parses each user once; it measured 25 % faster than
-- json_transform into a STRUCT of the same fields, and reading all 33 leaves cost half as much
-- again as these 8. Values come out as text whatever their JSON type (the API sends some
-- numbers as int *or* string); a field holding an object or array would come out as its JSON
-- text, which the unknown-field check refuses (sql/checks/unknown_fields.sql). Dates are
-- ISO-8601 and are kept as UTC TIMESTAMPs whatever the session time zone (utc_timestamp below).
-- A row that is not a JSON object (an unparsable line in a file) has parsed = false; step 3a
-- sends it to quarantine. try() turns a parse error into NULL within the single parse, and a
-- cheap string test skips arrays and scalars.
-- Whether a whole group (login, dob, …) was delivered at all — an `inc=`/`exc=` request lacks
-- whole groups — is decided per run from the users' shapes (sql/checks/delivered_groups.sql).
-- An ISO-8601 text as a UTC TIMESTAMP; NULL when it is not a date. The API sends UTC with a "Z",
-- which a plain TIMESTAMP cast reads as UTC; any other offset goes through TIMESTAMPTZ and the
-- epoch. (`CAST(… AS TIMESTAMPTZ) AT TIME ZONE 'UTC'` gives the same values but goes through the
-- ICU time zone code for every row: it measured 2.3 CPU seconds per million users, more than
-- extracting all eight fields.)
CREATE OR REPLACE TEMP MACRO utc_timestamp(text) AS
    CASE
        WHEN ends_with(text, 'Z') THEN try_cast(text AS TIMESTAMP)
        ELSE make_timestamp(epoch_us(try_cast(text AS TIMESTAMPTZ)))
    END;

CREATE OR REPLACE VIEW flat_users AS
WITH extracted AS (
    SELECT
        doc,
        CASE WHEN starts_with(ltrim(doc), '{') THEN try(json_extract_string(doc, [
            '$.login.uuid',
            '$.email',
            '$.gender',
            '$.dob.date',
            '$.registered.date',
            '$.location.country',
            '$.location.city',
            '$.nat'
        ])) END AS v
    FROM raw_users
)
SELECT
    doc,
    v IS NOT NULL                                       AS parsed,
    v[1]                                                AS login_uuid,
    v[2]                                                AS email,
    v[3]                                                AS gender,
    utc_timestamp(v[4])                                 AS dob_at,
    utc_timestamp(v[5])                                 AS registered_at,
    v[6]                                                AS country,
    v[7]                                                AS city,
    v[8]                                                AS nat
FROM extracted;
