"""Issue 13, item 5: the `duckpipe sql` guard on DuckDB's own terms, against a corpus of bypass
attempts (comments between keywords, case and whitespace, dollar-quoted and E'' strings, nested
comments, multi-statement inputs, PRAGMA and SET variants, IN local_file, SET GLOBAL).

Each attempt is followed in the same input by a statement that prints a marker; a refused attempt
must stop the input before it (exit 2, "refused", the statement's position), contact nothing on
the network (a listener on 127.0.0.1 counts connections), write nothing under HOME and change no
setting. Ordinary work must still run.
"""

from __future__ import annotations

import json
import socket
import threading

import pytest

from support import AS_OF


@pytest.fixture(scope="module")
def listener():
    """A TCP port that counts the connections made to it (an INSTALL FROM … would be one)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    hits = []

    def accept():
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            hits.append(1)
            c.close()

    threading.Thread(target=accept, daemon=True).start()
    yield s.getsockname()[1], hits
    s.close()


@pytest.fixture
def lake(dp):
    dp.generate(60, "e2e-sql-guard", dp.cwd / "users.json")
    dp.ok("load", "--source", "file", "--input", str(dp.cwd / "users.json"), "--dest", "lake", "--as-of", AS_OF,
          "--format", "json")
    return "lake"


def attempts(port: int) -> list[tuple[str, str]]:
    url = f"'http://127.0.0.1:{port}'"
    return [
        # Downloads and code, with comments, case and whitespace between the keywords.
        ("INSTALL httpfs", "never downloads"),
        (f"INSTALL/**/xyz FROM {url}", "never downloads"),
        (f"install\n-- c\n\tXYZ from {url}", "never downloads"),
        (f"FoRcE /* x */ InStAlL httpfs FROM {url}", "never downloads"),
        ("LOAD httpfs", "never downloads"),
        ("UPDATE/**/EXTENSIONS", "never downloads"),
        (f"EXPLAIN ANALYZE INSTALL xyz FROM {url}", "EXPLAIN ANALYZE runs"),
        # Statements hidden where a naive splitter's strings and comments differ from DuckDB's.
        (f"SELECT E'\\''; INSTALL xyz FROM {url}; --'", "never downloads"),
        (f"SELECT $t$ ; $t$ AS a; INSTALL xyz FROM {url}", "never downloads"),
        (f"SELECT 1 AS a$b; INSTALL xyz FROM {url}", "never downloads"),
        (f"SELECT 1 /* /* nested */ */; INSTALL xyz FROM {url}", "never downloads"),
        (f"SELECT 'a;b' AS x; /* ; */ INSTALL xyz FROM {url}", "never downloads"),
        # Settings: SET, SET GLOBAL / SESSION, RESET, PRAGMA name = value, comments inside.
        ("SET/**/autoinstall_known_extensions=true", "autoinstall_known_extensions is locked"),
        ("SET GLOBAL autoload_known_extensions = true", "autoload_known_extensions is locked"),
        ("set session allow_unsigned_extensions = TRUE", "allow_unsigned_extensions is locked"),
        ("SET temp_file_encryption = false", "temp_file_encryption is locked"),
        ("SET GLOBAL temp_file_encryption = false", "temp_file_encryption is locked"),
        ("RESET extension_directory", "extension_directory is locked"),
        ("SET custom_extension_repository = 'http://127.0.0.1:1'", "custom_extension_repository is locked"),
        ("PRAGMA enable_external_access = true", "enable_external_access is locked"),
        ("PRAGMA/**/allow_persistent_secrets = true", "allow_persistent_secrets is locked"),
        ("SET secret_directory = '/tmp/duckpipe-secrets'", "secret_directory is locked"),
        ("SET lock_configuration = false", "lock_configuration is locked"),
        ("RESET lock_configuration", "lock_configuration is locked"),
        ("SET allow_unredacted_secrets = true", "allow_unredacted_secrets is locked"),
        # Secrets anywhere but in memory.
        ("CREATE PERSISTENT SECRET leak (TYPE s3, KEY_ID 'a', SECRET 'b')", "plain text to disk"),
        ("CREATE OR REPLACE PERSISTENT SECRET leak (TYPE s3, KEY_ID 'a', SECRET 'b')", "plain text to disk"),
        ("CREATE SECRET leak IN local_file (TYPE s3, KEY_ID 'a', SECRET 'b')", "plain text to disk"),
        ("create /* x */ secret leak in LOCAL_FILE (type s3, key_id 'a', secret 'b')", "plain text to disk"),
    ]


def test_the_bypass_corpus_is_refused(dp, lake, listener, tmp_path):
    port, hits = listener
    home = tmp_path / "home"
    home.mkdir()
    env = dp.env(HOME=str(home))
    corpus = attempts(port)
    for attempt, why in corpus:
        script = f"SELECT 'before' AS marker; {attempt}; SELECT 'after' AS marker"
        r = dp("sql", "--dest", lake, "--format", "json", "-c", script, env=env)
        label = f"{attempt!r}:\n{r.describe()}"
        assert r.returncode == 2, label
        assert "refused" in r.stderr and why in r.stderr, label
        # The attempt is statement 2 to DuckDB; what DuckDB sees as a statement before it ran.
        assert "statement 2" in r.stderr or "statement 3" in r.stderr, label
        assert '"before"' in r.stdout and '"after"' not in r.stdout, label
        assert "panicked" not in r.stderr
    assert hits == [], f"{len(hits)} network connections: something tried to download"
    assert not any(home.rglob("*")), f"files written under HOME: {list(home.rglob('*'))}"


def test_settings_stay_as_duckpipe_set_them(dp, lake):
    r = dp.ok("sql", "--dest", lake, "--format", "json", "-c",
              "SELECT current_setting('lock_configuration') AS locked, current_setting('allow_persistent_secrets') AS p, "
              "current_setting('autoinstall_known_extensions') AS ai, current_setting('autoload_known_extensions') AS al, "
              "current_setting('allow_unsigned_extensions') AS u, current_setting('allow_community_extensions') AS c, "
              "current_setting('temp_file_encryption') AS t")
    assert json.loads(r.stdout) == [{"locked": True, "p": False, "ai": False, "al": False, "u": False, "c": False, "t": True}]


def test_ordinary_work_still_runs(dp, lake, tmp_path):
    out = tmp_path / "countries.csv"
    script = (
        "SELECT 'INSTALL httpfs; SET x = 1' AS text_is_not_a_statement;"
        "SET VARIABLE n = 3; SELECT getvariable('n') AS n, getvariable('top_n') AS top_n;"
        "CREATE TEMP TABLE t AS SELECT country, count(*) AS users FROM users GROUP BY ALL;"
        "CREATE SECRET mem (TYPE s3, KEY_ID 'a', SECRET 'b'); SELECT name, storage FROM duckdb_secrets() WHERE name = 'mem';"
        "PRAGMA table_info('t');"
        f"COPY t TO '{out}' (HEADER);"
        "SELECT $$a;b$$ AS dollars, E'it\\'s' AS escaped /* ; */;"
        "WITH installed AS (SELECT 1 AS x) SELECT * FROM installed;"
    )
    r = dp.ok("sql", "--dest", lake, "--format", "json", "-c", script)
    blocks = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert blocks[0] == [{"text_is_not_a_statement": "INSTALL httpfs; SET x = 1"}]
    assert blocks[1] == [{"n": 3, "top_n": 10}]
    assert [{"name": "mem", "storage": "memory"}] in blocks
    assert any(b and b[0].get("name") == "country" for b in blocks), blocks
    assert [{"dollars": "a;b", "escaped": "it's"}] in blocks
    assert blocks[-1] == [{"x": 1}]
    assert out.read_text().splitlines()[0] == "country,users"
