-- rewrite quarantine input — the rejected records of the quarantine objects a rewrite replaces.
-- Input:  {{objects}}: the quarantine objects to rewrite (quoted literals); the key they were
--         written with, registered as {{read_key}}.
-- Output: view rewrite_quarantine, with the columns of write/quarantine.sql.
-- Why:    forget removes a person from the quarantine too, and rekey re-encrypts it; the rows are
--         kept as they are otherwise.
CREATE OR REPLACE VIEW rewrite_quarantine AS
SELECT * FROM read_parquet({{objects}}, hive_partitioning = false, encryption_config = {footer_key: {{read_key}}});
