-- run record on S3 — the run's commit, written last.
-- Input:  one parameter: the record's JSON text (compact, one line).
-- Output: the object {{record_path}} = <dest>/runs/<run_id>.json holding exactly that text.
-- Why:    httpfs writes objects only through COPY: one VARCHAR value written as CSV without
--         quoting, escaping or header is the text itself (compact JSON has no newline or 0x1f).
COPY (SELECT ?::VARCHAR) TO {{record_path}} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f');
