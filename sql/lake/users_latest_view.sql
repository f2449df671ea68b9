-- users, latest load wins — every user once: the row of the latest run that holds its user_id.
-- Input:  {{objects}}: the list of data objects named by the run records (quoted literals);
--         {{run_order}}: the run ids, oldest first (a list of quoted literals); the Parquet key
--         registered as {{key_name}}.
-- Output: view users, with the columns of write/users.sql, one row per user_id.
-- Why:    the same user can arrive in several runs (the same seed loaded twice, an updated
--         export): counting each row would count people twice. The latest run wins; within one
--         run holding a user_id twice, the choice is arbitrary but stable (a hash of the row).
--         Reads every row to decide, so duckpipe uses users_view.sql instead whenever the run
--         records prove each user_id is stored once (docs/runs.md).
CREATE OR REPLACE VIEW users AS
SELECT * FROM read_parquet({{objects}}, hive_partitioning = false, encryption_config = {footer_key: {{key_name}}})
QUALIFY row_number() OVER (
    PARTITION BY user_id
    ORDER BY list_position({{run_order}}, run_id) DESC,
             hash(email_pseudonym, gender, age, registered_date, country, city, nat)
) = 1;
