-- checked_users — flat_users with the required fields each user lacks.
-- Input:  flat_users (flat_users.sql).
-- Output: view checked_users: flat_users plus `missing`, the required fields this user lacks
--         (missing, of the wrong type, or not a usable date) as paths in the user object, in the
--         order of src/schema/required.rs, separated by ', '; '' for a good user.
-- Why:    text, not a list: it is stored for every user and '' costs next to nothing; the list
--         is built only for the few users who lack something (docs/benchmarks.md). Whether a
--         missing field makes the user a reject is decided once the whole run is staged
--         (run/rejected_users.sql): a group that *no* user has comes from an `inc=` request, not
--         from a broken record. Paths name fields, never values: they end up in logs and records.
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
    END AS missing
FROM flat_users;
