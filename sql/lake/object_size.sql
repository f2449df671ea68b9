-- object size — the size of one object in bytes.
-- Input:  {{object}}: the object (a quoted literal).
-- Output: size (BIGINT).
-- Why:    a HEAD request on S3, a stat locally: the content is not read, so sizes can be checked
--         against the run records before any data is.
SELECT size FROM read_blob({{object}});
