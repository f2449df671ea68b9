-- users — the data of every complete run, as readers query it.
-- Input:  {{objects}}: the list of data objects named by the run records (quoted literals); the
--         Parquet key registered as {{key_name}}.
-- Output: view users, with the columns of write/users.sql.
-- Why:    only objects named by a record are read, never a glob, so a failed or killed load is
--         invisible. Not union_by_name: DuckDB 1.5.5 fails with an internal error when it is
--         combined with encryption_config in a view, and every run has the same schema.
CREATE OR REPLACE VIEW users AS
SELECT * FROM read_parquet({{objects}}, encryption_config = {footer_key: {{key_name}}});
