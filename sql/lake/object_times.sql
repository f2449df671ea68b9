-- object times — when each object was last written.
-- Input:  {{objects}}: a list of objects (quoted literals).
-- Output: filename, modified (seconds since the Unix epoch): one row per object.
-- Why:    `runs gc` deletes an orphan only once it is older than a safety margin (a running
--         load's objects are orphans until it commits); a HEAD request on S3, no content read.
SELECT filename, epoch(last_modified)::BIGINT AS modified FROM read_blob({{objects}});
