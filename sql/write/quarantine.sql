-- quarantine object — the rejected records of the run, without credentials, with their reasons.
-- Input:  rejected_users (run/rejected_users.sql), staged_users (stage/staged_users.sql: holds the
--         raw JSON of every user that may be rejected); variables run_id, loaded_at,
--         credential_patch (VARCHAR: a JSON merge patch that deletes every credential field, e.g.
--         {"login": {"password": null, …}}) and credential_keys (VARCHAR: the credential fields'
--         names as a regular-expression alternation), both from src/schema/fields.rs; the
--         quarantine's own key, registered as {{key_name}}.
-- Output: one encrypted Parquet object at {{output_path}}
--         (<dest>/quarantine/<run_id>/part-<attempt>-0.parquet), written only when someone was
--         rejected: seq, reason, doc, run_id, loaded_at.
-- Why:    nothing is silently lost: each rejected record can be inspected with the quarantine
--         key, fixed at the source and loaded again. It is personal data, encrypted under a key
--         analysts do not hold (docs/privacy.md, "Quarantine"). Credentials are never kept: a
--         record that parsed loses every credential field (the merge patch deletes each key
--         wherever it occurs in `login`, duplicates and escaped spellings included, and touches
--         nothing if `login` is not an object); a line that did not parse has no structure to
--         trust, so the value after any credential-named key is blanked in the text, best effort.
--         A record over the maximum record size has no doc (its bytes were never held); one that
--         is not UTF-8 text has its invalid bytes replaced by U+FFFD.
COPY (
    SELECT
        q.seq,
        q.reason,
        CASE
            WHEN r.parsed AND json_type(r.doc, '$.login') = 'OBJECT'
                THEN CAST(json_merge_patch(r.doc, getvariable('credential_patch')) AS VARCHAR)
            WHEN r.parsed
                THEN r.doc
            ELSE regexp_replace(
                r.doc,
                '"(' || getvariable('credential_keys') || ')"(\s*):(\s*)("(\\.|[^"\\])*"?|[^,}\]\s]*)',
                '"\1"\2:\3"(removed)"',
                'g'
            )
        END                                           AS doc,
        CAST(getvariable('run_id') AS VARCHAR)        AS run_id,
        CAST(getvariable('loaded_at') AS TIMESTAMPTZ) AS loaded_at
    FROM rejected_users AS q
    JOIN staged_users AS r ON r.rowid = q.staged_row
    ORDER BY q.seq
)
TO {{output_path}}
(FORMAT parquet, COMPRESSION zstd, ENCRYPTION_CONFIG {footer_key: {{key_name}}});
