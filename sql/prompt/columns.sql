-- The prompt's `.schema [TABLE]`: the columns of the session's tables and views.
-- Input:  DuckDB's catalog (duckdb_columns()); parameter 1 = a table name, or '' for every table
--         (compared without regard to case, as DuckDB compares names).
-- Output: table, column, type — by table, then in column order.
-- Why:    the shape of what can be queried, without the view's text (which names every object
--         of the lake).
SELECT c.table_name AS "table", c.column_name AS "column", c.data_type AS "type"
FROM duckdb_columns() AS c
WHERE NOT c.internal
  AND ($1 = '' OR lower(c.table_name) = lower($1))
ORDER BY c.table_name, c.column_index;
