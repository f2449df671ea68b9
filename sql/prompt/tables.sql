-- The prompt's `.tables`: the tables and views a `duckpipe sql` session can query.
-- Input:  DuckDB's catalog (duckdb_tables(), duckdb_views()).
-- Output: name, kind ('table' or 'view'), columns — by name.
-- Why:    the session's own objects only (not DuckDB's internal views), as the DuckDB shell's
--         `.tables` lists them.
SELECT t.table_name AS name, 'table' AS kind, t.column_count AS columns
FROM duckdb_tables() AS t
WHERE NOT t.internal AND NOT t.temporary
UNION ALL
SELECT v.view_name, 'view', v.column_count
FROM duckdb_views() AS v
WHERE NOT v.internal AND NOT v.temporary
ORDER BY name;
