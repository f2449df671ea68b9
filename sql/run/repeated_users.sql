-- repeated users — rows of the run whose user_id an earlier row of the run has too.
-- Input:  {{relation}}: the run's users about to be written (masked_users or generalized_users).
-- Output: repeated (BIGINT).
-- Why:    the run record says whether the run holds a user twice, so that readers know whether
--         each user is stored once (docs/runs.md). Distinct 64-bit hashes of the pseudonyms, not
--         the 64-character pseudonyms, keep this cheap; a collision could only make two users
--         look like one, which makes readers apply "latest load wins" when they need not —
--         never the reverse.
SELECT count(*) - count(DISTINCT hash(user_id)) AS repeated FROM {{relation}};
