-- users_read_once — the rows of view `users`, read from the objects once, for a report's questions.
-- Input:  view users (users_view.sql or users_latest_view.sql).
-- Output: table users_read_once; view users redefined over it, with the same columns.
-- Why:    every question reads `users`, so a lake of many small objects was fetched and decrypted
--         once per question; duckpipe reads such a lake once when it is small enough to hold (see
--         lake::users_view::read_once). The redefinition keeps the analytics files unchanged.
CREATE OR REPLACE TABLE users_read_once AS
FROM users;
CREATE OR REPLACE VIEW users AS
FROM users_read_once;
