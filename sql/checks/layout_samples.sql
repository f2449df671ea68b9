-- Input checks, shared part — one user per shape.
-- Input:  staged_users (step 3: per user its shape fingerprint `layout`, and the raw JSON `doc`
--         of every user whose shape differs from the first user's) and layout_first(doc, layout)
--         (step 3: the first user with a shape).
-- Output: temp table layout_samples(records, doc): for each distinct shape, one user's raw JSON
--         and the number of users with that shape; users without a fingerprint (not
--         well-formed JSON) one by one.
-- Users with the same fingerprint (json_layout(), src/privacy/layout.rs) have the same keys
-- everywhere and the same kind of value (object, array, scalar) under each key. So the checks
-- about keys and kinds — unknown fields (unknown_fields.sql), groups delivered at all
-- (delivered_groups.sql) — read a handful of records instead of parsing every one again.
CREATE OR REPLACE TEMP TABLE layout_samples AS
SELECT
    count(*)                                        AS records,
    -- Only the first user's shape has no stored doc (step 3 keeps no doc for it).
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
