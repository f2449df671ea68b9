-- Step 1 — flatten.
-- Input:  raw_users(seq, doc)       one randomuser.me user object per row (v1.3/v1.4 shape)
-- Output: flat_users                one row per user, one scalar column per leaf field of the
--                                   user, no STRUCT/LIST left. Still holds all personal data:
--                                   never exported (step 2 chooses what may leave).
-- The JSON is parsed once per row by json_transform against an explicit structure, so a field
-- the API adds is not picked up by accident. Numbers that the API sends as int *or* string
-- (postcode, street number) are read as text. Dates are ISO-8601 UTC ("…Z") and are kept as
-- UTC TIMESTAMPs whatever the session time zone.
-- Rows that are not a JSON object (an unparsable line in a file) are left out here; step 2
-- quarantines them. try() turns a parse error into NULL in the same single parse (a separate
-- json_valid() pass cost 20-30 % more), and a cheap string test skips arrays and scalars, which
-- json_transform would otherwise read as an object with every field missing.
-- has_* columns say whether a top-level group was delivered at all: a response requested with
-- `inc=`/`exc=` lacks whole groups, which step 2 treats differently from a broken record.
CREATE OR REPLACE TABLE flat_users AS
WITH parsed AS (
    SELECT
        seq,
        try(json_transform(doc, '{
            "gender": "VARCHAR",
            "name": {"title": "VARCHAR", "first": "VARCHAR", "last": "VARCHAR"},
            "location": {
                "street": {"number": "VARCHAR", "name": "VARCHAR"},
                "city": "VARCHAR", "state": "VARCHAR", "country": "VARCHAR",
                "postcode": "VARCHAR",
                "coordinates": {"latitude": "VARCHAR", "longitude": "VARCHAR"},
                "timezone": {"offset": "VARCHAR", "description": "VARCHAR"}
            },
            "email": "VARCHAR",
            "login": {"uuid": "VARCHAR", "username": "VARCHAR", "password": "VARCHAR",
                      "salt": "VARCHAR", "md5": "VARCHAR", "sha1": "VARCHAR", "sha256": "VARCHAR"},
            "dob": {"date": "VARCHAR", "age": "VARCHAR"},
            "registered": {"date": "VARCHAR", "age": "VARCHAR"},
            "phone": "VARCHAR",
            "cell": "VARCHAR",
            "id": {"name": "VARCHAR", "value": "VARCHAR"},
            "picture": {"large": "VARCHAR", "medium": "VARCHAR", "thumbnail": "VARCHAR"},
            "nat": "VARCHAR"
        }')) AS u
    FROM raw_users
    WHERE starts_with(ltrim(doc), '{')
)
SELECT
    seq,
    u.gender                                                        AS gender,
    u.name.title                                                    AS name_title,
    u.name.first                                                    AS name_first,
    u.name.last                                                     AS name_last,
    u.location.street.number                                        AS street_number,
    u.location.street.name                                          AS street_name,
    u.location.city                                                 AS city,
    u.location.state                                                AS state,
    u.location.country                                              AS country,
    u.location.postcode                                             AS postcode,
    u.location.coordinates.latitude                                 AS latitude,
    u.location.coordinates.longitude                                AS longitude,
    u.location.timezone.offset                                      AS tz_offset,
    u.location.timezone.description                                 AS tz_description,
    u.email                                                         AS email,
    u.login.uuid                                                    AS login_uuid,
    u.login.username                                                AS login_username,
    u.login.password                                                AS login_password,
    u.login.salt                                                    AS login_salt,
    u.login.md5                                                     AS login_md5,
    u.login.sha1                                                    AS login_sha1,
    u.login.sha256                                                  AS login_sha256,
    try_cast(u.dob.date AS TIMESTAMPTZ) AT TIME ZONE 'UTC'          AS dob_at,
    try_cast(u.registered.date AS TIMESTAMPTZ) AT TIME ZONE 'UTC'   AS registered_at,
    u.phone                                                         AS phone,
    u.cell                                                          AS cell,
    u.id.name                                                       AS id_name,
    u.id.value                                                      AS id_value,
    u.picture.large                                                 AS picture_large,
    u.picture.medium                                                AS picture_medium,
    u.picture.thumbnail                                             AS picture_thumbnail,
    u.nat                                                           AS nat,
    u.login IS NOT NULL                                             AS has_login,
    u.email IS NOT NULL                                             AS has_email,
    u.gender IS NOT NULL                                            AS has_gender,
    u.dob IS NOT NULL                                               AS has_dob,
    u.registered IS NOT NULL                                        AS has_registered,
    u.location IS NOT NULL                                          AS has_location
FROM parsed
WHERE u IS NOT NULL;
