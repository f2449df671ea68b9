"""Issue 12: the lake refuses what would corrupt it, and a non-zero exit never means "committed".

One test (or a few) per reproduced problem, against a local directory and a real MinIO where it
applies, asserting on what ends up in the lake (records, objects, `report` answers), not only on
exit codes. Kill -9 and concurrent loads are in tests/e2e/test_lake_faults.py.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from pathlib import Path

import pytest

import support
from conftest import Duckpipe
from lake_check import Lake, assert_sound
from support import AS_OF

REPO = Path(__file__).resolve().parents[2]


def load(dp, lake, seed, *extra, count=100, env=None, ok=True):
    """`load --format json` of `count` synthetic users: the parsed output (with ok), else the run."""
    args = ["load", "--source", "synthetic", "--count", str(count), "--seed", seed, "--dest", lake.dest,
            "--as-of", AS_OF, "--format", "json", *extra]
    return dp.ok(*args, env=env).json() if ok else dp(*args, env=env)


def other_keys(duckpipe_bin, tmp_path, name="other") -> dict[str, str]:
    r = support.run_duckpipe(duckpipe_bin, ["keygen"], tmp_path / name, support.clean_env())
    return support.parse_keygen(r.stdout)


def no_trace_of(r, *values):
    for v in values:
        assert v not in r.output, "a key reached the output"
    assert "panicked" not in r.output and "backtrace" not in r.output.lower(), r.describe()


# ------------------------------------------------------------------------------------------
# 1. One key set per lake
# ------------------------------------------------------------------------------------------

def test_keys_are_made_only_for_a_lake_without_runs(duckpipe_bin, tmp_path):
    """Reproduced: from a folder without .env, `load --dest <existing lake>` made new keys, wrote
    and committed, and only then failed — breaking the lake for everyone."""
    first, elsewhere = tmp_path / "first", tmp_path / "elsewhere"
    first.mkdir()
    elsewhere.mkdir()
    lake = Lake(dest=str(tmp_path / "lake"), local=tmp_path / "lake")
    no_keys = support.clean_env()
    dp = Duckpipe(duckpipe_bin, first, {}, None)
    load(dp, lake, "k-first", env=no_keys)
    assert (first / ".env").is_file(), "a new lake gets fresh keys"
    before = lake.files()

    r = dp("load", "--source", "synthetic", "--count", "50", "--seed", "k-other", "--dest", lake.dest,
           "--as-of", AS_OF, env=no_keys, cwd=elsewhere)
    assert r.returncode == 2, r.describe()
    assert "DUCKPIPE_PARQUET_KEY is not set" in r.stderr and "already holds runs" in r.stderr, r.describe()
    assert not (elsewhere / ".env").exists(), "keys were made for a lake that has runs"
    assert lake.files() == before, "the refused load wrote into the lake"
    # The key owner is unaffected.
    assert dp.ok("report", "--dest", lake.dest, "--format", "json", env=no_keys).json()["users"] == 100
    assert_sound(dp, lake, env=no_keys)


def test_a_new_lake_with_some_keys_set_names_the_missing_one(duckpipe_bin, keys, tmp_path):
    """Two of the three keys set, no .env, an empty destination: no keys are made (they would
    not match the two given), and the message says what is missing without claiming the lake
    holds runs."""
    dp = Duckpipe(duckpipe_bin, tmp_path, {}, None)
    some = support.clean_env({k: v for k, v in keys.items() if k != "DUCKPIPE_QUARANTINE_KEY"})
    r = dp("load", "--source", "synthetic", "--count", "10", "--dest", str(tmp_path / "lake"), env=some)
    assert r.returncode == 2, r.describe()
    assert "DUCKPIPE_QUARANTINE_KEY is not set" in r.stderr and "already holds runs" not in r.stderr, r.describe()
    assert "duckpipe keygen" in r.stderr, r.describe()
    assert not (tmp_path / ".env").exists() and not (tmp_path / "lake").exists()


@pytest.mark.parametrize("which", ["hmac", "both"])
def test_a_load_with_other_keys_is_refused_before_anything_is_written(where, duckpipe_bin, tmp_path, which):
    """Reproduced: another HMAC key loaded silently (1,000 people counted as 2,000); `keygen >>
    .env` in the wrong folder split an S3 lake."""
    dp, lake = where
    load(dp, lake, "keys-a", count=200)
    before = lake.files()
    other = other_keys(duckpipe_bin, tmp_path)
    if which == "hmac":
        other["DUCKPIPE_PARQUET_KEY"] = dp.keys["DUCKPIPE_PARQUET_KEY"]
        r = load(dp, lake, "keys-a", count=200, env=dp.env(keys=other), ok=False)
        expected = "DUCKPIPE_HMAC_KEY is not the key the 1 run at"
    else:
        # The wrong folder's .env: the keys come from it, not from the environment.
        (dp.cwd / ".env").write_text("".join(f"{k}={v}\n" for k, v in other.items()))
        r = load(dp, lake, "keys-b", env=dp.env(keys={}), ok=False)
        expected = "DUCKPIPE_PARQUET_KEY and DUCKPIPE_HMAC_KEY are not the keys"
        (dp.cwd / ".env").unlink()
    assert r.returncode == 2, r.describe()
    assert expected in r.stderr and "Nothing was written" in r.stderr, r.describe()
    no_trace_of(r, *other.values(), *dp.keys.values())
    assert lake.files() == before, "the refused load wrote into the lake"
    assert dp.ok("report", "--dest", lake.dest, "--format", "json").json()["users"] == 200
    assert_sound(dp, lake)


def test_readers_refuse_a_lake_whose_runs_mix_hmac_keys(where, duckpipe_bin, tmp_path):
    """A run written under another HMAC key, copied in by hand: readers say so instead of
    counting its people a second time."""
    dp, lake = where
    run_a = load(dp, lake, "mix-a")["run"]
    foreign = Lake(dest=str(tmp_path / "foreign"), local=tmp_path / "foreign")
    other = dict(other_keys(duckpipe_bin, tmp_path), DUCKPIPE_PARQUET_KEY=dp.keys["DUCKPIPE_PARQUET_KEY"])
    run_b = load(dp, foreign, "mix-a", env=dp.env(keys=other, s3=False))["run"]
    for rel, data in foreign.files().items():
        lake.put(rel, data)
    before = lake.files()

    for args in (["report"], ["sql", "-c", "SELECT count(*) FROM users"], ["risk"]):
        r = dp(*args, "--dest", lake.dest)
        assert r.returncode == 4, r.describe()
        assert "mixes 2 HMAC keys" in r.stderr and run_b["run_id"] in r.stderr, r.describe()
    v = dp("runs", "--dest", lake.dest, "--verify", "--format", "json")
    assert v.returncode == 4, v.describe()
    assert any("mixes 2 HMAC keys" in f["problem"] for f in json.loads(v.stdout)["findings"]), v.stdout
    # A load refuses it too, and writes nothing.
    r = load(dp, lake, "mix-c", ok=False)
    assert r.returncode == 4 and "inconsistent" in r.stderr, r.describe()
    assert lake.files() == before
    # Removing the foreign record restores the lake.
    lake.remove(f"runs/{run_b['run_id']}.json")
    assert dp.ok("report", "--dest", lake.dest, "--format", "json").json()["users"] == run_a["counts"]["written"]


# ------------------------------------------------------------------------------------------
# 2. Exit codes a scheduler can trust
# ------------------------------------------------------------------------------------------

def _flip_near_end(lake, rel):
    data = bytearray(lake.files()[rel])
    data[-30] ^= 0x01  # inside the encrypted footer: every read of it fails authentication
    lake.put(rel, bytes(data))


def test_a_failure_after_the_commit_is_a_warning_not_a_failed_load(where):
    """Reproduced: with an older object damaged, `load` committed and then failed in its closing
    report (exit 4), so every retry by a scheduler added another copy."""
    dp, lake = where
    old = load(dp, lake, "post-a")["run"]
    other = load(dp, lake, "post-b")["run"]
    _flip_near_end(lake, old["objects"][0]["path"])

    out = load(dp, lake, "post-c", "--run-id", "nightly")  # exit 0
    assert out["outcome"] == "committed" and out["committed"] is True and out["skipped"] is False
    assert out["report"] is None
    assert any(w.startswith("run nightly is recorded at") and "the report over the lake failed" in w
               and old["objects"][0]["path"] in w for w in out["warnings"]), out["warnings"]
    records = lake.records()
    assert sorted(r["run_id"] for r in records.values()) == sorted([old["run_id"], other["run_id"], "nightly"])
    nightly = records["runs/nightly.json"]
    assert nightly == out["run"]
    files = lake.files()
    assert all(len(files[o["path"]]) == o["bytes"] for o in nightly["objects"])

    # The scheduler's retry (same run id, text output): a no-op, with the same warning.
    before = lake.files()
    r = dp("load", "--source", "synthetic", "--count", "100", "--seed", "post-c", "--dest", lake.dest,
           "--as-of", AS_OF, "--run-id", "nightly")
    assert r.returncode == 0, r.describe()
    assert "Run nightly is already recorded" in r.stdout and "warning: run nightly is recorded at" in r.stdout, r.stdout
    assert lake.files() == before, "the retry wrote something"
    assert len(lake.records()) == 3


# ------------------------------------------------------------------------------------------
# 3. Retries always possible
# ------------------------------------------------------------------------------------------

def test_a_run_id_whose_commit_failed_can_be_retried(where):
    """Reproduced: after a failed commit (kill, full disk, refused PUT on runs/), the same
    --run-id failed forever with `Directory … is not empty`. Here the record is removed, which
    is what such a failure leaves: the data objects of an attempt and no record."""
    dp, lake = where
    failed = load(dp, lake, "retry-a", "--run-id", "daily-7")["run"]
    lake.remove("runs/daily-7.json")
    leftovers = sorted(o["path"] for o in failed["objects"])
    orphans = dp.ok("runs", "--dest", lake.dest, "--orphans", "--format", "json").json()["orphans"]
    assert [o["path"] for o in orphans] == leftovers

    again = load(dp, lake, "retry-a", "--run-id", "daily-7")
    assert again["outcome"] == "committed", again
    run = again["run"]
    assert run["attempt"] != failed["attempt"]
    assert all(f"part-{run['attempt']}-" in o["path"] for o in run["objects"]), run["objects"]
    assert not set(o["path"] for o in run["objects"]) & set(leftovers)
    # The leftovers stay visible as orphans; the lake counts the run once.
    assert_sound(dp, lake, expected_users=100)
    orphans = dp.ok("runs", "--dest", lake.dest, "--orphans", "--format", "json").json()["orphans"]
    assert [o["path"] for o in orphans] == leftovers
    assert load(dp, lake, "retry-a", "--run-id", "daily-7")["outcome"] == "already_recorded"
    assert len(lake.records()) == 1


# ------------------------------------------------------------------------------------------
# 6. Records validated on read
# ------------------------------------------------------------------------------------------

def _edit(lake, rel, change):
    record = json.loads(lake.files()[rel])
    change(record)
    lake.put(rel, json.dumps(record).encode())


def _tamperings(a: dict, b: dict):
    """(name, change to the lake, what report/sql say, what runs --verify says)."""
    ra, rb = f"runs/{a['run_id']}.json", f"runs/{b['run_id']}.json"
    a_data = a["objects"][0]

    def named_twice(r):
        r["objects"].append(dict(r["objects"][0]))
        r["counts"]["written"] += r["objects"][0]["rows"]
        r["counts"]["received"] += r["objects"][0]["rows"]

    def path(p):
        def change(r):
            r["objects"][0]["path"] = p
        return change

    def relabel(r):
        r["objects"][0]["kind"] = "quarantine"
        c = r["counts"]
        c["quarantined"], c["written"] = c["written"], 0

    def unbalanced(r):
        r["counts"]["received"] += 1

    def fewer_rows(r):
        r["objects"][0]["rows"] -= 1
        r["counts"]["written"] -= 1
        r["counts"]["received"] -= 1

    rows = b["objects"][0]["rows"]
    return [
        ("copied record", lambda lake: lake.put(f"runs/{b['run_id']} (1).json", lake.files()[rb]),
         f"is the record of run {b['run_id']}", "is the record of run"),
        ("object named twice", lambda lake: _edit(lake, rb, named_twice), "is named 2 times", "is named 2 times"),
        ("path leaving the lake", lambda lake: _edit(lake, rb, path(f"../elsewhere/users/{b['run_id']}/x.parquet")),
         "not a relative path inside the lake", "not a relative path inside the lake"),
        ("glob characters", lambda lake: _edit(lake, rb, path(f"users/{b['run_id']}/*.parquet")),
         "pattern characters", "pattern characters"),
        ("another run's object", lambda lake: _edit(lake, rb, path(a_data["path"])),
         f"keeps those in users/{b['run_id']}/", "is named 2 times"),
        ("relabelled as quarantine", lambda lake: _edit(lake, rb, relabel), f"keeps those in quarantine/{b['run_id']}/",
         "keeps those in quarantine/"),
        ("counts do not balance", lambda lake: _edit(lake, rb, unbalanced), "does not balance", "does not balance"),
        ("wrong row count", lambda lake: _edit(lake, rb, fewer_rows),
         f"holds {rows} rows but its run record says {rows - 1}", f"holds {rows} rows but its run record says {rows - 1}"),
        ("renamed record", lambda lake: (lake.put("runs/renamed.json", lake.files()[rb]), lake.remove(rb)),
         f"is the record of run {b['run_id']}", "is the record of run"),
        ("empty record", lambda lake: lake.put(ra, b""), "is empty", "is empty"),
    ]


def test_records_are_validated_on_read(where):
    """Reproduced: a copied record, an object named twice or by two runs, a path with ../ or glob
    characters, an object relabelled as quarantine, counts that do not balance, wrong row counts
    — all passed `runs --verify` and changed what `report` answered."""
    dp, lake = where
    a = load(dp, lake, "valid-a")["run"]
    b = load(dp, lake, "valid-b", count=80)["run"]
    good = lake.files()
    for name, tamper, readers_say, verify_says in _tamperings(a, b):
        tamper(lake)
        for args in (["report", "--format", "json"], ["sql", "-c", "SELECT count(*) FROM users"]):
            r = dp(*args, "--dest", lake.dest)
            assert r.returncode == 4, f"{name}: {r.describe()}"
            assert readers_say in r.stderr, f"{name}: {r.describe()}"
            assert not r.stdout.strip(), f"{name}: an answer was printed"
        v = dp("runs", "--dest", lake.dest, "--verify", "--format", "json")
        assert v.returncode == 4, f"{name}: {v.describe()}"
        assert verify_says in v.stdout, f"{name}: {v.stdout}"
        if name != "wrong row count":  # a problem of the records themselves: nothing is safe to delete
            o = dp("runs", "--dest", lake.dest, "--orphans")
            assert o.returncode == 4, f"{name}: orphans listed in an inconsistent lake: {o.describe()}"
        # Restore the lake exactly.
        for rel in set(lake.files()) - set(good):
            lake.remove(rel)
        for rel, data in good.items():
            lake.put(rel, data)
    assert_sound(dp, lake, expected_users=180)


# ------------------------------------------------------------------------------------------
# 7. Local paths with any characters
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("char", ["?", "*", "[", "]", "\\"])
def test_glob_characters_in_a_local_path_are_refused_before_writing(dp, tmp_path, char):
    """Reproduced: such a --dest failed after writing, committed a broken path, or let
    `runs --orphans` list another lake's live objects as safe to delete."""
    neighbour = Lake(dest=str(tmp_path / "lake"), local=tmp_path / "lake")
    load(dp, neighbour, "glob-neighbour")
    before = neighbour.files()
    odd = tmp_path / {"?": "la?e", "*": "la*", "[": "la[k", "]": "lak]e", "\\": "la\\ke"}[char]
    r = dp("load", "--source", "synthetic", "--count", "10", "--dest", str(odd), "--as-of", AS_OF)
    assert r.returncode == 2 and "--dest" in r.stderr and "pattern" in r.stderr, r.describe()
    assert not odd.exists(), "something was written before the refusal"
    for args in (["runs", "--orphans"], ["report"], ["runs", "--verify"]):
        r = dp(*args, "--dest", str(odd))
        assert r.returncode == 2, r.describe()
        assert "users/" not in r.stdout, "another lake's objects were listed"
    assert neighbour.files() == before


def test_local_paths_with_other_characters_work_end_to_end(dp, tmp_path):
    """Spaces, quotes, `=` (which DuckDB would read as a hive partition), non-ASCII, %, braces,
    commas, semicolons and a tilde inside a name: load, report, sql, verify, orphans and the
    stock DuckDB shell all work."""
    from test_sql import run_stock

    for name in ["a b/o'brien/year=2026", "é ü,50%;{x}/~tilde"]:
        root = tmp_path / name
        lake = Lake(dest=str(root), local=root)
        out = load(dp, lake, "chars", count=60)
        assert out["report"]["users"] == 60
        assert_sound(dp, lake, expected_users=60)
        got = dp.ok("sql", "--dest", lake.dest, "-c", "SELECT count(*) AS n, count(DISTINCT user_id) AS d FROM users",
                    "--format", "json").stdout
        assert json.loads(got) == [{"n": 60, "d": 60}], got
        columns = dp.ok("sql", "--dest", lake.dest, "-c", "DESCRIBE users", "--format", "json").stdout
        assert [c["column_name"] for c in json.loads(columns)] == [c for c, _ in support.EXPECTED_COLUMNS]
        setup = dp.ok("sql", "--print-setup", "--dest", lake.dest).stdout
        query = tmp_path / "count.sql"
        query.write_text("SELECT count(*) AS n FROM users;\n")
        assert run_stock(setup, query, dp.env(), dp.cwd) == [{"n": 60}]


# ------------------------------------------------------------------------------------------
# 8. No persistent secrets
# ------------------------------------------------------------------------------------------

def test_secrets_saved_on_disk_are_ignored(dp_s3, minio, bucket, tmp_path):
    """Reproduced: a persistent secret (what a stock shell's CREATE PERSISTENT SECRET saves in
    ~/.duckdb/stored_secrets) scoped to the bucket overrode duckpipe's S3 settings, so data and
    records went to another endpoint than the one the bucket check used."""
    from test_sql import pypi_httpfs, run_stock, stock_cli

    home = tmp_path / "home"
    home.mkdir()
    dead = support.free_port()  # nothing listens there
    p = subprocess.run(
        [stock_cli(), "-bail", "-no-init"],
        input="SET autoinstall_known_extensions = false;\nSET autoload_known_extensions = false;\n"
              f"LOAD '{pypi_httpfs()}';\n"
              f"CREATE PERSISTENT SECRET elsewhere (TYPE s3, KEY_ID 'k', SECRET 's', ENDPOINT '127.0.0.1:{dead}', "
              f"URL_STYLE 'path', USE_SSL false, SCOPE 's3://{bucket}');\n",
        env=support.clean_env({"HOME": str(home)}), capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    stored = home / ".duckdb" / "stored_secrets"
    assert [f.name for f in stored.iterdir()] == ["elsewhere.duckdb_secret"]

    env = dp_s3.env(HOME=str(home))
    lake = Lake(dest=f"s3://{bucket}/lake", minio=minio, bucket=bucket, prefix="lake")
    out = load(dp_s3, lake, "secrets", env=env)
    assert out["outcome"] == "committed"
    assert f"runs/{out['run']['run_id']}.json" in lake.files(), "the record is not in the bucket that was checked"
    assert_sound(dp_s3, lake, env=env, expected_users=100)
    assert dp_s3.ok("sql", "--dest", lake.dest, "-c", "SELECT count(*) AS n FROM users", "--format", "json",
                    env=env).json() == [{"n": 100}]
    # The stock shell, with the same HOME, follows the printed setup (persistent secrets off).
    setup = dp_s3.ok("sql", "--print-setup", "--dest", lake.dest, "--httpfs", pypi_httpfs(), env=env).stdout
    assert setup.index("SET allow_persistent_secrets = false;") < setup.index("CREATE OR REPLACE SECRET")
    query = tmp_path / "count.sql"
    query.write_text("SELECT count(*) AS n FROM users;\n")
    assert run_stock(setup, query, env, dp_s3.cwd) == [{"n": 100}]
    assert [f.name for f in stored.iterdir()] == ["elsewhere.duckdb_secret"], "duckpipe wrote a secret to disk"


# ------------------------------------------------------------------------------------------
# 9. Each user counted once
# ------------------------------------------------------------------------------------------

def test_the_same_users_loaded_twice_are_counted_once(where, tmp_path):
    """Reproduced: loading seed S twice gave "200 users" for 100 distinct user_ids, silently.
    The rule: the latest load wins, by user_id — in report, sql, the view and the stock shell."""
    from test_sql import run_stock

    dp, lake = where
    first = load(dp, lake, "twice")
    assert first["warnings"] == [] and first["run"]["overlap"] == {"runs_checked": 0, "already_stored": 0, "repeated": 0}
    setup = dp.ok("sql", "--print-setup", "--dest", lake.dest, *_httpfs(lake)).stdout
    assert "QUALIFY" not in setup, "one run: the view needs no rule"

    second = load(dp, lake, "twice")
    assert second["run"]["overlap"] == {"runs_checked": 1, "already_stored": 100, "repeated": 0}
    assert any(w.startswith("100 of the 100 users written are already in the lake")
               and first["run"]["run_id"] in w for w in second["warnings"]), second["warnings"]
    assert second["report"]["users"] == 100
    text = dp.ok("load", "--source", "synthetic", "--count", "100", "--seed", "twice", "--dest", lake.dest,
                 "--as-of", AS_OF).stdout
    assert "warning: 100 of the 100 users written are already in the lake" in text, text
    assert "(100 users):" in text, text

    assert dp.ok("report", "--dest", lake.dest, "--format", "json").json()["users"] == 100
    got = dp.ok("sql", "--dest", lake.dest, "-c", "SELECT count(*) AS n, count(DISTINCT user_id) AS d FROM users",
                "--format", "json").json()
    assert got == [{"n": 100, "d": 100}]
    setup = dp.ok("sql", "--print-setup", "--dest", lake.dest, *_httpfs(lake)).stdout
    assert "QUALIFY" in setup
    query = tmp_path / "count.sql"
    query.write_text("SELECT count(*) AS n FROM users;\n")
    assert run_stock(setup, query, dp.env(), dp.cwd) == [{"n": 100}]
    assert dp.ok("risk", "--dest", lake.dest, "--format", "json").json()["records"] == 100

    # The latest load wins: the same people, 10 of them moved.
    users = dp.generate(100, "twice", dp.cwd / "twice.json")
    for u in users[:10]:
        u["location"]["city"] = "Newtown"
    moved = dp.cwd / "moved.json"
    moved.write_text(json.dumps({"results": users}))
    dp.ok("load", "--source", "file", "--input", str(moved), "--dest", lake.dest, "--as-of", AS_OF)
    got = dp.ok("sql", "--dest", lake.dest, "-c",
                "SELECT count(*) AS n, count(*) FILTER (WHERE city = 'Newtown') AS moved FROM users",
                "--format", "json").json()
    assert got == [{"n": 100, "moved": 10}]
    assert_sound(dp, lake, expected_users=100)


def _httpfs(lake):
    from test_sql import pypi_httpfs

    return ["--httpfs", pypi_httpfs()] if lake.local is None else []


def test_disjoint_loads_are_read_without_the_rule_and_count_everyone(where):
    dp, lake = where
    for seed in ("disjoint-a", "disjoint-b", "disjoint-c"):
        out = load(dp, lake, seed)
        assert out["warnings"] == [], out["warnings"]
    runs = [r["overlap"] for r in lake.records().values()]
    assert sorted(o["runs_checked"] for o in runs) == [0, 1, 2] and all(o["already_stored"] == 0 for o in runs)
    setup = dp.ok("sql", "--print-setup", "--dest", lake.dest, *_httpfs(lake)).stdout
    assert "QUALIFY" not in setup
    assert_sound(dp, lake, expected_users=300)


# ------------------------------------------------------------------------------------------
# 10. Fail early
# ------------------------------------------------------------------------------------------

class CountingApi:
    """An HTTP server that counts requests and answers none usefully: a source that must not be
    read."""

    def __init__(self):
        self.hits = 0
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                api.hits += 1
                self.send_response(503)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/1.4/"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def counting_api():
    api = CountingApi()
    yield api
    api.close()


def _api_load(dp, dest, api, *extra, env=None):
    return dp("load", "--source", "api", "--api-url", api.url, "--count", "50000", "--dest", dest,
              "--as-of", AS_OF, "--attempts", "1", *extra, env=env)


def test_an_unwritable_local_destination_fails_before_the_source_is_read(dp, tmp_path, counting_api):
    """Reproduced: writability was checked only after the whole source was pulled."""
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "users").write_text("not a folder")
    r = _api_load(dp, str(lake), counting_api)
    assert r.returncode == 2, r.describe()
    assert "checked before reading the source" in r.stderr, r.describe()
    assert counting_api.hits == 0, "the source was read"
    assert sorted(str(p.relative_to(lake)) for p in lake.rglob("*") if p.is_file()) == ["users"]


def test_a_bucket_refusing_puts_on_runs_fails_before_the_source_is_read(dp_s3, minio, bucket, counting_api, tmp_path):
    """Reproduced with a MinIO user whose policy refuses PutObject under runs/: before, the
    whole source was pulled and the commit failed (and the run id was then stuck). Now the probe
    fails first, nothing is left in the bucket, and once allowed the same run id loads."""
    from minio import MinioAdmin
    from minio.credentials import StaticProvider

    admin = MinioAdmin(endpoint=minio.hostport, credentials=StaticProvider(minio.access_key, minio.secret_key),
                       secure=False)
    policy = f"deny-runs-{bucket}"
    admin.policy_add(policy, policy={
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]},
            {"Effect": "Deny", "Action": ["s3:PutObject"], "Resource": [f"arn:aws:s3:::{bucket}/lake/runs/*"]},
        ],
    })
    user, secret = f"u-{bucket}"[:20], "secret-" + bucket
    admin.user_add(user, secret)
    admin.policy_set(policy, user=user)
    limited = dp_s3.env(AWS_ACCESS_KEY_ID=user, AWS_SECRET_ACCESS_KEY=secret)

    dest = f"s3://{bucket}/lake"
    r = _api_load(dp_s3, dest, counting_api, "--run-id", "refused-1", env=limited)
    assert r.returncode == 2, r.describe()
    assert "is not writable" in r.stderr and "lake/runs/.probe-" in r.stderr and "HTTP 403" in r.stderr, r.describe()
    assert secret not in r.output
    assert counting_api.hits == 0, "the source was read"
    assert minio.keys(bucket) == [], "the probe left something behind"

    # Allowed again (root credentials): the same run id loads once.
    lake = Lake(dest=dest, minio=minio, bucket=bucket, prefix="lake")
    out = load(dp_s3, lake, "refused", "--run-id", "refused-1")
    assert out["outcome"] == "committed"
    assert_sound(dp_s3, lake, expected_users=100)
