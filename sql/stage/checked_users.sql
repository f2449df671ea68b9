-- checked_users — flat_users with the required fields each user lacks and the values that cannot be.
-- Input:  flat_users (flat_users.sql); variables as_of (TIMESTAMP, UTC: the reference time for
--         ages) and loaded_at (TIMESTAMPTZ: when the load started).
-- Output: view checked_users: flat_users plus
--         `missing`, the required fields this user lacks (missing, null, or not a usable date) as
--         paths in the user object, in the order of src/schema/required.rs, separated by ', ';
--         `implausible`, the plausibility rules this user breaks (docs/privacy.md, "Plausibility"),
--         each naming its field, separated by '; '. Both '' for a good user.
-- Why:    text, not lists: they are stored for every user and '' costs next to nothing; the text
--         is built only for the few users who lack something (docs/benchmarks.md). Whether a
--         missing field makes the user a reject is decided once the whole run is staged
--         (run/rejected_users.sql): a group that *no* user has comes from an `inc=` request, not
--         from a broken record. An implausible value always does: a birth date after --as-of or
--         more than 120 years before it, or a registration after the load started, would give a
--         negative or absurd age and tenure. Paths name fields, never values: they end up in logs
--         and records.
CREATE OR REPLACE VIEW checked_users AS
SELECT
    *,
    CASE
        WHEN login_uuid IS NULL OR email IS NULL OR gender IS NULL OR dob_at IS NULL
          OR registered_at IS NULL OR country IS NULL OR city IS NULL
        THEN concat_ws(
            ', ',
            CASE WHEN login_uuid IS NULL    THEN 'login.uuid' END,
            CASE WHEN email IS NULL         THEN 'email' END,
            CASE WHEN gender IS NULL        THEN 'gender' END,
            CASE WHEN dob_at IS NULL        THEN 'dob.date' END,
            CASE WHEN registered_at IS NULL THEN 'registered.date' END,
            CASE WHEN country IS NULL       THEN 'location.country' END,
            CASE WHEN city IS NULL          THEN 'location.city' END
        )
        ELSE ''
    END AS missing,
    CASE
        WHEN dob_at > getvariable('as_of')
          OR dob_at < getvariable('as_of') - INTERVAL 120 YEAR
          OR registered_at > CAST(getvariable('loaded_at') AS TIMESTAMP)
        THEN concat_ws(
            '; ',
            CASE WHEN dob_at > getvariable('as_of')
                 THEN 'dob.date after --as-of' END,
            CASE WHEN dob_at < getvariable('as_of') - INTERVAL 120 YEAR
                 THEN 'dob.date more than 120 years before --as-of' END,
            CASE WHEN registered_at > CAST(getvariable('loaded_at') AS TIMESTAMP)
                 THEN 'registered.date in the future' END
        )
        ELSE ''
    END AS implausible
FROM flat_users;
