-- Risk 2 — re-identification risk from the class sizes.
-- Input:  temp table risk_classes(size) (risk/classes.sql).
-- Output: one row — records, classes, k (the smallest class size; NULL without data),
--         smallest_classes (how many classes have size k), below_2/5/10 (records in classes
--         smaller than 2, 5, 10), unique_share (records alone in their class / records, 4
--         decimals).
-- Why:    sizes and counts only: never a row of data.
SELECT
    CAST(coalesce(sum(size), 0) AS BIGINT)                                   AS records,
    count(*)                                                                 AS classes,
    min(size)                                                                AS k,
    count(*) FILTER (WHERE size = (SELECT min(size) FROM risk_classes))      AS smallest_classes,
    CAST(coalesce(sum(size) FILTER (WHERE size < 2), 0) AS BIGINT)           AS below_2,
    CAST(coalesce(sum(size) FILTER (WHERE size < 5), 0) AS BIGINT)           AS below_5,
    CAST(coalesce(sum(size) FILTER (WHERE size < 10), 0) AS BIGINT)          AS below_10,
    round(coalesce(sum(size) FILTER (WHERE size = 1), 0) / nullif(sum(size), 0), 4)
                                                                             AS unique_share
FROM risk_classes;
