-- masked_rows — each user of the batch de-identified, with what the run-level steps need.
-- Input:  checked_users (checked_users.sql); variables as_of (TIMESTAMP, UTC: the reference time
--         for ages) and first_layout (layout_first.sql); the Rust functions pseudonym(), age_years(),
--         age_band() and json_layout() (src/engine/functions/).
-- Output: view masked_rows: the nine output columns from user_id to nat, then bookkeeping for
--         the run-level steps that is never exported: parsed, problem and seq (stage/raw_users.sql),
--         missing, implausible, layout, and doc (the raw JSON, kept only for users that may go to
--         quarantine or whose shape differs from the reference one, layout_first.sql). A row without
--         doc that parsed is a clean user: every field there, plausible, of the reference shape.
-- Why:    the first nine columns are an allow-list: a column that is not named here never reaches
--         the output, so a field the API adds cannot leak by default. Direct identifiers become
--         keyed HMAC pseudonyms (DUCKPIPE_HMAC_KEY); the exact birth date becomes completed years
--         and a ten-year band; the registration time keeps only its date. Dropped on purpose:
--         names, e-mail, phone, cell, street, coordinates, postcode, state, timezone, every login
--         field, id, picture URLs, the exact birth date.
--         The shape is taken only of users DuckDB parsed, and `parsed` here means both: DuckDB
--         accepted the text as an object and the shape scan could follow it (at most 64 levels
--         deep). Every check on samples reads parsed users only, so a broken line never stands for
--         anyone; it goes to quarantine.
CREATE OR REPLACE VIEW masked_rows AS
WITH aged AS (
    SELECT
        * EXCLUDE (parsed),
        age_years(dob_at, getvariable('as_of'))       AS age,
        CASE WHEN parsed THEN json_layout(doc) END    AS layout
    FROM checked_users
)
SELECT
    pseudonym(login_uuid)               AS user_id,
    pseudonym(lower(trim(email)))       AS email_pseudonym,
    gender,
    age,
    age_band(age)                       AS age_band,
    CAST(registered_at AS DATE)         AS registered_date,
    country,
    city,
    nat,
    layout IS NOT NULL                  AS parsed,
    problem,
    seq,
    missing,
    implausible,
    layout,
    CASE
        WHEN layout IS NULL
          OR missing <> ''
          OR implausible <> ''
          OR coalesce(layout <> getvariable('first_layout'), true)
        THEN doc
    END                                 AS doc
FROM aged;
