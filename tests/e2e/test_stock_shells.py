"""The stock-shell path for every DuckDB client (issue 16): `sql --print-setup --client python`
run by the duckdb Python package — 1.5.5 against MinIO, and the newest release on PyPI (2.0.x,
a second pinned venv: tests/e2e/requirements-duckdb2.txt) against a local lake — runs every
sql/analytics file and must match `duckpipe report`; a key that is not exported is named as such;
`as_of` is the time of the query unless fixed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import support
from support import AS_OF
from test_sql import ANALYTICS, pypi_httpfs, stock_cli

REPO = Path(__file__).resolve().parents[2]

RUN_ALL = """
import json, sys
exec(open(sys.argv[1]).read())
out = {"version": duckdb.__version__}
for path in sys.argv[2:]:
    rel = con.sql(open(path).read())
    out[path.rsplit("/", 1)[-1][:-4]] = [dict(zip(rel.columns, row)) for row in rel.fetchall()]
print(json.dumps(out, default=str))
"""


def duckdb2_python() -> str:
    python = os.environ.get("DUCKPIPE_DUCKDB2_PYTHON") or str(Path.home() / ".cache/duckpipe/venv-duckdb2/bin/python")
    if not Path(python).is_file():
        pytest.fail(f"no Python with the newest duckdb at {python} (scripts/test.sh makes it; or set DUCKPIPE_DUCKDB2_PYTHON)",
                    pytrace=False)
    return python


def run_python_setup(python: str, setup: Path, env: dict, cwd: Path) -> dict:
    p = subprocess.run([python, "-c", RUN_ALL, str(setup), *map(str, ANALYTICS)], env=env, cwd=cwd,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"{python} failed on the setup:\n{p.stdout}\n{p.stderr}"
    return json.loads(p.stdout)


def test_python_form_with_duckdb_155_against_minio(dp_s3, minio, bucket, tmp_path):
    users = dp_s3.generate(200, "e2e-python-setup", dp_s3.cwd / "users.json")
    dest = f"s3://{bucket}/lake"
    dp_s3.ok("load", "--input", str(dp_s3.cwd / "users.json"), "--dest", dest, "--as-of", AS_OF, "--format", "json")
    report = dp_s3.ok("report", "--dest", dest, "--as-of", AS_OF, "--top", "5", "--format", "json").json()
    support.assert_report(report, support.expected_report([(users, AS_OF)], top=5))
    setup = dp_s3.ok("sql", "--print-setup", "--client", "python", "--dest", dest, "--as-of", AS_OF, "--top", "5",
                     "--httpfs", pypi_httpfs()).stdout
    for secret in (*dp_s3.keys.values(), minio.secret_key, minio.access_key):
        assert secret not in setup, "--print-setup printed a key or secret"
    assert "getenv(" not in setup, "getenv() exists only in the DuckDB CLI"
    path = tmp_path / "setup.py"
    path.write_text(setup)
    got = run_python_setup(sys.executable, path, dp_s3.env(HOME=str(tmp_path)), REPO)
    assert got["version"] == "1.5.5"
    support.assert_analytics_match_report(got, report)


def test_python_form_with_the_newest_duckdb_on_a_local_lake(dp, tmp_path):
    users = dp.generate(200, "e2e-duckdb2", dp.cwd / "users.json")
    dp.ok("load", "--input", str(dp.cwd / "users.json"), "--dest", "lake", "--as-of", AS_OF, "--format", "json")
    report = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--format", "json").json()
    support.assert_report(report, support.expected_report([(users, AS_OF)]))
    path = dp.cwd / "setup.py"
    path.write_text(dp.ok("sql", "--print-setup", "--client", "python", "--dest", "lake", "--as-of", AS_OF).stdout)
    python = duckdb2_python()
    got = run_python_setup(python, path, dp.env(HOME=str(tmp_path)), dp.cwd)
    assert got["version"].startswith("2."), f"{python} has duckdb {got['version']}, not the 2.x release"
    support.assert_analytics_match_report(got, report)
    # And 1.5.5 on the same lake and setup.
    got = run_python_setup(sys.executable, path, dp.env(HOME=str(tmp_path)), dp.cwd)
    support.assert_analytics_match_report(got, report)


def test_a_key_not_exported_is_named_and_as_of_is_the_time_of_the_query(dp, tmp_path):
    dp.generate(50, "e2e-as-of", dp.cwd / "users.json")
    dp.ok("load", "--input", str(dp.cwd / "users.json"), "--dest", "lake", "--as-of", AS_OF, "--format", "json")
    setup = dp.ok("sql", "--print-setup", "--dest", "lake").stdout
    assert not any(line.startswith("SET VARIABLE as_of") for line in setup.splitlines()), setup
    (dp.cwd / "setup.sql").write_text(setup)
    query = dp.cwd / "q.sql"
    query.write_text(".mode json\n.read " + str(REPO / "sql/analytics/q1_registration.sql") + "\n")

    # The key is not in the shell's environment: the setup says so, not "invalid AES key".
    without = support.clean_env({"HOME": str(tmp_path)})
    p = subprocess.run([stock_cli(), "-init", "setup.sql", "-c", "SELECT 1"], cwd=dp.cwd, env=without,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode != 0 and "DUCKPIPE_PARQUET_KEY is not set here" in p.stderr, p.stderr
    assert "set -a; . ./.env; set +a" in p.stderr and "AES" not in p.stderr, p.stderr

    # as_of unset: the query's own day. (The report is asked for the days around the query, so
    # the check holds across midnight.)
    before = datetime.now(timezone.utc).date()
    p = subprocess.run([stock_cli(), "-bail", "-no-init"], input=setup + f"\n.read {query}\n", cwd=dp.cwd,
                       env=dp.env(HOME=str(tmp_path)), capture_output=True, text=True, timeout=120)
    after = datetime.now(timezone.utc).date()
    assert p.returncode == 0, p.stderr
    [got] = json.loads(p.stdout[p.stdout.index("["):])
    days = {d.isoformat() for d in (before, after)}
    wanted = [dp.ok("report", "--dest", "lake", "--as-of", d, "--format", "json").json()["registration"] for d in days]
    assert {"avg_days": got["avg_days"], "avg_years": got["avg_years"]} in wanted, (got, wanted)
    fixed = dp.ok("report", "--dest", "lake", "--as-of", AS_OF, "--format", "json").json()["registration"]
    assert fixed not in wanted or before.isoformat() == AS_OF[:10], "the check would not tell a fixed as_of"
