-- layout_first — the run's reference shape: its first complete user's, and that user.
-- Input:  checked_users (checked_users.sql) over the run's first batch (or the whole file);
--         json_layout() (Rust, src/engine/functions/layout.rs: keys and kinds of values, never
--         values).
-- Output: temp table layout_first(doc, layout): at most one row; variable first_layout (UBIGINT).
--         The first of the first 10,000 parsed users that lacks nothing and is plausible, else the
--         first parsed user. A record with a problem (raw_users.sql) has no shape.
-- Why:    every later user is compared with this shape (masked_rows.sql): only users whose shape
--         differs keep their raw JSON for the checks on samples, and in a normal run that is
--         nobody; a streamed load writes at once only users of this shape (streamed_users.sql), so
--         a broken or incomplete record at the top of a file must not set it. Only a parsed user
--         may be this sample: a line that is not JSON can look like the common shape to the byte
--         scan and would then stand for every user of that shape. The first 10,000 bound the look
--         ahead: a run in which no user is complete (an `inc=` response) reads no further.
CREATE OR REPLACE TEMP TABLE layout_first AS
WITH head AS (
    SELECT doc, missing = '' AND implausible = '' AS complete
    FROM checked_users
    WHERE parsed
    LIMIT 10000
),
shaped AS (
    SELECT doc, json_layout(doc) AS layout, complete, row_number() OVER () AS n
    FROM head
)
SELECT
    doc,
    layout
FROM shaped
WHERE layout IS NOT NULL
ORDER BY complete DESC, n
LIMIT 1;

SET VARIABLE first_layout = (SELECT layout FROM layout_first);
