-- utc_timestamp(text) — an ISO-8601 text as a UTC TIMESTAMP; NULL when it is not a date.
-- Input:  a VARCHAR.
-- Output: macro utc_timestamp(text) → TIMESTAMP.
-- Why:    the API sends UTC with a "Z", which a plain TIMESTAMP cast reads as UTC whatever the
--         session time zone; any other offset goes through TIMESTAMPTZ and the epoch. (AT TIME
--         ZONE gives the same values through the much slower time zone code: docs/benchmarks.md.)
CREATE OR REPLACE TEMP MACRO utc_timestamp(text) AS
    CASE
        WHEN ends_with(text, 'Z') THEN try_cast(text AS TIMESTAMP)
        ELSE make_timestamp(epoch_us(try_cast(text AS TIMESTAMPTZ)))
    END;
