"""Issue 15: the streamed load. An NDJSON file that DuckDB reads itself is written while it is
read: clean users straight into the run's objects, every other record set aside, found again
with its position by a second pass and decided with the run. Each test compares a streamed run
with the same records read line by line (a byte-order mark makes DuckDB refuse the file, so
duckpipe stages it), and reads what ends up in the lake: the same counts, reasons, quarantine
positions and texts, and the same users. A refused run, an interrupted one and a killed one
(after `runs gc`) leave no object behind."""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections import Counter

import pytest

import support
from lake_check import assert_sound
from support import AS_OF


def _load(dp, path, dest, *extra, ok=True):
    args = ["load", "--source", "file", "--input", str(path), "--dest", str(dest), "--as-of", AS_OF,
            "--format", "json", "-v", *extra]
    return dp.ok(*args) if ok else dp(*args)


def _parquet(root):
    return sorted(p for p in root.rglob("*.parquet")) if root.exists() else []


def _run_contents(dp, lake, run):
    """What a run holds, read from its objects: quarantine (seq, reason, doc) in order, and the
    users as a multiset of their columns."""
    quarantine = []
    for q in [o for o in run["objects"] if o["kind"] == "quarantine"]:
        quarantine += support.ParquetReader(str(lake / q["path"]), dp.keys["DUCKPIPE_QUARANTINE_KEY"]).query(
            "SELECT seq, reason, doc FROM {src} ORDER BY seq")
    users = Counter()
    for o in [o for o in run["objects"] if o["kind"] == "data"]:
        users.update(support.ParquetReader(str(lake / o["path"]), dp.keys["DUCKPIPE_PARQUET_KEY"]).query(
            "SELECT user_id, email_pseudonym, gender, age, age_band, registered_date, country, city, nat FROM {src}"))
    return quarantine, users


def _both_ways(dp, tmp_path, lines, *extra):
    """Loads `lines` streamed and line by line; returns both results after checking they agree."""
    text = "\n".join(lines) + "\n"
    results = {}
    for name, prefix in [("streamed", ""), ("by_line", "\ufeff")]:
        source = tmp_path / f"{name}.ndjson"
        source.write_text(prefix + text)
        lake = tmp_path / f"lake-{name}"
        r = _load(dp, source, lake, *extra)
        run = r.json()["run"]
        support.assert_counts_balanced(run)
        results[name] = (r, run, *_run_contents(dp, lake, run))
    (rs, s, sq, su), (rb, b, bq, bu) = results["streamed"], results["by_line"]
    assert "DuckDB reads the file" in rs.stderr and "DuckDB reads the file" not in rb.stderr
    assert s["counts"] == b["counts"]
    assert s["rejections"] == b["rejections"]
    assert s["unknown_fields"] == b["unknown_fields"]
    assert (s["absent_fields"], s["unanswerable"]) == (b["absent_fields"], b["unanswerable"])
    assert sq == bq, "the same rejected records, at the same positions, with the same text"
    assert su == bu, "the same users"
    assert sum(su.values()) == s["counts"]["written"]
    return results


def test_every_kind_of_record_streams_to_the_same_run_as_the_line_reader(dp, tmp_path):
    users = dp.generate(400, "e2e-stream-kinds", dp.cwd / "g.json")
    other_shape = json.loads(json.dumps(users[150]))
    other_shape["hobby"] = "chess"  # an unknown field: another shape, written at the end
    no_dob = json.loads(json.dumps(users[160]))
    del no_dob["dob"]
    implausible = json.loads(json.dumps(users[170]))
    implausible["dob"]["date"] = "2999-01-01T00:00:00.000Z"
    wrong_type = json.loads(json.dumps(users[180]))
    wrong_type["gender"] = 1
    lines = [json.dumps(u) for u in users]
    lines[150], lines[160], lines[170], lines[180] = map(json.dumps, [other_shape, no_dob, implausible, wrong_type])
    lines[190] = "[1, 2]"  # JSON, not a user
    # Bad records before the first good one (and a blank line), and a copy of one far from it.
    lines = ['{"nat": "FR"}', json.dumps(no_dob), "", *lines, json.dumps(no_dob)]
    results = _both_ways(dp, tmp_path, lines, "--max-bad-ratio", "0.05")
    r, run, quarantine, users_written = results["streamed"]
    assert "writes its clean users" in r.stderr
    assert run["counts"] == {"received": 403, "written": 396, "quarantined": 7, "suppressed": 0}
    assert [q[0] for q in quarantine] == [0, 1, 162, 172, 182, 192, 402]
    assert quarantine[0][2] == '{"nat": "FR"}' and quarantine[5][2] == "[1, 2]"
    assert run["unknown_fields"] == [{"path": "hobby", "records": 1}]
    # The clean users went into the first object; the user of another shape into one of its own.
    names = [o["path"].rsplit("/", 1)[1] for o in run["objects"] if o["kind"] == "data"]
    attempt = run["attempt"]
    assert names == [f"part-{attempt}-0.parquet", f"part-{attempt}-late-0.parquet"], names
    assert [o["rows"] for o in run["objects"] if o["kind"] == "data"] == [395, 1]


def test_a_group_no_user_delivered_is_written_after_the_pass(dp, tmp_path):
    """An `inc=` response: no user has `dob`, so none is clean while the file is read; once the
    run shows the group was never delivered, every user is written, and the age question is
    unanswerable — as when the file is staged."""
    users = dp.generate(120, "e2e-stream-inc", dp.cwd / "g.json")
    for u in users:
        del u["dob"]
    results = _both_ways(dp, tmp_path, [json.dumps(u) for u in users])
    _, run, _, _ = results["streamed"]
    assert run["counts"] == {"received": 120, "written": 120, "quarantined": 0, "suppressed": 0}
    assert run["absent_fields"] == ["dob"]
    assert [o["rows"] for o in run["objects"] if o["kind"] == "data"] == [120]
    assert len(_parquet(tmp_path / "lake-streamed")) == 1, "the empty object of the pass is removed"


def test_a_first_user_with_a_kept_field_of_the_wrong_type_is_staged(dp, tmp_path):
    users = dp.generate(50, "e2e-stream-first", dp.cwd / "g.json")
    users[0]["location"]["country"] = 7
    results = _both_ways(dp, tmp_path, [json.dumps(u) for u in users], "--max-bad-ratio", "0.05")
    r, run, quarantine, _ = results["streamed"]
    assert "cannot stream" in r.stderr
    assert [(q[0], q[1]) for q in quarantine] == [(0, "location.country is a number, not a string")]


@pytest.mark.parametrize("why", ["bad-ratio", "strict", "structure"])
def test_a_streamed_run_refused_at_the_end_leaves_no_object(why, where, tmp_path):
    dp, lake = where
    users = dp.generate(300, f"e2e-stream-refused-{why}", dp.cwd / "g.json")
    lines = [json.dumps(u) for u in users]
    extra = []
    if why == "bad-ratio":
        lines += ["[1]"] * 10  # 10 of 310: more than the default 1 %
    elif why == "strict":
        users[-1]["hobby"] = "chess"
        lines[-1] = json.dumps(users[-1])
        extra = ["--strict"]
    else:
        users[-1]["location"]["city"] = {"name": "Paris"}
        lines[-1] = json.dumps(users[-1])
    source = tmp_path / "u.ndjson"
    source.write_text("\n".join(lines) + "\n")
    r = _load(dp, source, lake.dest, *extra, ok=False)
    assert r.returncode == 3, r.describe()
    assert "writes its clean users" in r.stderr, "the refusal came after the streamed pass"
    assert "nothing was written" in r.stderr
    assert [k for k in lake.files() if not k.rsplit("/", 1)[-1].startswith(".")] == [], \
        "the objects the pass wrote are removed, and no record is there"
    if lake.local is not None:
        assert not list(lake.local.glob("users/*")), "nor is the run's folder left"


def test_kill_9_during_a_streamed_load_leaves_only_orphans_that_gc_removes(where, tmp_path):
    dp, lake = where
    rng = random.Random(f"stream-kill-{lake.dest.startswith('s3')}")
    source = tmp_path / "u.ndjson"
    dp.ok("generate", "--count", "60000", "--seed", "e2e-stream-kill", "--ndjson", "--out", str(source))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dp.env(TMPDIR=str(scratch))
    args = lambda run_id: ["load", "--source", "file", "--input", str(source), "--run-id", run_id,  # noqa: E731
                           "--dest", lake.dest, "--as-of", AS_OF, "--format", "json"]
    started = time.monotonic()
    dp.ok(*args("baseline"), env=env)
    duration = time.monotonic() - started
    kills = 0
    for i in range(4):
        proc = subprocess.Popen([dp.binary, *args(f"kill-{i}")], cwd=dp.cwd, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2 * duration, 0.9 * duration))
        if proc.poll() is None:
            proc.kill()
            kills += 1
        proc.wait(timeout=120)
        # Every run loads the same file: the lake holds its 60,000 users once, however many committed.
        assert_sound(dp, lake, env=env, expected_users=60_000)
    assert kills >= 1, "no load was ever killed: the loop tested nothing"
    dp.ok("runs", "gc", "--dest", lake.dest, "--older-than", "0m", env=env)
    committed = {r["run_id"] for r in lake.records().values()}
    named = {o["path"] for r in lake.records().values() for o in r["objects"]}
    present = {k for k in lake.files() if k.endswith(".parquet")}
    assert present == named, "after gc, every object is one a record names"
    for run_id in sorted(committed - {"baseline"}):
        assert dp.ok(*args(run_id), env=env).json()["outcome"] == "already_recorded"
    assert_sound(dp, lake, env=env, expected_users=60_000)


def test_sigint_during_the_streamed_pass_commits_nothing_and_leaves_nothing(dp, tmp_path):
    import signal

    source = tmp_path / "u.ndjson"
    dp.ok("generate", "--count", "300000", "--seed", "e2e-stream-sigint", "--ndjson", "--out", str(source))
    rng = random.Random("stream-sigint")
    interrupted = 0
    for attempt in range(3):
        tmp, lake = tmp_path / f"tmp-{attempt}", tmp_path / f"lake-{attempt}"
        tmp.mkdir()
        args = [dp.binary, "load", "--source", "file", "--input", str(source), "--dest", str(lake),
                "--as-of", AS_OF, "--format", "json"]
        proc = subprocess.Popen(args, cwd=dp.cwd, env=dp.env(s3=False, TMPDIR=str(tmp)), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        # Wait until the pass has started writing, then interrupt it somewhere inside.
        deadline = time.monotonic() + 60
        while proc.poll() is None and not list(lake.glob("users/*/part-*")) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.8))
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert [p.name for p in tmp.iterdir() if p.name.startswith("duckpipe-")] == [], "temporary folder left"
        if proc.returncode == 0:
            continue
        interrupted += 1
        assert proc.returncode == 130, (proc.returncode, err)
        assert [l for l in err.splitlines() if l.startswith("interrupted by")] == [
            l for l in err.splitlines() if "nothing was committed" in l], err
        assert _parquet(lake) == [] and not list(lake.glob("runs/*.json")), "what the pass wrote is removed"
    assert interrupted >= 1, "no load was interrupted: the loop tested nothing"


def test_crlf_and_indented_lines_are_found_again_with_their_text(dp, tmp_path):
    """The second pass finds set-aside records by their text: line endings and blanks around a
    record must not hide one (the run would fail its count check)."""
    users = dp.generate(60, "e2e-stream-crlf", dp.cwd / "g.json")
    no_email = json.loads(json.dumps(users[20]))
    del no_email["email"]
    lines = [json.dumps(u) for u in users]
    lines[20] = "   " + json.dumps(no_email) + "\t"
    lines[40] = "  [3]"
    text = "\r\n".join(lines) + "\r\n"
    results = {}
    for name, prefix in [("streamed", ""), ("by_line", "\ufeff")]:
        source = tmp_path / f"{name}.ndjson"
        source.write_bytes((prefix + text).encode())
        lake = tmp_path / f"lake-{name}"
        run = _load(dp, source, lake, "--max-bad-ratio", "0.05").json()["run"]
        results[name] = (run["counts"], run["rejections"], _run_contents(dp, lake, run))
    assert results["streamed"] == results["by_line"]
    counts, _, (quarantine, _) = results["streamed"]
    assert counts == {"received": 60, "written": 58, "quarantined": 2, "suppressed": 0}
    assert [q[0] for q in quarantine] == [20, 40]
    assert json.loads(quarantine[0][2]) == support.without_credentials(no_email) and quarantine[1][2] == "[3]"
