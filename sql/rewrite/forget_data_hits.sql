-- forget hits — which data objects hold the people to forget, and how many of their rows.
-- Input:  {{objects}}: every data object of the lake (quoted literals); the Parquet key
--         {{key_name}}; variable forget_pseudonyms: the keyed pseudonyms (pseudonym(), the same
--         Rust HMAC the masking uses) of the e-mails and uuids to forget.
-- Output: filename, rows: one row per object holding at least one of them.
-- Why:    erasure rewrites only the objects that hold the person; the others stay untouched.
--         Reads the two pseudonym columns only.
SELECT filename, count(*) AS rows
FROM read_parquet({{objects}}, filename = true, hive_partitioning = false, encryption_config = {footer_key: {{key_name}}})
WHERE list_contains(getvariable('forget_pseudonyms'), user_id)
   OR list_contains(getvariable('forget_pseudonyms'), email_pseudonym)
GROUP BY filename;
