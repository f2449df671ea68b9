-- layout_samples — one parsed user per distinct shape, once the whole run is staged.
-- Input:  staged_users (stage/staged_users.sql: per parsed user its shape fingerprint `layout`,
--         and the raw JSON `doc` of every user whose shape differs from the reference one),
--         layout_first(doc, layout) (stage/layout_first.sql) and variable streamed (BIGINT: the
--         clean users a streamed load wrote without staging them, all of the reference shape;
--         0 otherwise: stage/streamed_users.sql).
-- Output: temp table layout_samples(layout, records, doc): for each distinct shape, one parsed
--         user's raw JSON and the number of users with that shape.
-- Why:    users with the same fingerprint have the same keys everywhere, the same kind of value
--         under each key and the same JSON type under each kept field, so the checks about keys
--         and types (unknown_fields.sql, kept_types.sql, delivered_groups.sql) read a handful of
--         records instead of parsing every one again. Users that did not parse have no shape and
--         are never a sample: they are quarantined (rejected_users.sql), whatever they look like;
--         nor are records that could not be read (stage/raw_users.sql: never parsed).
CREATE OR REPLACE TEMP TABLE layout_samples AS
WITH shapes AS (
    SELECT layout, count(*) AS records, any_value(doc) AS doc
    FROM staged_users
    WHERE parsed
    GROUP BY layout
    UNION ALL
    SELECT layout, coalesce(getvariable('streamed'), 0) AS records, NULL AS doc
    FROM layout_first
    WHERE coalesce(getvariable('streamed'), 0) > 0
)
SELECT
    s.layout,
    CAST(sum(s.records) AS BIGINT)                  AS records,
    -- Only the reference shape may have no stored doc (masked_rows keeps none for it).
    coalesce(any_value(s.doc), any_value(f.doc))    AS doc
FROM shapes AS s
LEFT JOIN layout_first AS f USING (layout)
GROUP BY s.layout;
