-- secret in force — the name of the secret DuckDB would use for a URL.
-- Input:  {{url}}: the destination, e.g. s3://bucket/prefix (a quoted literal).
-- Output: name: one row, or none when no secret applies.
-- Why:    a secret DuckDB found elsewhere (persistent secrets on disk) with a longer scope would
--         win over duckpipe's and send data and records to another endpoint than the one the
--         bucket check used; the engine reads none, and this proves it before anything is written.
SELECT name FROM which_secret({{url}}, 's3');
