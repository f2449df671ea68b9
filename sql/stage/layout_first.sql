-- layout_first — the run's first user that DuckDB parsed, and that user's shape.
-- Input:  flat_users (flat_users.sql) over the run's first batch; json_layout() (Rust,
--         src/engine/functions/layout.rs: keys and kinds of values, never values).
-- Output: temp table layout_first(doc, layout): at most one row; variable first_layout (UBIGINT).
--         A record with a problem (raw_users.sql) has no shape.
-- Why:    every later user is compared with this shape (masked_rows.sql): only users whose shape
--         differs keep their raw JSON for the checks on samples, and in a normal run that is
--         nobody. Only a parsed user may be this sample: a line that is not JSON can look like the
--         common shape to the byte scan and would then stand for every user of that shape.
CREATE OR REPLACE TEMP TABLE layout_first AS
SELECT
    doc,
    layout
FROM (SELECT doc, json_layout(doc) AS layout FROM flat_users WHERE parsed)
WHERE layout IS NOT NULL
LIMIT 1;

SET VARIABLE first_layout = (SELECT layout FROM layout_first);
