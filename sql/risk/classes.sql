-- Risk 1 — equivalence classes over the quasi-identifiers.
-- Input:  view users (lake/users_view.sql); variable risk_qi (VARCHAR[]): the quasi-identifier
--         columns to group by, already checked against the allow-list below by duckpipe
--         (src/analytics/risk.rs ALLOWED_QI).
-- Output: temp table risk_classes(size) — one row per equivalence class: the number of stored
--         records sharing one combination of the chosen quasi-identifiers.
-- Why:    no column names are spliced in: every allow-listed column is grouped on, but a column
--         that is not chosen is replaced by NULL, so it does not split classes. The SQL text never
--         changes with user input.
CREATE OR REPLACE TEMP TABLE risk_classes AS
SELECT count(*) AS size
FROM users
GROUP BY
    CASE WHEN list_contains(getvariable('risk_qi'), 'gender')          THEN gender          END,
    CASE WHEN list_contains(getvariable('risk_qi'), 'age')             THEN age             END,
    CASE WHEN list_contains(getvariable('risk_qi'), 'age_band')        THEN age_band        END,
    CASE WHEN list_contains(getvariable('risk_qi'), 'country')         THEN country         END,
    CASE WHEN list_contains(getvariable('risk_qi'), 'city')            THEN city            END,
    CASE WHEN list_contains(getvariable('risk_qi'), 'nat')             THEN nat             END,
    CASE WHEN list_contains(getvariable('risk_qi'), 'registered_date') THEN registered_date END;
