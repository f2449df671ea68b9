"""Issue 13: the privacy checks against hostile input, each reproduced item as a regression test
that asserts on what ends up in the lake (every file decrypted with the right key) and on what is
printed. (Item 5, the sql guard, is tests/e2e/test_sql_guard.py; item 7, --min-k utility, is in
test_privacy.py and bench/kanon.py.)"""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import duckdb
import pytest

import support
from support import AS_OF


def _ndjson(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _load(dp, path, lake, *extra, env=None):
    return dp("load", "--source", "file", "--input", str(path), "--dest", str(lake), "--as-of", AS_OF,
              "--format", "json", *extra, **({"env": env} if env is not None else {}))


def _parquet(lake: Path, kind: str) -> list[Path]:
    folder = lake / ("users" if kind == "data" else "quarantine")
    return sorted(folder.rglob("*.parquet")) if folder.exists() else []


def _read(path: Path, key: str, select: str = "SELECT * EXCLUDE (loaded_at) FROM {src}") -> list[dict]:
    reader = support.ParquetReader(str(path), key)
    cur = reader.con.execute(select.replace("{src}", reader.source))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _broken_copy(user: dict, token: str) -> str:
    """`user` with name.first replaced by raw `token`: invalid JSON in a dropped field, the same
    shape as `user` to a scan that does not check syntax."""
    u = json.loads(json.dumps(user))
    u["name"]["first"] = "PLACEHOLDER-0"
    return json.dumps(u).replace('"PLACEHOLDER-0"', token)


# --------------------------------------------------------------------------------------------
# 1. One broken line cannot switch the per-shape checks off
# --------------------------------------------------------------------------------------------

def test_broken_copies_never_stand_for_other_users(dp, fixture_users, tmp_path):
    _, users = fixture_users
    users = json.loads(json.dumps(users))
    planted = {"name": "Planted Person", "phone": "555-0199-planted"}
    users[7]["location"]["city"] = planted  # a kept field holding an object
    path = _ndjson(tmp_path / "attack.ndjson", [
        _broken_copy(users[0], '"Ann\\qa"'),   # the common shape, first in the file
        _broken_copy(users[7], '"Ann\u0001a"'),  # the object-city user's shape
        *[json.dumps(u) for u in users],
        _broken_copy(users[3], "Anna"),        # a bareword
    ])
    lake = tmp_path / "lake"
    r = _load(dp, path, lake, "--max-bad-ratio", "0.2")
    assert r.returncode == 3, r.describe()
    assert "location.city (holds an object, 1 user)" in r.stderr, r.describe()
    assert "Planted" not in r.output and "555-0199" not in r.output
    assert not lake.exists() or not any(lake.rglob("*.parquet")), "data written despite the object in city"

    # An unclassified field is reported and refused by --strict, whatever broken lines say.
    users = json.loads(json.dumps(fixture_users[1]))
    users[5]["ssn"] = "123-45-6789"
    lines = [_broken_copy(users[0], '"Ann\\qa"'), *[json.dumps(u) for u in users], _broken_copy(users[5], "tru")]
    path = _ndjson(tmp_path / "ssn.ndjson", lines)
    r = _load(dp, path, tmp_path / "strict", "--strict", "--max-bad-ratio", "0.2")
    assert r.returncode == 3 and "ssn" in r.stderr, r.describe()
    run = _load(dp, path, tmp_path / "lax", "--max-bad-ratio", "0.2").json()["run"]
    assert run["unknown_fields"] == [{"path": "ssn", "records": 1}]
    assert {x["reason"]: x["records"] for x in run["rejections"]} == {"not a valid JSON object": 2}
    assert run["absent_fields"] == [] and run["unanswerable"] == []
    assert run["counts"]["written"] == len(users)
    assert "123-45-6789" not in json.dumps(run)


def test_users_without_identity_never_load_as_nulls(dp, fixture_users, tmp_path):
    """The reproduced attack: a broken first line made login/dob look undelivered, and users
    without login.uuid or dob.date loaded with NULLs."""
    _, users = fixture_users
    users = json.loads(json.dumps(users))
    del users[10]["login"]["uuid"]
    del users[11]["dob"]
    path = _ndjson(tmp_path / "u.ndjson", [_broken_copy(users[0], '"Ann\\qa"'), *[json.dumps(u) for u in users]])
    lake = tmp_path / "lake"
    run = _load(dp, path, lake, "--max-bad-ratio", "0.1").json()["run"]
    reasons = {x["reason"]: x["records"] for x in run["rejections"]}
    assert reasons == {"not a valid JSON object": 1, "login.uuid missing": 1, "dob.date missing or not a date": 1}, reasons
    assert run["unanswerable"] == []
    [f] = _parquet(lake, "data")
    stored = _read(f, dp.keys["DUCKPIPE_PARQUET_KEY"])
    assert len(stored) == len(users) - 2
    assert all(r["user_id"] and r["age_band"] for r in stored)


# --------------------------------------------------------------------------------------------
# 2. The quarantine keeps no credentials and needs its own key
# --------------------------------------------------------------------------------------------

def test_quarantine_has_no_credentials_and_its_own_key(dp, fixture_users, tmp_path):
    _, users = fixture_users
    users = json.loads(json.dumps(users))
    bad = json.loads(json.dumps(users[4]))
    del bad["registered"]  # a record that parses but is rejected
    creds = [bad["login"][k] for k in ("password", "salt", "md5", "sha1", "sha256")]
    broken = json.loads(json.dumps(users[5]))
    broken_text = _broken_copy(broken, "tru")
    broken_creds = [broken["login"][k] for k in ("password", "salt", "md5", "sha1", "sha256")]
    path = _ndjson(tmp_path / "q.ndjson", [*[json.dumps(u) for u in users], json.dumps(bad), broken_text])
    lake = tmp_path / "lake"
    run = _load(dp, path, lake, "--max-bad-ratio", "0.1").json()["run"]
    assert run["counts"]["quarantined"] == 2
    assert run["keys"]["quarantine"] and run["keys"]["quarantine"] != run["keys"]["parquet"]
    [q] = _parquet(lake, "quarantine")
    # The data key does not read it; the quarantine key does.
    with pytest.raises(duckdb.Error):
        _read(q, dp.keys["DUCKPIPE_PARQUET_KEY"])
    rows = _read(q, dp.keys["DUCKPIPE_QUARANTINE_KEY"], "SELECT seq, reason, doc FROM {src} ORDER BY seq")
    assert [r["seq"] for r in rows] == [len(users), len(users) + 1]
    parsed = json.loads(rows[0]["doc"])
    assert parsed == support.without_credentials(bad), "the parsed record minus credentials, nothing else"
    assert set(parsed["login"]) == set(bad["login"]) - {"password", "salt", "md5", "sha1", "sha256"}
    for secret in creds + broken_creds:
        assert secret not in rows[0]["doc"] and secret not in rows[1]["doc"], secret
    assert '"password": "(removed)"' in rows[1]["doc"], "the broken line's credentials are blanked"
    # And none of it in plain bytes on disk.
    data = q.read_bytes()
    assert not any(s.encode() in data for s in creds + broken_creds)
    # runs --verify checks quarantine only with its key.
    with_key = dp.ok("runs", "--dest", str(lake), "--verify", "--format", "json").json()
    assert with_key["damaged"] == 0 and all(o["problem"] is None for o in with_key["objects"])
    env = dp.env(keys={k: v for k, v in dp.keys.items() if k != "DUCKPIPE_QUARANTINE_KEY"})
    without = dp.ok("runs", "--dest", str(lake), "--verify", "--format", "json", env=env).json()
    [skipped] = [o for o in without["objects"] if o["kind"] == "quarantine"]
    assert "DUCKPIPE_QUARANTINE_KEY is not set" in skipped["problem"]


def test_the_quarantine_key_is_required_and_distinct(dp, fixture_users, tmp_path):
    path, _ = fixture_users
    keys = dict(dp.keys)
    del keys["DUCKPIPE_QUARANTINE_KEY"]
    r = _load(dp, path, tmp_path / "a", env=dp.env(keys=keys))
    assert r.returncode == 2 and "DUCKPIPE_QUARANTINE_KEY is not set" in r.stderr, r.describe()
    keys["DUCKPIPE_QUARANTINE_KEY"] = keys["DUCKPIPE_PARQUET_KEY"]
    r = _load(dp, path, tmp_path / "b", env=dp.env(keys=keys))
    assert r.returncode == 2 and "needs a key of its own" in r.stderr, r.describe()
    assert keys["DUCKPIPE_PARQUET_KEY"] not in r.output
    # A fresh local lake with no keys at all gets all three in a new .env (mode 0600).
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    r = dp("load", "--source", "file", "--input", str(path), "--dest", "lake", "--as-of", AS_OF, "--format", "json",
           env=support.clean_env(), cwd=fresh)
    assert r.returncode == 0, r.describe()
    env_file = (fresh / ".env").read_text()
    assert "DUCKPIPE_QUARANTINE_KEY=" in env_file
    assert stat.S_IMODE((fresh / ".env").stat().st_mode) == 0o600


def test_purge_quarantine_deletes_old_quarantine_and_says_so(dp, fixture_users, tmp_path):
    _, users = fixture_users
    lines = [json.dumps(u) for u in users] + ['{"not": "a user"}']
    path = _ndjson(tmp_path / "p.ndjson", lines)
    lake = tmp_path / "lake"
    run = _load(dp, path, lake, "--max-bad-ratio", "0.1").json()["run"]
    [q] = _parquet(lake, "quarantine")
    # Not old enough: nothing goes.
    out = dp.ok("runs", "purge-quarantine", "--dest", str(lake), "--older-than", "30d", "--format", "json").json()
    assert out["purged"] == [] and q.exists()
    dry = dp.ok("runs", "purge-quarantine", "--dest", str(lake), "--older-than", "0m", "--dry-run").stdout
    assert "Would delete 1 quarantine object" in dry and q.exists()
    out = dp.ok("runs", "purge-quarantine", "--dest", str(lake), "--older-than", "0m", "--format", "json").json()
    assert [p["run_id"] for p in out["purged"]] == [run["run_id"]]
    assert not q.exists()
    record = json.loads((lake / "runs" / f"{run['run_id']}.json").read_text())
    [entry] = [o for o in record["objects"] if o["kind"] == "quarantine"]
    assert entry["purged_at"] and entry["rows"] == 1
    verified = dp.ok("runs", "--dest", str(lake), "--verify", "--format", "json").json()
    assert verified["damaged"] == 0
    # The data is untouched and still answers.
    assert dp.ok("report", "--dest", str(lake), "--as-of", AS_OF, "--format", "json").json()["users"] == len(users)
    # The subcommand cannot be pointed at a lake by the parent's flags.
    r = dp("runs", "--dest", str(lake), "purge-quarantine", "--older-than", "0m")
    assert r.returncode == 2


# --------------------------------------------------------------------------------------------
# 3. A floor for a usable record
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "{}\n{}\n{}\n",
    '{"error": "Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you."}\n',
    json.dumps({"results": [{}, {}, {}], "info": {"seed": "x", "results": 3, "page": 1, "version": "1.4"}}),
])
def test_nothing_usable_fails_and_writes_nothing(dp, tmp_path, text):
    path = tmp_path / "empty.json"
    path.write_text(text)
    lake = tmp_path / "lake"
    r = _load(dp, path, lake, "--max-bad-ratio", "1")
    assert r.returncode == 3, r.describe()
    assert "could be processed" in r.stderr and "nothing was written" in r.stderr, r.describe()
    assert not lake.exists() or not any(p.is_file() for p in lake.rglob("*"))


def test_empty_records_among_users_are_quarantined_not_counted(dp, fixture_users, tmp_path):
    _, users = fixture_users
    path = _ndjson(tmp_path / "u.ndjson", [json.dumps(u) for u in users] + ["{}"])
    run = _load(dp, path, tmp_path / "lake", "--max-bad-ratio", "0.1").json()
    assert run["run"]["counts"]["written"] == len(users) and run["run"]["counts"]["quarantined"] == 1
    assert run["report"]["users"] == len(users)


def test_an_api_page_of_empty_objects_fails(dp, tmp_path):
    """A randomuser server whose page holds `{}` users: exit 3, nothing written."""
    srv = _serve(lambda _: {"results": [{}] * 5, "info": {"seed": "s", "results": 5, "page": 1, "version": "1.4"}})
    try:
        lake = tmp_path / "lake"
        r = dp("load", "--source", "api", "--api-url", f"http://127.0.0.1:{srv.server_address[1]}/api/1.4/",
               "--count", "5", "--dest", str(lake), "--as-of", AS_OF, "--format", "json")
        assert r.returncode == 3, r.describe()
        assert "none of the 5 users could be processed" in r.stderr, r.describe()
        assert not lake.exists() or not any(p.is_file() for p in lake.rglob("*"))
    finally:
        srv.shutdown()


# --------------------------------------------------------------------------------------------
# 4. Plausibility rules
# --------------------------------------------------------------------------------------------

def test_impossible_values_are_quarantined_with_a_reason_naming_the_field(dp, fixture_users, tmp_path):
    _, users = fixture_users
    users = json.loads(json.dumps(users))
    cases = {
        0: ("dob", "date", "0001-01-01T00:00:00.000Z", "dob.date more than 120 years before --as-of"),
        1: ("dob", "date", "2030-06-01T00:00:00.000Z", "dob.date after --as-of"),
        2: ("registered", "date", "2999-01-01T00:00:00.000Z", "registered.date in the future"),
        3: (None, "gender", 5, "gender is a number, not a string"),
        4: ("location", "country", True, "location.country is a boolean, not a string"),
        5: (None, "nat", 12, "nat is a number, not a string"),
    }
    for i, (group, field, value, _) in cases.items():
        (users[i][group] if group else users[i])[field] = value
    path = _ndjson(tmp_path / "u.ndjson", [json.dumps(u) for u in users])
    lake = tmp_path / "lake"
    run = _load(dp, path, lake, "--max-bad-ratio", "0.2").json()["run"]
    reasons = {x["reason"]: x["records"] for x in run["rejections"]}
    assert reasons == {reason: 1 for *_, reason in cases.values()}, reasons
    [q] = _parquet(lake, "quarantine")
    got = _read(q, dp.keys["DUCKPIPE_QUARANTINE_KEY"], "SELECT seq, reason FROM {src} ORDER BY seq")
    assert [(r["seq"], r["reason"]) for r in got] == [(i, c[3]) for i, c in cases.items()]
    [f] = _parquet(lake, "data")
    stored = _read(f, dp.keys["DUCKPIPE_PARQUET_KEY"])
    assert len(stored) == len(users) - len(cases)
    assert all(0 <= r["age"] <= 120 for r in stored) and all(r["gender"] in ("female", "male") for r in stored)


# --------------------------------------------------------------------------------------------
# 6. Nothing secret or personal in plain text
# --------------------------------------------------------------------------------------------

def test_api_credentials_never_reach_messages_or_records(dp, tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens: every attempt fails
    url = f"http://alice:pa55-secret@127.0.0.1:{port}/api/1.4/?token=tok-secret-123"
    r = dp("-vv", "load", "--source", "api", "--api-url", url, "--count", "5", "--attempts", "1",
           "--dest", str(tmp_path / "lake"), "--as-of", AS_OF)
    assert r.returncode == 3, r.describe()
    assert f"http://127.0.0.1:{port}/api/1.4/" in r.stderr, r.describe()
    for secret in ("alice", "pa55-secret", "tok-secret-123"):
        assert secret not in r.output, r.describe()
    r = dp("load", "--source", "api", "--api-url", "pa55-secret not a url", "--dest", str(tmp_path / "lake"))
    assert r.returncode == 2 and "pa55-secret" not in r.output, r.describe()


def _serve(body_for):
    """A local HTTP server answering every GET with body_for(path) as JSON."""
    import http.server
    import threading

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps(body_for(self.path)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def test_the_run_record_keeps_no_url_credentials(dp, fixture_users, tmp_path):
    _, users = fixture_users
    srv = _serve(lambda _: {"results": users[:5], "info": {"seed": "s", "results": 5, "page": 1, "version": "1.4"}})
    try:
        port = srv.server_address[1]
        url = f"http://alice:pa55-secret@127.0.0.1:{port}/api/1.4/?token=tok-secret-123"
        lake = tmp_path / "lake"
        r = dp("-vv", "load", "--source", "api", "--api-url", url, "--count", "5", "--dest", str(lake),
               "--as-of", AS_OF, "--format", "json")
        run = r.json()["run"]
        assert run["parameters"]["api_url"] == f"http://127.0.0.1:{port}/api/1.4/"
        record = (lake / "runs" / f"{run['run_id']}.json").read_text()
        for secret in ("alice", "pa55-secret", "tok-secret-123"):
            assert secret not in record and secret not in r.output
    finally:
        srv.shutdown()


def test_odd_field_names_are_fingerprinted(dp, fixture_users, tmp_path):
    _, users = fixture_users
    users = json.loads(json.dumps(users))
    users[0]["contacts"] = {"jane.roe@example.com": 1}  # a map keyed by e-mail: top level is plain
    users[1]["Jane Roe <jane.roe@example.com>"] = "x"
    users[2]["location"]["foo"] = 1
    path = _ndjson(tmp_path / "u.ndjson", [json.dumps(u) for u in users])
    r = _load(dp, path, tmp_path / "lake")
    run = r.json()["run"]
    paths = [u["path"] for u in run["unknown_fields"]]
    assert "contacts" in paths and "location.foo" in paths
    odd = [p for p in paths if p.startswith("unnamed field ")]
    assert len(odd) == 1 and len(odd[0]) == len("unnamed field ") + 16, paths
    for text in (r.output, (tmp_path / "lake" / "runs" / f"{run['run_id']}.json").read_text()):
        assert "jane.roe" not in text and "Jane Roe" not in text


def test_terminal_and_markdown_output_are_escaped(dp, fixture_users, tmp_path):
    _, users = fixture_users
    users = json.loads(json.dumps(users))
    evil_city = "\x1b]0;pwned\x07\x1b[31mRed\u202eCity"
    md_city = "![x](https://evil.example/p.png)[click](https://evil.example)<img src=x>"
    for i in range(5):
        users[i]["location"]["city"], users[i]["location"]["country"] = evil_city, "Evilland"
        users[5 + i]["location"]["city"], users[5 + i]["location"]["country"] = md_city, "Evilland"
    path = _ndjson(tmp_path / "u.ndjson", [json.dumps(u) for u in users])
    lake = tmp_path / "lake"
    text = dp.ok("load", "--source", "file", "--input", str(path), "--dest", str(lake), "--as-of", AS_OF).stdout
    for out in (text,
                dp.ok("report", "--dest", str(lake), "--as-of", AS_OF).stdout,
                dp.ok("sql", "--dest", str(lake), "-c", "SELECT city FROM users WHERE country = 'Evilland'").stdout,
                dp.ok("sql", "--dest", str(lake), "--format", "csv", "-c", "SELECT city FROM users").stdout):
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\u{1b}]0;pwned\\u{7}\\u{1b}[31mRed\\u{202e}City" in text
    md = dp.ok("report", "--dest", str(lake), "--as-of", AS_OF, "--format", "md").stdout
    import re
    for syntax in (r"(?<!\\)<img", r"(?<!\\)!\[", r"(?<!\\)\]\(", r"(?<!\\)https:"):
        assert not re.search(syntax, md), (syntax, md)
    assert "!\\[x\\](https\\://evil.example/p.png)" in md


def test_a_dotenv_others_can_write_is_refused(dp, fixture_users, tmp_path, duckpipe_bin):
    path, _ = fixture_users
    kg = support.run_duckpipe(duckpipe_bin, ["keygen"], tmp_path / "kg", support.clean_env())
    work = tmp_path / "w"
    work.mkdir()
    env_file = work / ".env"
    env_file.write_text(kg.stdout)
    os.chmod(env_file, 0o666)
    args = ["load", "--source", "file", "--input", str(path), "--dest", "lake", "--as-of", AS_OF, "--format", "json"]
    r = dp(*args, env=support.clean_env(), cwd=work)
    assert r.returncode == 2 and "can be written by other users" in r.stderr and "chmod 600" in r.stderr, r.describe()
    assert not (work / "lake").exists()
    r = dp("--allow-insecure-env", *args, env=support.clean_env(), cwd=work)
    assert r.returncode == 0 and "used anyway" in r.stderr, r.describe()
    os.chmod(env_file, 0o644)
    r = dp(*args, env=support.clean_env(), cwd=work)
    assert r.returncode == 0 and "can be read by other users" in r.stderr, r.describe()
    for value in support.parse_keygen(kg.stdout).values():
        assert value not in r.output
