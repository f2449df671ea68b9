-- rewrite input — the rows of the data objects a rewrite replaces.
-- Input:  {{objects}}: the data objects to rewrite (quoted literals), named by the run records
--         being superseded; the key they were written with, registered as {{read_key}} (the
--         lake's key, or the old one during `rekey`).
-- Output: view rewrite_data, with the columns of write/users.sql; each row keeps its load's
--         run_id and loaded_at.
-- Why:    compact, forget and rekey all read the rows of the objects they replace, transform
--         them in SQL and write them again (src/lake/rewrite.rs); only named objects are read.
CREATE OR REPLACE VIEW rewrite_data AS
SELECT * FROM read_parquet({{objects}}, hive_partitioning = false, encryption_config = {footer_key: {{read_key}}});
