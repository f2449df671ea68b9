"""Baseline (b): the same de-identification as `duckpipe load --source file`, written as one
DuckDB SQL statement in Python — DuckDB reads the NDJSON itself (read_json, in parallel), takes
the fields by struct access, hashes identifiers with sha256() and writes encrypted Parquet with
COPY ... ENCRYPTION_CONFIG. This is what "just use DuckDB" costs; duckpipe should not be slower.

    python sql_pipeline.py INPUT.ndjson OUT_DIR AS_OF

The Parquet key comes from DUCKPIPE_PARQUET_KEY (the same key duckpipe uses). Prints one JSON
line: {"rows": N}.
"""

import json
import os
import sys

import duckdb

from common import httpfs_extension_path, sql_quote

# The output columns duckpipe writes (sql/stage/masked_rows.sql), with sha256 standing in for the keyed
# HMAC pseudonym: the same fields are read, parsed, hashed and written.
QUERY = """
SELECT
    sha256(login.uuid)                                            AS user_id,
    sha256(lower(trim(email)))                                    AS email_pseudonym,
    gender,
    date_diff('year', CAST(dob.date AS TIMESTAMPTZ) AT TIME ZONE 'UTC', getvariable('as_of'))
        - CASE WHEN strftime(getvariable('as_of'), '%m%d%H%M%S')
                    < strftime(CAST(dob.date AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%m%d%H%M%S')
               THEN 1 ELSE 0 END                                  AS age,
    CAST(CAST(registered.date AS TIMESTAMPTZ) AS DATE)            AS registered_date,
    location.country                                              AS country,
    location.city                                                 AS city,
    nat
FROM read_json({input}, format = 'newline_delimited', columns = {{
    gender: 'VARCHAR', email: 'VARCHAR', nat: 'VARCHAR',
    login: 'STRUCT(uuid VARCHAR)',
    dob: 'STRUCT(date VARCHAR)',
    registered: 'STRUCT(date VARCHAR)',
    location: 'STRUCT(city VARCHAR, country VARCHAR)'
}})
"""


def main() -> None:
    src, out_dir, as_of = sys.argv[1], sys.argv[2], sys.argv[3]
    con = duckdb.connect()
    con.execute(f"LOAD {sql_quote(httpfs_extension_path())}")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"PRAGMA add_parquet_key('bench', {sql_quote(os.environ['DUCKPIPE_PARQUET_KEY'])})")
    con.execute(f"SET VARIABLE as_of = CAST({sql_quote(as_of)} AS TIMESTAMPTZ) AT TIME ZONE 'UTC'")
    query = QUERY.format(input=sql_quote(src))
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, "part-0.parquet")
    # One streaming statement: DuckDB never holds the whole input.
    con.execute(
        f"COPY (SELECT *, age // 10 * 10 || '-' || (age // 10 * 10 + 9) AS age_band FROM ({query})) "
        f"TO {sql_quote(target)} (FORMAT parquet, COMPRESSION zstd, ENCRYPTION_CONFIG {{footer_key: 'bench'}})"
    )
    rows = con.execute(
        f"SELECT count(*) FROM read_parquet({sql_quote(target)}, encryption_config = {{footer_key: 'bench'}})"
    ).fetchone()[0]
    print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
