-- object rows — the rows each object holds, from its Parquet metadata.
-- Input:  {{objects}}: a list of objects of one kind (quoted literals); the Parquet key {{key_name}}.
-- Output: filename, rows: one row per object that holds any.
-- Why:    an object is named in a run record only once it has been read back (a missing,
--         truncated or unreadable object fails here, before the commit), and a reader checks
--         that each object holds the rows its record says. count(*) reads no column: only the
--         (encrypted, authenticated) footers. No hive partitioning: a folder named like `a=1`
--         in a lake's path must not become a column.
SELECT filename, count(*) AS rows
FROM read_parquet({{objects}}, filename = true, hive_partitioning = false, encryption_config = {footer_key: {{key_name}}})
GROUP BY filename
ORDER BY filename;
