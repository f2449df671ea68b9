-- layout_first — the run's first user with a shape, and that shape.
-- Input:  raw_users (raw_users.sql) holding the run's first batch; json_layout() (Rust,
--         src/engine/functions/layout.rs: keys and kinds of values, never values).
-- Output: temp table layout_first(doc, layout): at most one row; variable first_layout (UBIGINT).
-- Why:    every later user is compared with this shape (masked_rows.sql): only users whose shape
--         differs keep their raw JSON for the unknown-field check, and in a normal run that is
--         nobody.
CREATE OR REPLACE TEMP TABLE layout_first AS
SELECT
    doc,
    layout
FROM (SELECT doc, json_layout(doc) AS layout FROM raw_users)
WHERE layout IS NOT NULL
LIMIT 1;

SET VARIABLE first_layout = (SELECT layout FROM layout_first);
