-- Step 1 — flatten.
-- Input:  raw_users(doc)            one randomuser.me user object per row (v1.3/v1.4 shape)
-- Output: view flat_users           one row per staged user, in order: `doc`, whether it parsed
--                                   as a user object, and one scalar column per field a later
--                                   step uses. Still personal data: never exported (step 3
--                                   chooses what may leave).
-- Only the fields that feed the output (src/privacy/fields.rs, treatment other than "dropped")
-- are read: every other field is dropped anyway, and extracting all 33 leaves cost half as much
-- again as these 8. A field the API adds is not picked up by accident: the structure below is
-- explicit. Values the API sends as int *or* string are read as text. Dates are ISO-8601 UTC
-- ("…Z") and are kept as UTC TIMESTAMPs whatever the session time zone.
-- A row that is not a JSON object (an unparsable line in a file) has parsed = false; step 2
-- sends it to quarantine. try() turns a parse error into NULL within the single parse, and a
-- cheap string test skips arrays and scalars, which json_transform would otherwise read as an
-- object with every field missing.
-- has_* columns say whether a top-level group was delivered at all: a response requested with
-- `inc=`/`exc=` lacks whole groups, which step 3a treats differently from a broken record.
CREATE OR REPLACE VIEW flat_users AS
WITH parsed AS (
    SELECT
        doc,
        CASE WHEN starts_with(ltrim(doc), '{') THEN try(json_transform(doc, '{
            "gender": "VARCHAR",
            "location": {"city": "VARCHAR", "country": "VARCHAR"},
            "email": "VARCHAR",
            "login": {"uuid": "VARCHAR"},
            "dob": {"date": "VARCHAR"},
            "registered": {"date": "VARCHAR"},
            "nat": "VARCHAR"
        }')) END AS u
    FROM raw_users
)
SELECT
    doc,
    u IS NOT NULL                                                   AS parsed,
    u.login.uuid                                                    AS login_uuid,
    u.email                                                         AS email,
    u.gender                                                        AS gender,
    try_cast(u.dob.date AS TIMESTAMPTZ) AT TIME ZONE 'UTC'          AS dob_at,
    try_cast(u.registered.date AS TIMESTAMPTZ) AT TIME ZONE 'UTC'   AS registered_at,
    u.location.country                                              AS country,
    u.location.city                                                 AS city,
    u.nat                                                           AS nat,
    u.login IS NOT NULL                                             AS has_login,
    u.email IS NOT NULL                                             AS has_email,
    u.gender IS NOT NULL                                            AS has_gender,
    u.dob IS NOT NULL                                               AS has_dob,
    u.registered IS NOT NULL                                        AS has_registered,
    u.location IS NOT NULL                                          AS has_location
FROM parsed;
