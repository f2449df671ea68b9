-- delivered_groups — the groups of required fields that the run delivered at all.
-- Input:  layout_samples (layout_samples.sql), staged_users (stage/staged_users.sql), variable
--         streamed (layout_samples.sql: a clean user delivered every group).
-- Output: group_name, delivered: one row per group that holds a required field
--         (src/schema/required.rs).
-- Why:    a group that no user delivered comes from a response requested with `inc=`/`exc=`: its
--         fields are not required in this run and the questions they serve are unanswerable
--         (src/pipeline/reject.rs); a group that only some users lack makes those users rejects.
--         Object groups are told from the users' shapes; email and gender are plain values, and a
--         shape does not say whether a value is null, so they are told from the staged values (a
--         pseudonym is NULL exactly when the e-mail is). Only parsed users count: a broken line
--         neither delivers a group nor hides one.
SELECT
    g.group_name,
    coalesce(bool_or(json_type(s.doc, '$.' || g.group_name) = 'OBJECT'), false) AS delivered
FROM (VALUES ('login'), ('dob'), ('registered'), ('location')) AS g(group_name)
LEFT JOIN layout_samples AS s ON true
GROUP BY g.group_name
UNION ALL
SELECT
    'email' AS group_name,
    count(email_pseudonym) > 0 OR coalesce(getvariable('streamed'), 0) > 0 AS delivered
FROM staged_users
WHERE parsed
UNION ALL
SELECT
    'gender' AS group_name,
    count(gender) > 0 OR coalesce(getvariable('streamed'), 0) > 0 AS delivered
FROM staged_users
WHERE parsed;
