-- rewrite quarantine object — rejected records written again by a rewrite.
-- Input:  {{relation}}: rewrite_quarantine (quarantine_in.sql) or forget_quarantine_kept
--         (forget_quarantine.sql); the key to write with, registered as {{write_key}}.
-- Output: one encrypted Parquet object at {{output_path}}
--         (<dest>/quarantine/<new run>/part-<attempt>-0.parquet).
-- Why:    the quarantine is personal data: encrypted like the data, written under the new run's
--         folder so that the superseded objects can be removed once the new record exists.
COPY {{relation}}
TO {{output_path}}
(FORMAT parquet, COMPRESSION zstd, ENCRYPTION_CONFIG {footer_key: {{write_key}}});
