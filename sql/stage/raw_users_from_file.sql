-- raw_users, for an NDJSON file — the same relation as raw_users.sql, read by DuckDB itself.
-- Input:  {{input}}: the file (a quoted literal).
-- Output: view raw_users(doc VARCHAR): one row per non-blank line, its text as it is, in file order.
-- Why:    DuckDB splits the file between its threads, so the per-batch steps run on every core in
--         one pass and no raw JSON is copied through duckpipe. DuckDB refuses the whole file when
--         one line is not JSON (or spans lines, or holds a byte-order mark); duckpipe then reads
--         the file itself and hands such a line on as one record to quarantine.
--         compression = 'uncompressed': a file is read as the bytes it holds, whatever its name.
CREATE OR REPLACE VIEW raw_users AS
SELECT CAST(json AS VARCHAR) AS doc
FROM read_ndjson_objects({{input}}, compression = 'uncompressed');
