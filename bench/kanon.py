"""k-anonymity utility: what `load --min-k K` keeps of the three answers (docs/privacy.md).

For each size: synthetic users (`duckpipe generate`), loaded once plainly and once with
`--min-k K` into local lakes; both lakes are read back with the key (Python duckdb, not duckpipe's
SQL) and compared user by user (joined on user_id):

- Q1: `report`'s registration answer is the same;
- the share of users whose stored ten-year age band is the one they have without --min-k;
- the top-10 countries (names and counts) and the top city are the same;
- suppressed = 0;
- k = the smallest (gender, age_band, country, city) class, counted here.

    python bench/kanon.py [--users 10000,100000] [--k 5] [--markdown]

Needs DUCKPIPE_BIN (a release build) and the Python duckdb package.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import duckdb

AS_OF = "2026-11-25T00:00:00Z"


def run(binary: str, args: list[str], cwd: Path, env: dict) -> str:
    p = subprocess.run([binary, "-q", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"duckpipe {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p.stdout


def rows(lake: Path, key: str) -> list[tuple]:
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"PRAGMA add_parquet_key('duckpipe', '{key}')")
    files = [str(p) for p in sorted(lake.rglob("users/*/*.parquet"))]
    return con.execute(
        "SELECT user_id, gender, age_band, country, city FROM read_parquet(?, encryption_config = {footer_key: 'duckpipe'})",
        [files],
    ).fetchall()


def measure(binary: str, users: int, k: int, work: Path) -> dict:
    env = {k_: v for k_, v in os.environ.items() if not k_.startswith(("DUCKPIPE_", "AWS_"))}
    for name in ("DUCKPIPE_PARQUET_KEY", "DUCKPIPE_HMAC_KEY", "DUCKPIPE_QUARANTINE_KEY"):
        env[name] = base64.b64encode(os.urandom(32)).decode()
    data = work / f"users-{users}.ndjson"
    run(binary, ["generate", "--count", str(users), "--seed", f"kanon-{users}", "--as-of", AS_OF, "--ndjson", "--out", str(data)], work, env)
    out = {}
    for name, extra in (("plain", []), ("anon", ["--min-k", str(k)])):
        lake = work / f"lake-{name}-{users}"
        out[name] = json.loads(run(binary, ["load", "--source", "file", "--input", str(data), "--dest", str(lake),
                                            "--as-of", AS_OF, "--format", "json", *extra], work, env))
        out[name]["rows"] = rows(lake, env["DUCKPIPE_PARQUET_KEY"])
    plain = {r[0]: r for r in out["plain"]["rows"]}
    anon = out["anon"]["rows"]
    kept_band = sum(1 for r in anon if plain[r[0]][2] == r[2])
    classes = Counter((r[1], r[2], r[3], r[4]) for r in anon)
    p_rep, a_rep = out["plain"]["report"], out["anon"]["report"]
    counts = out["anon"]["run"]["counts"]
    return {
        "users": users,
        "k": min(classes.values()),
        "suppressed": counts["suppressed"],
        "q1_unchanged": p_rep["registration"] == a_rep["registration"],
        "ten_year_band_kept": kept_band / users,
        "top10_countries_unchanged": p_rep["top_countries"] == a_rep["top_countries"],
        "top_city_unchanged": p_rep["top_locations"][:1] == a_rep["top_locations"][:1],
        "top_city": p_rep["top_locations"][0],
        "city_other": sum(1 for r in anon if r[4] == "(other)") / users,
        "country_other": sum(1 for r in anon if r[3] == "(other)") / users,
        "gender_unchanged": p_rep["gender"] == a_rep["gender"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", default="10000,100000")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--markdown", action="store_true", help="print the table for docs/privacy.md")
    args = ap.parse_args()
    binary = os.environ.get("DUCKPIPE_BIN") or sys.exit("set DUCKPIPE_BIN to a duckpipe release build")
    results = []
    with tempfile.TemporaryDirectory(prefix="duckpipe-kanon-") as tmp:
        for n in (int(x) for x in args.users.split(",")):
            results.append(measure(binary, n, args.k, Path(tmp)))
            print(json.dumps(results[-1], ensure_ascii=False), file=sys.stderr)
    if args.markdown:
        print(f"| users | K | k | suppressed | Q1 unchanged | ten-year band kept | top-10 countries unchanged | top city unchanged | city → (other) | country → (other) |")
        print("|---:|---:|---:|---:|---|---:|---|---|---:|---:|")
        for r in results:
            yes = lambda b: "yes" if b else "**no**"
            print(f"| {r['users']:,} | {args.k} | {r['k']} | {r['suppressed']} | {yes(r['q1_unchanged'])} | "
                  f"{100 * r['ten_year_band_kept']:.1f} % | {yes(r['top10_countries_unchanged'])} | "
                  f"{yes(r['top_city_unchanged'])} | {100 * r['city_other']:.1f} % | {100 * r['country_other']:.1f} % |")
    else:
        print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
