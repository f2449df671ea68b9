-- known users — the users of this run the lake already holds, with the runs holding them.
-- Input:  {{relation}}: the run's users about to be written (masked_users or generalized_users);
--         {{objects}}: the data objects of the runs already at the destination (quoted
--         literals); the Parquet key registered as {{key_name}}.
-- Output: table known_users (user_id, run_id): one row per stored user_id of this run and run
--         that holds it.
-- Why:    `load` says when it received users the lake already has, and the run record says how
--         many, so that readers know whether each user is stored once (docs/runs.md). Reads only
--         the user_id and run_id columns of the stored objects.
CREATE OR REPLACE TEMP TABLE known_users AS
SELECT DISTINCT user_id, run_id
FROM read_parquet({{objects}}, hive_partitioning = false, encryption_config = {footer_key: {{key_name}}})
WHERE user_id IN (SELECT user_id FROM {{relation}});
