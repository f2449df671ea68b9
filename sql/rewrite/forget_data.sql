-- forget data — the rows of the rewritten data objects that do not belong to the people to forget.
-- Input:  rewrite_data (data_in.sql); variable forget_pseudonyms (as in forget_data_hits.sql).
-- Output: view forget_data_kept, with the columns of write/users.sql.
-- Why:    erasure by keyed pseudonym: user_id is pseudonym(login.uuid), email_pseudonym is
--         pseudonym(lower(trim(email))); either one matching removes the row.
CREATE OR REPLACE VIEW forget_data_kept AS
SELECT * FROM rewrite_data
WHERE NOT coalesce(list_contains(getvariable('forget_pseudonyms'), user_id), false)
  AND NOT coalesce(list_contains(getvariable('forget_pseudonyms'), email_pseudonym), false);
