-- object sizes — the size of each object in bytes.
-- Input:  {{objects}}: a list of objects (quoted literals).
-- Output: filename, size: one row per object.
-- Why:    a HEAD request on S3, a stat locally: the content is not read, so sizes can be checked
--         against the run records before any data is, in one statement for the whole lake.
SELECT filename, size FROM read_blob({{objects}});
