-- set_aside_users — the records a streamed load set aside, numbered, as raw_users.
-- Input:  raw_users (raw_users_from_file.sql, numbered: the same file again); table
--         set_aside(hash UBIGINT): the hashes set_aside() received (streamed_users.sql).
-- Output: table set_aside_lines, then raw_users as a view over it: every line whose text has one of
--         those hashes, and every line with a problem, with its position in the file (seq).
-- Why:    the run-level steps (run/) and the quarantine need these records, and their positions,
--         which the parallel first pass cannot give. Whether a record is set aside depends on its
--         text alone, so every line with a kept hash is one; a clean line whose hash collides is
--         dropped again when it is staged (src/pipeline/stage.rs). Only hashes and lengths are
--         computed here, no JSON is parsed.
CREATE OR REPLACE TEMP TABLE set_aside_lines AS
SELECT doc, problem, seq
FROM raw_users
WHERE problem IS NOT NULL
   OR hash(doc) IN (SELECT hash FROM set_aside);

CREATE OR REPLACE VIEW raw_users AS
SELECT doc, problem, seq FROM set_aside_lines;
