-- Input check — fields the classification does not know.
-- Input:  raw_users(seq, doc) (step 0); variables known_objects (VARCHAR[]: the objects that hold
--         classified fields as dotted paths, the user itself as '') and known_paths (VARCHAR[]:
--         every classified leaf and object path), both set from src/privacy/fields.rs.
-- Output: path, records — each field a user holds that is not classified, as a dotted path
--         from the user object (the topmost unknown level only: an unknown object is one entry),
--         with the number of users holding it. Names of fields only: values are never read.
-- Why this shape: json_keys with a list of paths parses each document once and returns the key
-- lists of every known object. Users from one source almost always share one key layout, so
-- the layouts are grouped first (a handful of distinct ones) and only those few are unnested
-- and compared — the check costs about one JSON parse per user, a small part of a load.
WITH layouts AS (
    SELECT
        json_keys(doc, list_transform(getvariable('known_objects'),
                                      p -> CASE WHEN p = '' THEN '$' ELSE '$.' || p END)) AS keys,
        count(*) AS records
    FROM raw_users
    GROUP BY keys
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
)
SELECT
    path,
    CAST(sum(records) AS BIGINT) AS records
FROM fields
WHERE NOT list_contains(getvariable('known_paths'), path)
GROUP BY path
ORDER BY path;
