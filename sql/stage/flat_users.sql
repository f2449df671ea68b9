-- flat_users — each user of the batch as flat columns.
-- Input:  raw_users(doc): one randomuser.me user object per row (v1.3/v1.4 shape); the macro
--         utc_timestamp (utc_timestamp.sql).
-- Output: view flat_users: `doc`, `problem`, `seq` (raw_users.sql), whether it parsed as a JSON object
--         (`parsed`: never for a record with a problem), and one scalar
--         column per field a later step uses, in arrival order. Still personal data: never
--         exported (masked_rows.sql chooses what may leave).
-- Why:    only the fields that feed the output (src/schema/fields.rs, treatment other than
--         "dropped") are read, each by an explicit path, so a field the API adds is never picked
--         up by accident. One json_extract_string over a list of paths parses each user once, the
--         whole text: `parsed` is DuckDB's verdict that the text is one JSON object (RFC 8259, plus
--         the NaN, Infinity and trailing commas DuckDB accepts). Values come out as text whatever
--         their JSON type; the kept fields' types are checked per shape (run/kept_types.sql), and a
--         field holding an object or array, which comes out as its JSON text, is refused
--         (run/unknown_fields.sql). try() turns a parse error into NULL within that single parse,
--         and a cheap string test skips arrays and scalars: a row that is not a JSON object has
--         parsed = false, no later check reads it, and it goes to quarantine (run/rejected_users.sql).
CREATE OR REPLACE VIEW flat_users AS
WITH extracted AS (
    SELECT
        doc,
        problem,
        seq,
        CASE WHEN problem IS NULL AND starts_with(ltrim(doc), '{') THEN try(json_extract_string(doc, [
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
    problem,
    seq,
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
