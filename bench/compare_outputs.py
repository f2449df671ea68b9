"""Checks that two pipelines wrote the same users: the nine output columns of every row, as a
multiset (row order may differ). Each side is a folder; a duckpipe destination is recognised by
its users/ folder and read with DUCKPIPE_PARQUET_KEY, anything else is read as plain Parquet
(dlt's own _dlt_* columns are ignored). Prints the counts and one example of each kind of
difference, never a key.

    python compare_outputs.py DIR_A DIR_B
"""

import json
import os
import sys
from pathlib import Path

import duckdb

from common import httpfs_extension_path, sql_quote

COLUMNS = "user_id, email_pseudonym, gender, age, age_band, registered_date, country, city, nat"


def relation(con: duckdb.DuckDBPyConnection, folder: Path) -> str:
    if (folder / "users").is_dir() and (folder / "runs").is_dir():
        files = sql_quote(str(folder / "users" / "*" / "*.parquet"))
        return f"(SELECT {COLUMNS} FROM read_parquet({files}, encryption_config = {{footer_key: 'cmp'}}))"
    files = [str(p) for p in sorted(folder.rglob("*.parquet")) if "/pipelines/" not in str(p)]
    if not files:
        raise SystemExit(f"no Parquet under {folder}")
    listed = "[" + ", ".join(sql_quote(f) for f in files) + "]"
    return f"(SELECT {COLUMNS} FROM read_parquet({listed}))"


def main() -> None:
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    con = duckdb.connect()
    con.execute(f"LOAD {sql_quote(httpfs_extension_path())}")
    con.execute(f"PRAGMA add_parquet_key('cmp', {sql_quote(os.environ['DUCKPIPE_PARQUET_KEY'])})")
    ra, rb = relation(con, a), relation(con, b)
    result = {
        "rows_a": con.execute(f"SELECT count(*) FROM {ra}").fetchone()[0],
        "rows_b": con.execute(f"SELECT count(*) FROM {rb}").fetchone()[0],
        "only_in_a": con.execute(f"SELECT count(*) FROM ({ra} EXCEPT ALL {rb})").fetchone()[0],
        "only_in_b": con.execute(f"SELECT count(*) FROM ({rb} EXCEPT ALL {ra})").fetchone()[0],
        "types_a": [r[1] for r in con.execute(f"DESCRIBE {ra}").fetchall()],
        "types_b": [r[1] for r in con.execute(f"DESCRIBE {rb}").fetchall()],
    }
    if result["only_in_a"]:
        result["example_a"] = [str(v) for v in con.execute(f"SELECT * FROM ({ra} EXCEPT ALL {rb}) LIMIT 1").fetchone()]
    if result["only_in_b"]:
        result["example_b"] = [str(v) for v in con.execute(f"SELECT * FROM ({rb} EXCEPT ALL {ra}) LIMIT 1").fetchone()]
    print(json.dumps(result))
    if result["only_in_a"] or result["only_in_b"] or result["rows_a"] != result["rows_b"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
