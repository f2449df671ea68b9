-- users — the data of every complete run, as readers query it, when each user is stored once.
-- Input:  {{objects}}: the list of data objects named by the run records (quoted literals); the
--         Parquet key registered as {{key_name}}.
-- Output: view users, with the columns of write/users.sql.
-- Why:    only objects named by a record are read, never a glob, so a failed or killed load is
--         invisible. duckpipe uses this view only when the run records prove that no user_id is
--         stored twice (docs/runs.md, "A user in several runs"); otherwise users_latest_view.sql.
--         Not union_by_name: DuckDB 1.5.5 fails with an internal error when it is combined with
--         encryption_config in a view, and every run has the same schema. No hive partitioning: a
--         folder named like `a=1` in a lake's path must not become a column.
CREATE OR REPLACE VIEW users AS
SELECT * FROM read_parquet({{objects}}, hive_partitioning = false, encryption_config = {footer_key: {{key_name}}});
