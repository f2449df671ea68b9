"""Issue 4 on a local lake: run records, quarantine and the counts invariant, idempotent run ids,
orphans, damaged objects, wrong keys, and responses that lack whole fields (inc=)."""

from __future__ import annotations

import json

import pytest

import support
from support import AS_OF


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _load(dp, path, lake, *extra, ok=True):
    args = ["load", "--source", "file", "--input", str(path), "--dest", str(lake), "--as-of", AS_OF,
            "--format", "json", *extra]
    return dp.ok(*args) if ok else dp(*args)


def _with_bad_records(dp, good: int, seed: str):
    """NDJSON: `good` synthetic users, then four records that cannot be processed, each for a
    known reason. Returns (path, good users, expected reasons by position)."""
    path = dp.cwd / "mixed.ndjson"
    users = dp.generate(good + 3, seed, dp.cwd / "base.json")
    good_users, spares = users[:good], users[good:]
    no_dob = dict(spares[0])
    del no_dob["dob"]
    bad_date = json.loads(json.dumps(spares[1]))
    bad_date["registered"]["date"] = "not a date"
    wrong_type = dict(spares[2])
    wrong_type["location"] = "Paris"
    lines = [json.dumps(u) for u in good_users]
    lines.insert(5, '{"name": {"first": "Trunc')  # an unparsable line
    lines.insert(9, json.dumps(no_dob))
    lines.append(json.dumps(bad_date))
    lines.append(json.dumps(wrong_type))
    path.write_text("\n".join(lines) + "\n")
    reasons = {
        "not a valid JSON object": 1,
        "dob.date missing or not a date": 1,
        "registered.date missing or not a date": 1,
        "location.country missing; location.city missing": 1,
    }
    return path, good_users, reasons, spares


def test_bad_records_are_quarantined_encrypted_and_counted(dp, tmp_path):
    path, good, reasons, bad_users = _with_bad_records(dp, 300, "e2e-quarantine")
    lake = tmp_path / "lake"
    r = _load(dp, path, lake, "--max-bad-ratio", "0.05")
    # DuckDB refuses a file with an unparsable line; duckpipe then reads it line by line.
    assert "DuckDB could not read the file as NDJSON: reading it line by line" in r.stderr
    out = r.json()
    run = out["run"]
    assert run["counts"] == {"received": 304, "written": 300, "quarantined": 4, "suppressed": 0}
    support.assert_counts_balanced(run)
    assert {r["reason"]: r["records"] for r in run["rejections"]} == reasons

    # The quarantine object: encrypted, no plaintext PII, holds each bad record as received.
    [q] = [o for o in run["objects"] if o["kind"] == "quarantine"]
    qfile = lake / q["path"]
    data = qfile.read_bytes()
    support.assert_no_pii_bytes(data, bad_users)
    support.assert_unreadable_without_key(str(qfile))
    reader = support.ParquetReader(str(qfile), dp.keys["DUCKPIPE_QUARANTINE_KEY"])
    rows = reader.query("SELECT seq, reason, doc FROM {src} ORDER BY seq")
    assert [r[0] for r in rows] == [5, 9, 302, 303]
    assert rows[0][2] == '{"name": {"first": "Trunc'
    assert json.loads(rows[1][2]) == support.without_credentials(json.loads(path.read_text().splitlines()[9]))
    assert {r[1] for r in rows} == set(reasons)

    # The answers cover exactly the good users.
    support.assert_report(out["report"], support.expected_report([(good, AS_OF)]))


def test_duckdb_reading_the_file_and_the_line_reader_give_the_same_run(dp, tmp_path):
    """An NDJSON file whose every line is JSON is read by DuckDB itself (one parallel pass); one
    DuckDB refuses — here only because it starts with a byte-order mark — is read line by line
    by duckpipe. Same records, so the same counts, reasons, quarantine positions and data."""
    path, good, reasons, _ = _with_bad_records(dp, 300, "e2e-two-ways")
    lines = path.read_text().splitlines()
    lines[5] = "[1, 2]"  # valid JSON that is not a user: still quarantined, by position
    text = "\n".join(lines) + "\n"
    direct, by_line = tmp_path / "direct.ndjson", tmp_path / "by_line.ndjson"
    direct.write_text(text)
    by_line.write_text("\ufeff" + text)
    results = {}
    for name, source in [("direct", direct), ("by_line", by_line)]:
        lake = tmp_path / f"lake-{name}"
        # -v: which way the file was read is a detail, logged at info (not shown by default).
        r = _load(dp, source, lake, "--max-bad-ratio", "0.05", "-v")
        run = r.json()["run"]
        [q] = [o for o in run["objects"] if o["kind"] == "quarantine"]
        seqs = support.ParquetReader(str(lake / q["path"]), dp.keys["DUCKPIPE_QUARANTINE_KEY"]).query(
            "SELECT seq, reason, doc FROM {src} ORDER BY seq")
        data = [o for o in run["objects"] if o["kind"] == "data"]
        users = support.ParquetReader(str(lake / data[0]["path"]), dp.keys["DUCKPIPE_PARQUET_KEY"]).query(
            "SELECT user_id, email_pseudonym, gender, age, registered_date, country, city, nat FROM {src}")
        results[name] = (run["counts"], run["rejections"], seqs, users, r.stderr)
    d, b = results["direct"], results["by_line"]
    assert "DuckDB reads the file" in d[4] and "line by line" not in d[4]
    assert "DuckDB reads the file" not in b[4]
    assert d[0] == b[0] == {"received": 304, "written": 300, "quarantined": 4, "suppressed": 0}
    assert d[1] == b[1]
    assert [q[0] for q in d[2]] == [q[0] for q in b[2]] == [5, 9, 302, 303]
    assert d[2] == b[2], "same reasons and the same text of each rejected line"
    assert d[2][0][2] == "[1, 2]" and json.loads(d[2][1][2]) == support.without_credentials(json.loads(lines[9]))
    assert len(d[3]) == 300 and d[3] == b[3], "same rows, in the same order"


def test_a_pipe_is_read_once_and_whole(dp, tmp_path):
    """A named pipe can be read only once: duckpipe reads it itself (DuckDB never sees it), and
    every user arrives."""
    import os
    import threading

    users = dp.generate(500, "e2e-fifo", dp.cwd / "g.json")
    fifo = tmp_path / "users.fifo"
    os.mkfifo(fifo)
    text = "".join(json.dumps(u) + "\n" for u in users)
    writer = threading.Thread(target=lambda: fifo.write_text(text), daemon=True)
    writer.start()
    r = _load(dp, fifo, tmp_path / "lake")
    writer.join(timeout=60)
    assert "DuckDB reads the file" not in r.stderr
    assert r.json()["run"]["counts"] == {"received": 500, "written": 500, "quarantined": 0, "suppressed": 0}


def test_too_many_bad_records_fail_the_run_and_write_nothing(dp, tmp_path):
    path, _, _, _ = _with_bad_records(dp, 100, "e2e-too-bad")
    lake = tmp_path / "lake"
    r = _load(dp, path, lake, ok=False)  # default --max-bad-ratio 0.01; 4 of 104 are bad
    assert r.returncode == 3, r.describe()
    assert "4 of 104 users" in r.output and "--max-bad-ratio" in r.output, r.describe()
    assert "Trunc" not in r.output
    assert not [f for f in _files(lake) if f.suffix in (".json", ".parquet")], _files(lake)


def test_response_without_whole_fields_loads_and_says_what_cannot_be_answered(dp, tmp_path):
    """Like a response requested with inc=gender,name,location,email,login,registered: no record
    has dob, nat, id or cell. The run loads, records the absent group, and says which question
    has no answer; the other answers are intact."""
    users = dp.generate(120, "e2e-inc", dp.cwd / "full.json")
    trimmed = [{k: v for k, v in u.items() if k not in ("dob", "nat", "id", "cell")} for u in users]
    path = dp.cwd / "inc.json"
    path.write_text(json.dumps({"results": trimmed, "info": {"seed": "e2e-inc", "results": 120, "page": 1, "version": "1.4"}}))
    lake = tmp_path / "lake"
    out = _load(dp, path, lake).json()
    run = out["run"]
    assert run["counts"] == {"received": 120, "written": 120, "quarantined": 0, "suppressed": 0}
    support.assert_counts_balanced(run)
    assert run["absent_fields"] == ["dob"]
    assert run["unanswerable"] == ["Q2 age distribution"]
    rep = out["report"]
    assert rep["users"] == 120
    assert rep["age"]["min"] is None and rep["age_bands"] == []
    want = support.expected_report([(users, AS_OF)])
    assert rep["gender"] == want["gender"]
    assert rep["top_countries"] == want["top_countries"]
    text = dp.ok("load", "--source", "file", "--input", str(path), "--dest", str(tmp_path / "lake2"), "--as-of", AS_OF).stdout
    assert "no answer from this run for: Q2 age distribution" in text, text


def test_run_records_name_everything_and_hold_no_secret(dp, fixture_users, tmp_path):
    path, users = fixture_users
    lake = tmp_path / "lake"
    run = _load(dp, path, lake, "--run-id", "nightly-2026-11-25").json()["run"]
    text = (lake / "runs" / "nightly-2026-11-25.json").read_text()
    record = json.loads(text)
    assert record == run
    assert record["format"] == "duckpipe-run/1" and record["status"] == "complete"
    assert record["source"]["kind"] == "file" and record["source"]["seed"] == "5b53189b380f1f8c"
    assert [c["name"] for c in record["schema"]] == [c for c, _ in support.EXPECTED_COLUMNS]
    assert record["duckpipe_version"]
    for name, value in dp.keys.items():
        assert value not in text, f"the run record contains {name}"
    for field, values in support.pii_values(users).items():
        for v in values:
            assert v not in text, f"the run record contains a {field}"

    listed = dp.ok("runs", "--dest", str(lake), "--format", "json").json()
    assert listed["runs"] == [record]
    assert "nightly-2026-11-25" in dp.ok("runs", "--dest", str(lake)).stdout


def test_same_run_id_is_skipped_so_retries_never_duplicate(dp, fixture_users, tmp_path):
    path, users = fixture_users
    lake = tmp_path / "lake"
    first = _load(dp, path, lake, "--run-id", "daily-1").json()
    again = _load(dp, path, lake, "--run-id", "daily-1").json()
    assert again["skipped"] is True and first["skipped"] is False
    assert again["run"] == first["run"]
    assert again["report"]["users"] == len(users)
    assert len(list((lake / "users").rglob("*.parquet"))) == 1
    r = dp("load", "--source", "file", "--input", str(path), "--dest", str(lake), "--run-id", "daily-1", "--as-of", AS_OF)
    assert r.returncode == 0 and "already recorded" in r.stdout, r.describe()


@pytest.mark.parametrize("bad", ["x'); DROP TABLE users; --", "../escape", "a/b", ".hidden", "x" * 65, "sp ace"])
def test_unsafe_run_ids_are_refused(dp, fixture_users, tmp_path, bad):
    path, _ = fixture_users
    r = dp("load", "--source", "file", "--input", str(path), "--dest", str(tmp_path / "lake"), "--run-id", bad)
    assert r.returncode == 2 and "--run-id" in r.output, r.describe()
    assert not _files(tmp_path / "lake")


def test_objects_without_a_record_are_never_read_and_are_listed_as_orphans(dp, fixture_users, tmp_path):
    """A run whose record is missing (as after a crash before the commit point) is invisible to
    report, and `runs --orphans` lists its objects."""
    path, users = fixture_users
    lake = tmp_path / "lake"
    kept = _load(dp, path, lake).json()["run"]
    lost = _load(dp, path, lake).json()["run"]
    (lake / "runs" / f"{lost['run_id']}.json").unlink()

    got = dp.ok("report", "--dest", str(lake), "--as-of", AS_OF, "--format", "json").json()
    support.assert_report(got, support.expected_report([(users, AS_OF)]))
    orphans = dp.ok("runs", "--dest", str(lake), "--orphans", "--format", "json").json()["orphans"]
    assert [o["path"] for o in orphans] == [o["path"] for o in lost["objects"]]
    assert orphans[0]["bytes"] == lost["objects"][0]["bytes"]
    assert [r["run_id"] for r in dp.ok("runs", "--dest", str(lake), "--format", "json").json()["runs"]] == [kept["run_id"]]


def _flip(path, offset_from_end=None, middle=False):
    b = bytearray(path.read_bytes())
    i = len(b) // 2 if middle else len(b) - offset_from_end
    b[i] ^= 0x01
    path.write_bytes(bytes(b))


def test_damaged_objects_are_detected_and_named(dp, fixture_users, tmp_path):
    path, _ = fixture_users
    lake = tmp_path / "lake"
    a = _load(dp, path, lake).json()["run"]
    b = _load(dp, path, lake).json()["run"]
    fa, fb = lake / a["objects"][0]["path"], lake / b["objects"][0]["path"]
    original = fb.read_bytes()

    # Altered inside the encrypted footer: every read fails authentication; the object is named.
    _flip(fb, offset_from_end=30)
    r = dp("report", "--dest", str(lake), "--as-of", AS_OF)
    assert r.returncode == 4, r.describe()
    assert str(fb.relative_to(tmp_path)).split("lake/")[1] in r.output and "altered" in r.output, r.describe()
    assert a["objects"][0]["path"] not in r.output

    # Altered in the middle (a data page): `runs --verify` reads every column and names it.
    fb.write_bytes(original)
    _flip(fb, middle=True)
    v = dp("runs", "--dest", str(lake), "--verify", "--format", "json")
    assert v.returncode == 4, v.describe()
    result = {o["path"]: o["ok"] for o in json.loads(v.stdout)["objects"]}
    assert result == {a["objects"][0]["path"]: True, b["objects"][0]["path"]: False}

    # Truncated: caught by the size in the run record before any data is read.
    fb.write_bytes(original[: len(original) // 2])
    r = dp("report", "--dest", str(lake), "--as-of", AS_OF)
    assert r.returncode == 4 and "truncated" in r.output and b["objects"][0]["path"] in r.output, r.describe()
    assert fa.exists()


def test_wrong_parquet_key_on_report_is_a_clear_config_error(dp, fixture_users, tmp_path, duckpipe_bin):
    path, _ = fixture_users
    lake = tmp_path / "lake"
    run_id = _load(dp, path, lake).json()["run"]["run_id"]
    other = support.parse_keygen(support.run_duckpipe(duckpipe_bin, ["keygen"], tmp_path / "kg", support.clean_env()).stdout)
    keys = dict(dp.keys, DUCKPIPE_PARQUET_KEY=other["DUCKPIPE_PARQUET_KEY"])
    r = dp("report", "--dest", str(lake), "--as-of", AS_OF, env=dp.env(keys=keys))
    assert r.returncode == 2, r.describe()
    assert "DUCKPIPE_PARQUET_KEY is not the key run" in r.output and run_id in r.output, r.describe()
    assert "panicked" not in r.output and "stack backtrace" not in r.output.lower()
    for value in (*dp.keys.values(), other["DUCKPIPE_PARQUET_KEY"]):
        assert value not in r.output


def test_report_on_an_empty_lake_is_a_clear_error(dp, tmp_path):
    r = dp("report", "--dest", str(tmp_path / "nothing-here"), "--as-of", AS_OF)
    # Nothing loaded there yet is a usage problem (exit 2), not a storage failure (issue 16).
    assert r.returncode == 2 and "no complete runs" in r.output, r.describe()
