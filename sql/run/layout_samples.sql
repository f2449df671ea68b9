-- layout_samples — one user per distinct shape, once the whole run is staged.
-- Input:  staged_users (stage/staged_users.sql: per user its shape fingerprint `layout`, and the
--         raw JSON `doc` of every user whose shape differs from the first user's) and
--         layout_first(doc, layout) (stage/layout_first.sql).
-- Output: temp table layout_samples(records, doc): for each distinct shape, one user's raw JSON
--         and the number of users with that shape; users without a fingerprint (not well-formed
--         JSON) one by one.
-- Why:    users with the same fingerprint have the same keys everywhere and the same kind of value
--         under each key, so the checks about keys and kinds (unknown_fields.sql,
--         delivered_groups.sql) read a handful of records instead of parsing every one again.
CREATE OR REPLACE TEMP TABLE layout_samples AS
SELECT
    count(*)                                        AS records,
    -- Only the first user's shape has no stored doc (masked_rows keeps none for it).
    coalesce(any_value(s.doc), any_value(f.doc))    AS doc
FROM staged_users AS s
LEFT JOIN layout_first AS f USING (layout)
WHERE s.layout IS NOT NULL
GROUP BY s.layout
UNION ALL
SELECT
    1 AS records,
    doc
FROM staged_users
WHERE layout IS NULL;
