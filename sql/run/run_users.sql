-- run_users — every user a streamed load writes: those already written, and those written last.
-- Input:  {{objects}}: the data objects the streamed pass wrote (quoted literals), under the
--         Parquet key registered as {{key_name}}; masked_users (masked_users.sql: the users set
--         aside that the run-level steps accept).
-- Output: view run_users, with the columns of masked_users: the relation the overlap step
--         (repeated_users.sql, lake/known_users.sql) compares and the record's schema describes.
-- Why:    the streamed users are not staged anywhere; their objects are the only copy, so the
--         checks over the whole run read them back (user_id only, for the overlap).
CREATE OR REPLACE VIEW run_users AS
SELECT *
FROM read_parquet({{objects}}, hive_partitioning = false, encryption_config = {footer_key: {{key_name}}})
UNION ALL
SELECT *
FROM masked_users;
