-- read back — the rows of each object one attempt wrote, every object decrypted.
-- Input:  {{glob}}: the attempt's objects (a quoted literal); the Parquet key {{key_name}}.
-- Output: filename, rows: one row per object.
-- Why:    an object is named in a run record only once it has been read back whole: a missing,
--         truncated or unreadable object fails here, before the commit.
SELECT filename, count(*) AS rows
FROM read_parquet({{glob}}, filename = true, encryption_config = {footer_key: {{key_name}}})
GROUP BY filename
ORDER BY filename;
