-- forget quarantine hits — which quarantine objects hold the people to forget.
-- Input:  {{objects}}: every quarantine object of the lake (quoted literals); the key they were
--         written with, {{read_key}}; variable forget_needles: the e-mails and uuids to forget,
--         lowercased.
-- Output: filename, rows: one row per object holding at least one of them.
-- Why:    the quarantine keeps records as received, possibly not even JSON: a record is that
--         person's when its raw text contains one of their identifiers (case-insensitive), which
--         errs on the side of removing too much.
SELECT filename, count(*) AS rows
FROM read_parquet({{objects}}, filename = true, hive_partitioning = false, encryption_config = {footer_key: {{read_key}}})
WHERE len(list_filter(getvariable('forget_needles'), lambda n: contains(lower(coalesce(doc, '')), n))) > 0
GROUP BY filename;
