-- run records on S3 — the text of every record.
-- Input:  {{glob}}: <dest>/runs/*.json (a quoted literal).
-- Output: filename, content: one row per record.
-- Why:    httpfs reads objects through table functions: read_text gives each object's text whole.
SELECT filename, content FROM read_text({{glob}});
