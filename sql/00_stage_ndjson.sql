-- Step 0 — stage, for an NDJSON file.
-- The same relation as 00_stage.sql, raw_users(doc), but read by DuckDB straight from the file
-- {{input}} (filled in by duckpipe as a quoted literal): one row per non-blank line, the line's
-- text as it is, in file order. DuckDB splits the file between its threads, so steps 1-3 run on
-- all cores in one pass, and no batch of raw JSON is ever copied through duckpipe.
-- DuckDB refuses the whole file when one line is not JSON (or spans lines, or holds a byte-order
-- mark); duckpipe then falls back to reading the file itself (src/sources/file.rs), which hands
-- such a line on as one record to quarantine. compression = 'uncompressed': a file is read as the bytes
-- it holds, whatever its name, as duckpipe's own reader does.
CREATE OR REPLACE VIEW raw_users AS
SELECT CAST(json AS VARCHAR) AS doc
FROM read_ndjson_objects({{input}}, compression = 'uncompressed');
