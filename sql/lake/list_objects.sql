-- list objects — the objects that match a pattern under an S3 destination.
-- Input:  {{glob}}: e.g. s3://bucket/prefix/users/*/* (a quoted literal).
-- Output: file: one row per match, none when nothing matches.
-- Why:    orphans are the objects no run record names; finding them needs the listing. Local
--         lakes are listed by the file system instead: a pattern over a local path could match
--         another folder.
SELECT file FROM glob({{glob}});
