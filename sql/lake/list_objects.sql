-- list objects — the files that match a glob under the destination.
-- Input:  {{glob}}: e.g. <dest>/users/*/*.parquet (a quoted literal).
-- Output: file: one row per match, none when nothing matches (locally and on S3).
-- Why:    orphans are the objects no run record names; finding them needs the listing.
SELECT file FROM glob({{glob}});
