-- unknown_fields — fields the classification does not know, and kept fields holding structures.
-- Input:  layout_samples(records, doc) (layout_samples.sql); variables known_objects (VARCHAR[]:
--         the objects that hold classified fields as dotted paths, the user itself as ''),
--         known_paths (VARCHAR[]: every classified leaf and object path) and kept_leaves
--         (VARCHAR[]: the classified leaves that reach the output in some form), all from
--         src/schema/fields.rs.
-- Output: path, records, shape: each field a user holds that is not classified, as a dotted path
--         from the user object (the topmost unknown level only; shape NULL) — or, when the path
--         does not look like a field name, as 'unnamed field <16 hex>' (a keyed fingerprint) —
--         and each kept leaf
--         that holds an object or an array instead of a value (shape 'object' / 'array'), with the
--         number of users concerned. Names and JSON types only: values are never read.
-- Why:    key *names* can be data (a map keyed by e-mail address or by name), and these paths go
--         into logs and the unencrypted run record: a path is shown only when every part is a
--         plain name (a letter, then up to 39 letters, digits or '_'; at most six parts), else
--         only its HMAC under DUCKPIPE_HMAC_KEY (pseudonym()), which tells fields apart and
--         across runs without showing them.
--         A kept leaf holding a structure would carry its contents into the output as text;
--         dropped leaves never reach the output whatever they hold, so only kept leaves are
--         type-checked. json_keys costs a full parse per user, so it runs on one user per shape,
--         weighted by the users of that shape. Every sample parsed (layout_samples.sql), so no
--         try(): a failure here fails the load instead of hiding fields.
WITH layouts AS (
    SELECT
        json_keys(doc, list_transform(getvariable('known_objects'),
                                      lambda p: CASE WHEN p = '' THEN '$' ELSE '$.' || p END)) AS keys,
        json_type(doc, list_transform(getvariable('kept_leaves'), lambda p: '$.' || p))         AS types,
        CAST(sum(records) AS BIGINT) AS records
    FROM layout_samples
    GROUP BY keys, types
),
per_object AS (
    SELECT
        records,
        unnest(getvariable('known_objects')) AS parent,
        unnest(keys)                         AS object_keys
    FROM layouts
),
fields AS (
    -- list_distinct: a key repeated inside one object still counts its user once.
    SELECT
        records,
        CASE WHEN parent = '' THEN k ELSE parent || '.' || k END AS path
    FROM per_object, unnest(list_distinct(object_keys)) AS t(k)
),
leaf_types AS (
    SELECT
        records,
        unnest(getvariable('kept_leaves'))  AS path,
        unnest(types)                       AS type
    FROM layouts
)
SELECT
    CASE
        WHEN regexp_full_match(path, '[A-Za-z][A-Za-z0-9_]{0,39}(\.[A-Za-z][A-Za-z0-9_]{0,39}){0,5}') THEN path
        ELSE 'unnamed field ' || left(pseudonym('duckpipe unknown field name:' || path), 16)
    END                          AS path,
    CAST(sum(records) AS BIGINT) AS records,
    CAST(NULL AS VARCHAR)        AS shape
FROM fields
WHERE NOT list_contains(getvariable('known_paths'), path)
GROUP BY fields.path
UNION ALL
SELECT
    path,
    CAST(sum(records) AS BIGINT) AS records,
    lower(type)                  AS shape
FROM leaf_types
WHERE type IN ('OBJECT', 'ARRAY')
GROUP BY path, type
ORDER BY path, shape NULLS FIRST;
