-- raw_users, for an NDJSON file — the same relation as raw_users.sql, read by DuckDB itself.
-- Input:  {{input}}: the file (a quoted literal); {{max_record_bytes}}: the maximum record size;
--         {{maximum_object_size}}: DuckDB's own limit, a little above it; {{oversized_reason}}:
--         the reason a larger record is quarantined with (a quoted literal).
-- Output: view raw_users(doc VARCHAR, problem VARCHAR, seq BIGINT): one row per non-blank line,
--         in file order: its text as it is, or, for a line over the maximum record size, no text
--         and the reason. seq is NULL: a row's place in the order is its position.
-- Why:    DuckDB splits the file between its threads, so the per-batch steps run on every core in
--         one pass and no raw JSON is copied through duckpipe. DuckDB refuses the whole file when
--         one line is not JSON (or not UTF-8, or spans lines, or holds a byte-order mark, or is
--         larger than maximum_object_size); duckpipe then reads the file itself and hands such a
--         line on as one record to quarantine. A record over the limit that DuckDB does read is
--         quarantined here the same way, so both ways of reading a file give the same run.
--         Positions are not numbered here: WITH ORDINALITY would read the file on one thread.
--         compression = 'uncompressed': a file is read as the bytes it holds, whatever its name.
CREATE OR REPLACE VIEW raw_users AS
SELECT
    CASE WHEN strlen(doc) <= {{max_record_bytes}} THEN doc END                  AS doc,
    CASE WHEN strlen(doc) > {{max_record_bytes}} THEN {{oversized_reason}} END  AS problem,
    CAST(NULL AS BIGINT)                                                        AS seq
FROM (
    SELECT CAST(json AS VARCHAR) AS doc
    FROM read_ndjson_objects({{input}}, compression = 'uncompressed', maximum_object_size = {{maximum_object_size}})
);
