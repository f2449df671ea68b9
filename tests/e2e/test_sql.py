"""`duckpipe sql` and `duckpipe sql --print-setup` with a stock DuckDB shell.

The stock shell is the DuckDB CLI from PyPI (`duckdb-cli`, same engine 1.5.5) with the signed
httpfs extension from the PyPI package `duckdb-extension-httpfs`; signature checks stay on and
autoinstall/autoload are off, so nothing is downloaded. It runs every sql/analytics/*.sql file
against a real MinIO after the printed setup, and must get the answers `duckpipe report --format
json` prints — and, for the tenure histogram, the answer computed from the raw JSON in Python.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import duckdb_extension_httpfs
import pytest

import support
from support import AS_OF

REPO = Path(__file__).resolve().parents[2]
ANALYTICS = sorted((REPO / "sql" / "analytics").glob("*.sql"))


def stock_cli() -> str:
    cli = Path(sys.executable).parent / "duckdb"
    assert cli.is_file(), f"the stock DuckDB CLI (PyPI duckdb-cli) is not installed in the venv: {cli}"
    return str(cli)


def pypi_httpfs() -> str:
    """The extension file shipped by the PyPI package: <package>/extensions/v<version>/httpfs.duckdb_extension."""
    path = Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
    assert path.is_file(), f"duckdb-extension-httpfs does not hold {path}"
    return str(path)


def tenure_histogram(users: list[dict], as_of: str) -> list[dict]:
    """Completed years since registration at the as-of day, every year between the extremes."""
    day = support.parse_ts(as_of).date()
    years = []
    for u in users:
        reg = support.parse_ts(u["registered"]["date"]).date()
        years.append(day.year - reg.year - (1 if (day.month, day.day) < (reg.month, reg.day) else 0))
    counts = Counter(years)
    return [{"years": y, "users": counts.get(y, 0)} for y in range(min(years), max(years) + 1)]


def run_stock(setup: str, sql_file: Path, env: dict[str, str], cwd: Path) -> list[dict]:
    """One stock shell: offline settings, the printed setup (its output discarded), then the file as JSON."""
    script = (
        "SET autoinstall_known_extensions = false;\n"
        "SET autoload_known_extensions = false;\n"
        ".output /dev/null\n"
        f"{setup}\n"
        ".output\n"
        ".mode json\n"
        f".read {sql_file}\n"
    )
    p = subprocess.run([stock_cli(), "-bail", "-no-init"], input=script, env=env, cwd=cwd,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and not p.stderr.strip(), f"stock duckdb failed on {sql_file.name}:\n{p.stdout}\n{p.stderr}"
    return json.loads(p.stdout) if p.stdout.strip() else []


def test_stock_duckdb_shell_after_print_setup_matches_report(dp_s3, minio, bucket, tmp_path):
    users = dp_s3.generate(300, "e2e-print-setup", dp_s3.cwd / "users.json")
    dest = f"s3://{bucket}/lake"
    dp_s3.ok("load", "--source", "file", "--input", str(dp_s3.cwd / "users.json"), "--dest", dest,
             "--as-of", AS_OF, "--format", "json")
    report = dp_s3.ok("report", "--dest", dest, "--as-of", AS_OF, "--top", "5", "--format", "json").json()

    setup = dp_s3.ok("sql", "--print-setup", "--dest", dest, "--as-of", AS_OF, "--top", "5", "--httpfs", pypi_httpfs()).stdout
    # No key or secret is echoed: the shell reads them with getenv().
    for secret in (*dp_s3.keys.values(), minio.secret_key, minio.access_key):
        assert secret not in setup, "--print-setup printed a key or secret"
    for needed in ("getenv('DUCKPIPE_PARQUET_KEY')", "getenv('AWS_SECRET_ACCESS_KEY')", "CREATE OR REPLACE VIEW users", minio.hostport):
        assert needed in setup, f"setup lacks {needed!r}:\n{setup}"

    home = tmp_path / "home"
    home.mkdir()
    env = dp_s3.env(HOME=str(home))
    got = {f.stem: run_stock(setup, f, env, REPO) for f in ANALYTICS}

    # The shell really loaded the signed httpfs with signature checks on (nothing unsigned allowed).
    probe = tmp_path / "probe.sql"
    probe.write_text("SELECT current_setting('allow_unsigned_extensions') AS unsigned_ok, "
                     "(SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'httpfs') AS httpfs;\n")
    assert run_stock(setup, probe, env, REPO) == [{"unsigned_ok": False, "httpfs": True}]

    # Every analytics file is checked: a new file must be added here.
    assert set(got) == {"q1_registration", "q1_tenure", "q2_age", "q2_age_bands", "q2_gender",
                        "q3_top_countries", "q3_top_locations", "q3_leaders"}, sorted(got)
    support.assert_analytics_match_report(got, report)
    assert len(report["top_countries"]) == 5
    # The report itself is right (independently computed), so the shell is right too.
    support.assert_report(report, support.expected_report([(users, AS_OF)], top=5))
    assert got["q1_tenure"] == tenure_histogram(users, AS_OF)
    assert sum(r["users"] for r in got["q1_tenure"]) == len(users)

    # duckpipe sql runs the same files and agrees.
    mine = dp_s3.ok("sql", "--dest", dest, "--as-of", AS_OF, "--format", "json",
                    str(REPO / "sql/analytics/q1_tenure.sql")).stdout
    assert json.loads(mine) == got["q1_tenure"]
    # The shell wrote no persistent secret.
    assert not (home / ".duckdb" / "stored_secrets").exists() or not any((home / ".duckdb" / "stored_secrets").iterdir())


@pytest.fixture
def local_lake(dp):
    users = dp.generate(150, "e2e-sql-local", dp.cwd / "users.json")
    dp.ok("load", "--source", "file", "--input", str(dp.cwd / "users.json"), "--dest", "lake",
          "--as-of", AS_OF, "--format", "json")
    return users


def test_sql_statement_file_and_stdin_agree_with_the_input(dp, local_lake):
    users = local_lake
    query = "SELECT country, count(*) AS users FROM users GROUP BY country ORDER BY users DESC, country"
    want = [{"country": c, "users": n} for c, n in sorted(Counter(u["location"]["country"] for u in users).items(),
                                                              key=lambda kv: (-kv[1], kv[0]))]

    as_json = dp.ok("sql", "--dest", "lake", "--format", "json", "-c", query).stdout
    assert json.loads(as_json) == want

    as_csv = dp.ok("sql", "--dest", "lake", "--format", "csv", "-c", query + ";").stdout.splitlines()
    assert as_csv[0] == "country,users"
    assert as_csv[1:] == [f"{r['country']},{r['users']}" for r in want]

    table = dp.ok("sql", "--dest", "lake", "-c", query).stdout.splitlines()
    assert table[0].split() == ["country", "users"] and set(table[1]) <= {"-", " "}
    assert table[-1] == f"({len(want)} rows)"
    assert table[2].split()[-1] == str(want[0]["users"])

    # Several statements in a file, the variables set from the flags.
    f = dp.cwd / "q.sql"
    f.write_text("-- a comment; with a semicolon\nSELECT getvariable('top_n') AS top_n;\n"
                 "SELECT count(*) AS n FROM users WHERE gender = 'female';\n")
    out = dp.ok("sql", "--dest", "lake", "--top", "7", "--format", "json", str(f)).stdout.splitlines()
    assert [json.loads(line) for line in out] == [[{"top_n": 7}], [{"n": sum(u["gender"] == "female" for u in users)}]]

    # Every column type of the table prints (TIMESTAMPTZ in UTC).
    r = dp.ok("sql", "--dest", "lake", "--format", "json", "-c", "SELECT * FROM users LIMIT 3").stdout
    rows = json.loads(r)
    assert len(rows) == 3 and [c for c, _ in support.EXPECTED_COLUMNS] == list(rows[0])
    assert all(row["loaded_at"].endswith("+00:00") for row in rows), rows

    # Piped stdin (not a terminal): statements are read from it, no prompt.
    p = subprocess.run([dp.binary, "sql", "--dest", "lake", "--format", "json"], input="SELECT count(*) AS n FROM users;",
                       cwd=dp.cwd, env=dp.env(), capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == [{"n": len(users)}]
    assert "duckpipe>" not in p.stdout + p.stderr


def test_sql_masking_functions_and_pseudonyms_match(dp, local_lake):
    users = local_lake
    uuid = users[0]["login"]["uuid"]
    r = dp.ok("sql", "--dest", "lake", "--format", "json", "-c",
              f"SELECT count(*) AS n FROM users WHERE user_id = pseudonym('{uuid}')")
    assert json.loads(r.stdout) == [{"n": 1}]


@pytest.mark.parametrize("statement, why", [
    ("INSTALL httpfs", "never downloads"),
    ("FORCE INSTALL httpfs", "never downloads"),
    ("UPDATE EXTENSIONS", "never downloads"),
    ("SET autoinstall_known_extensions = true", "autoinstall_known_extensions"),
    ("SET autoload_known_extensions = true", "autoload_known_extensions"),
    ("SET allow_unsigned_extensions = true", "allow_unsigned_extensions"),
    ("SET extension_directory = '/tmp'", "extension_directory"),
    ("CREATE PERSISTENT SECRET leak (TYPE s3, KEY_ID 'a', SECRET 'b')", "plain text to disk"),
])
def test_sql_refuses_statements_that_break_the_guarantees(dp, local_lake, tmp_path, statement, why):
    home = tmp_path / "home"
    home.mkdir()
    r = dp("sql", "--dest", "lake", "-c", f"SELECT 1 AS before; {statement}; SELECT 2 AS after",
           env=dp.env(HOME=str(home)))
    assert r.returncode == 2, r.describe()
    assert "refused" in r.stderr and why in r.stderr, r.describe()
    assert "statement 2" in r.stderr, r.describe()
    assert "before" in r.stdout and "after" not in r.stdout, r.describe()
    assert not (home / ".duckdb").exists(), "something was written to ~/.duckdb"


def test_sql_errors_are_sanitized_with_engine_exit_code(dp, local_lake):
    # The conversion error would echo a pseudonym; the message must not.
    r = dp("sql", "--dest", "lake", "-c", "SELECT CAST(user_id AS INTEGER) FROM users")
    assert r.returncode == 4, r.describe()
    assert "Conversion Error" in r.stderr, r.describe()
    pseudonyms = json.loads(dp.ok("sql", "--dest", "lake", "--format", "json", "-c", "SELECT user_id FROM users").stdout)
    assert not any(p["user_id"] in r.stderr for p in pseudonyms), r.describe()
    assert "panicked" not in r.stderr and "RUST_BACKTRACE" not in r.stderr

    r = dp("sql", "--dest", "lake", "-c", "SELEC 1")
    assert r.returncode == 4 and "Parser Error" in r.stderr, r.describe()
    r = dp("sql", "--dest", "lake", str(dp.cwd / "missing.sql"))
    assert r.returncode == 2 and "missing.sql" in r.stderr, r.describe()
    r = dp("sql", "--dest", "lake", "-c", "-- nothing")
    assert r.returncode == 2 and "no SQL statement" in r.stderr, r.describe()


def test_sql_prompt_on_a_terminal(dp, local_lake):
    """With a terminal on stdin: a prompt, statements over several lines, errors shown and the session goes on."""
    import os
    import pty
    import select
    import time

    master, slave = pty.openpty()
    p = subprocess.Popen([dp.binary, "sql", "--dest", "lake"], stdin=slave, stdout=slave, stderr=slave,
                         cwd=dp.cwd, env=dp.env(TERM="dumb"))
    os.close(slave)
    out = b""

    def read_until(marker: bytes, timeout: float = 60) -> None:
        nonlocal out
        deadline = time.time() + timeout
        while marker not in out and time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    out += os.read(master, 65536)
                except OSError:
                    break
        assert marker in out, f"no {marker!r} in the session:\n{out.decode(errors='replace')}"

    try:
        read_until(b"duckpipe> ")
        os.write(master, b"SELECT count(*) AS n\r")
        read_until(b"..> ")
        os.write(master, b"FROM users;\r")
        read_until(f"{len(local_lake)}".encode())
        os.write(master, b"INSTALL httpfs;\r")
        read_until(b"refused")
        os.write(master, b"SELECT 40 + 2 AS answer;\r")
        read_until(b"42")
        os.write(master, f".read {REPO / 'sql/analytics/q1_registration.sql'}\r".encode())
        read_until(b"avg_years")
        os.write(master, b".quit\r")
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)
