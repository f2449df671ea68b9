-- verify object — every column of every row group of one object, decrypted.
-- Input:  {{object}}: one object (a quoted literal); the Parquet key {{key_name}}.
-- Output: one value, ignored.
-- Why:    queries read only the columns they need, so only reading all of them makes AES-GCM
--         authenticate every page and find damage anywhere (runs --verify, damage reports).
SELECT bit_xor(hash(COLUMNS(*)))
FROM read_parquet({{object}}, hive_partitioning = false, encryption_config = {footer_key: {{key_name}}});
