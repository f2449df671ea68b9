-- object rows — the rows one object holds, from its Parquet metadata.
-- Input:  {{object}}: one object (a quoted literal); the Parquet key {{key_name}}.
-- Output: filename, rows: one row. duckpipe joins one such query per object with UNION ALL.
-- Why:    an object is named in a run record only once it has been read back (a missing,
--         truncated or unreadable object fails here, before the commit), and a reader checks
--         that each object holds the rows its record says. count(*) over one object reads no
--         column, only the (encrypted, authenticated) footer: one query per object, joined, is
--         about ten times faster than one query over all of them grouped by filename. No hive
--         partitioning: a folder named like `a=1` in a lake's path must not become a column.
SELECT {{object}} AS filename, count(*) AS rows
FROM read_parquet({{object}}, hive_partitioning = false, encryption_config = {footer_key: {{key_name}}})
