-- forget quarantine — the rejected records that do not belong to the people to forget.
-- Input:  rewrite_quarantine (quarantine_in.sql); variable forget_needles (as in
--         forget_quarantine_hits.sql).
-- Output: view forget_quarantine_kept, with the columns of write/quarantine.sql.
-- Why:    the complement of forget_quarantine_hits.sql, row by row.
CREATE OR REPLACE VIEW forget_quarantine_kept AS
SELECT * FROM rewrite_quarantine
WHERE len(list_filter(getvariable('forget_needles'), lambda n: contains(lower(coalesce(doc, '')), n))) = 0;
