-- Input check — fields the classification does not know.
-- Input:  raw_users(seq, doc) (step 0); variables known_objects (VARCHAR[]: the objects that hold
--         classified fields as dotted paths, the user itself as '') and known_paths (VARCHAR[]:
--         every classified leaf and object path) and kept_leaves (VARCHAR[]: the classified
--         leaves that reach the output in some form), all set from src/privacy/fields.rs.
-- Output: path, records, shape — each field a user holds that is not classified, as a dotted
--         path from the user object (the topmost unknown level only: an unknown object is one
--         entry; shape NULL), and each kept leaf that holds an object or an array instead of a
--         value (shape 'object' / 'array': flatten would read the whole structure as text and
--         carry it into the output), with the number of users concerned. Names and JSON types
--         only: values are never read. Types are checked for the kept leaves only — dropped
--         leaves never reach the output whatever they hold, and each path checked costs time.
-- Why this shape: json_keys with a list of paths parses each document once and returns the key
-- lists of every known object. Users from one source almost always share one key layout, so
-- the layouts are grouped first (a handful of distinct ones) and only those few are unnested
-- and compared — the check costs about one JSON parse per user, a small part of a load.
WITH layouts AS (
    -- try(): a record that is not valid JSON yields NULL here and no fields; it is not this
    -- check's business (validation quarantines it).
    SELECT
        try(json_keys(doc, list_transform(getvariable('known_objects'),
                                          p -> CASE WHEN p = '' THEN '$' ELSE '$.' || p END))) AS keys,
        try(json_type(doc, list_transform(getvariable('kept_leaves'), p -> '$.' || p)))         AS types,
        count(*) AS records
    FROM raw_users
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
    path,
    CAST(sum(records) AS BIGINT) AS records,
    CAST(NULL AS VARCHAR)        AS shape
FROM fields
WHERE NOT list_contains(getvariable('known_paths'), path)
GROUP BY path
UNION ALL
SELECT
    path,
    CAST(sum(records) AS BIGINT) AS records,
    lower(type)                  AS shape
FROM leaf_types
WHERE type IN ('OBJECT', 'ARRAY')
GROUP BY path, type
ORDER BY path, shape NULLS FIRST;
