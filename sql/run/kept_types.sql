-- kept_types — the shapes whose users hold a kept field of the wrong JSON type.
-- Input:  layout_samples(layout, records, doc) (layout_samples.sql); variable kept_leaves
--         (VARCHAR[]: the classified leaves that reach the output in some form,
--         src/schema/fields.rs).
-- Output: temp table kept_types(layout, problems): one row per shape with a problem, e.g.
--         'gender is a number, not a string; location.country is a boolean, not a string';
--         variable bad_type_layouts (UBIGINT[]: those shapes).
-- Why:    every kept field is a JSON string in the API (docs/privacy.md, "Plausibility"); flatten
--         reads values as text whatever their type, so a number or a boolean would pass as a
--         gender or a country. The shape fingerprint tells a string from a number, a boolean and
--         null under every kept field, so one sample decides for all users of its shape, and
--         those users are quarantined with the problem as their reason (rejected_users.sql).
--         Objects and arrays are refused for the whole load instead (unknown_fields.sql); null
--         is a missing field (stage/checked_users.sql).
CREATE OR REPLACE TEMP TABLE kept_types AS
WITH typed AS (
    SELECT
        layout,
        json_type(doc, list_transform(getvariable('kept_leaves'), lambda p: '$.' || p)) AS types
    FROM layout_samples
),
described AS (
    SELECT
        layout,
        array_to_string(
            list_filter(
                list_transform(
                    generate_series(1, len(getvariable('kept_leaves'))),
                    lambda i: getvariable('kept_leaves')[i] || CASE
                        WHEN types[i] = 'BOOLEAN' THEN ' is a boolean, not a string'
                        WHEN types[i] IN ('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE') THEN ' is a number, not a string'
                    END
                ),
                lambda p: p IS NOT NULL
            ),
            '; '
        ) AS problems
    FROM typed
)
SELECT layout, problems
FROM described
WHERE problems <> '';

SET VARIABLE bad_type_layouts = (SELECT coalesce(list(layout), []::UBIGINT[]) FROM kept_types);
