-- known runs — which stored runs hold users of this run, and how many.
-- Input:  known_users (lake/known_users.sql).
-- Output: run_id, users: one row per run, most users first.
-- Why:    `load` names the runs that already held the users it received.
SELECT run_id, count(*) AS users FROM known_users GROUP BY run_id ORDER BY users DESC, run_id;
