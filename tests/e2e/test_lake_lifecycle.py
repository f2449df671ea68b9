"""Issue 14, the lake's lifecycle: compact, forget, rekey, runs drop and runs gc on one commit-last
rewrite, on a local directory and on MinIO. Outcomes are asserted on the files under the lake
(every Parquet file read with the key, orphans included) and on `report`; rewrites are killed
with -9 at fixed points (the binary pauses there when DUCKPIPE_TEST_PAUSE_AT says so), two
rewrites run at once, and a load runs during a compaction. Each lake is small: seconds per test.
"""

from __future__ import annotations

import hashlib
import hmac
import base64
import json
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import support
from lake_check import Lake, assert_sound
from support import AS_OF


def load_args(lake, run_id, seed, count=300):
    return ["load", "--source", "synthetic", "--count", str(count), "--seed", seed, "--run-id", run_id,
            "--dest", lake.dest, "--as-of", AS_OF, "--format", "json"]


def load(dp, lake, run_id, seed, count=300, env=None):
    return dp.ok(*load_args(lake, run_id, seed, count), env=env).json()


def report(dp, lake, env=None):
    return dp.ok("report", "--dest", lake.dest, "--as-of", AS_OF, "--format", "json", env=env).json()


def parquet_rows(lake: Lake, keys: dict[str, str]) -> dict[str, list[tuple]]:
    """Every row of every Parquet file under the lake, orphans included, decrypted with its key
    (the quarantine has its own)."""
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for rel, data in lake.files().items():
            if not rel.endswith(".parquet"):
                continue
            path = Path(d) / rel.replace("/", "_")
            path.write_bytes(data)
            key = keys["DUCKPIPE_QUARANTINE_KEY" if rel.startswith("quarantine/") else "DUCKPIPE_PARQUET_KEY"]
            con = support.connect()
            con.execute(f"PRAGMA add_parquet_key('k', {support.sql_str(key)})")
            out[rel] = con.execute(
                f"SELECT COLUMNS(*)::VARCHAR FROM read_parquet({support.sql_str(str(path))}, encryption_config = {{footer_key: 'k'}})"
            ).fetchall()
    return out


def opens_with(data: bytes, key: str) -> bool:
    """Whether a Parquet object (its bytes) opens with `key`."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.parquet"
        path.write_bytes(data)
        con = support.connect()
        con.execute(f"PRAGMA add_parquet_key('k', {support.sql_str(key)})")
        try:
            con.execute(f"SELECT count(*) FROM read_parquet({support.sql_str(str(path))}, "
                        "encryption_config = {footer_key: 'k'})").fetchall()
            return True
        except Exception:
            return False


def all_under(lake, new, old):
    """Every data object of the lake opens with `new` and not with `old`; returns the Parquet
    fingerprints the records carry."""
    files = lake.files()
    parquet = [rel for rel in files if rel.startswith("users/") and rel.endswith(".parquet")]
    assert parquet
    for rel in parquet:
        assert opens_with(files[rel], new) and not opens_with(files[rel], old), rel
    return {rec["keys"]["parquet"] for rec in lake.records().values()}


def pseudonym(hmac_key_b64: str, value: str) -> str:
    return hmac.new(base64.b64decode(hmac_key_b64), value.encode(), hashlib.sha256).hexdigest()


def load_with_quarantine(dp, lake, run_id, users, tmp_path):
    """A run of a data object and a quarantine object: ten users and one record without `dob`."""
    broken = dict(users[0])
    broken.pop("dob")
    ndjson = tmp_path / f"{run_id}.ndjson"
    ndjson.write_text("".join(json.dumps(u) + "\n" for u in users[1:11] + [broken]))
    dp.ok("load", "--source", "file", "--input", str(ndjson), "--run-id", run_id, "--dest", lake.dest,
          "--as-of", AS_OF, "--max-bad-ratio", "0.5")
    kinds = sorted(o["kind"] for o in lake.records()[f"runs/{run_id}.json"]["objects"])
    assert kinds == ["data", "quarantine"], kinds


def pause(dp, args, step, env_extra=None):
    """Starts duckpipe paused at `step` of its rewrite; returns the process once it is there."""
    env = dp.env(DUCKPIPE_TEST_PAUSE_AT=step, **(env_extra or {}))
    proc = subprocess.Popen([dp.binary, *args], cwd=dp.cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if f"paused at {step}" in line:
            return proc
    proc.wait()
    raise AssertionError(f"duckpipe never paused at {step}: exit {proc.returncode}\n{''.join(seen)}")


def test_compact_keeps_every_answer_and_the_lineage(where):
    dp, lake = where
    load(dp, lake, "day-1", "a")
    load(dp, lake, "day-2", "b")
    load(dp, lake, "day-3", "a")  # the same users again: the latest load wins, before and after
    before = report(dp, lake)
    out = dp.ok("compact", "--dest", lake.dest, "--format", "json").json()
    assert out["compacted"] and out["runs_merged"] == 3 and out["objects_after"] == 1, out
    assert report(dp, lake) == before
    records = assert_sound(dp, lake, expected_users=before["users"])
    assert len(records) == 1
    (rec,) = records.values()
    assert rec["supersedes"] == ["day-1", "day-2", "day-3"]
    lineage = rec["rewrite"]["lineage"]
    assert [o["run_id"] for o in lineage] == ["day-1", "day-2", "day-3"]
    assert [o["source"]["seed"] for o in lineage] == ["a", "b", "a"]
    assert all(o["counts"]["written"] == 300 for o in lineage)
    # Only the new objects are left; the rows keep their load's run id.
    assert {rel for rel in lake.files() if rel.endswith(".parquet")} == {o["path"] for o in rec["objects"]}
    rows = parquet_rows(lake, dp.keys)
    assert sum(len(r) for r in rows.values()) == 900
    # A retried load of a compacted run is still "already recorded".
    again = load(dp, lake, "day-2", "b")
    assert again["outcome"] == "already_recorded" and again["skipped"]
    # A load after the compaction counts the loads it compared with, not the records.
    fresh = load(dp, lake, "day-4", "d", count=10)
    assert fresh["run"]["overlap"]["runs_checked"] == 3, fresh["run"]["overlap"]
    # Runs still tell where the data came from.
    listing = dp.ok("runs", "--dest", lake.dest).stdout
    assert "day-1" in listing and "day-3" in listing, listing


def test_forget_removes_a_person_from_data_and_quarantine(where, fixture_users, tmp_path):
    dp, lake = where
    path, users = fixture_users
    person = users[3]
    email, uuid = person["email"], person["login"]["uuid"]
    # Run 1 holds them; run 2 holds a broken copy of their record (quarantined) and others.
    dp.ok("load", "--source", "file", "--input", str(path), "--run-id", "r1", "--dest", lake.dest,
          "--as-of", AS_OF, "--max-bad-ratio", "0.5")
    broken = dict(person)
    broken.pop("dob")
    others = [u for i, u in enumerate(users) if i not in (3,)][:10]
    ndjson = tmp_path / "r2.ndjson"
    ndjson.write_text("".join(json.dumps(u) + "\n" for u in others + [broken]))
    dp.ok("load", "--source", "file", "--input", str(ndjson), "--run-id", "r2", "--dest", lake.dest,
          "--as-of", AS_OF, "--max-bad-ratio", "0.5")
    untouched = load(dp, lake, "r3", "someone-else", count=50)["run"]["objects"][0]
    untouched_bytes = lake.files()[untouched["path"]]
    before = report(dp, lake)

    out = dp.ok("forget", "--email", email.upper(), "--dest", lake.dest, "--format", "json").json()["forget"]
    assert out["rows_removed"] == 1 and out["quarantine_rows_removed"] == 1, out
    assert sorted(out["runs_touched"]) == ["r1", "r2"]
    after = report(dp, lake)
    assert after["users"] == before["users"] - 1

    key = dp.keys["DUCKPIPE_HMAC_KEY"]
    secrets_ = {pseudonym(key, uuid), pseudonym(key, email.strip().lower()), email.lower(), uuid}
    for rel, rows in parquet_rows(lake, dp.keys).items():
        text = json.dumps(rows, default=str).lower()
        assert not any(s.lower() in text for s in secrets_), f"{rel} still holds the person"
    files = lake.files()
    for rel, data in files.items():
        assert not any(s.encode() in data.lower() for s in secrets_), rel
    # Only the objects holding them were rewritten: r3's object is the same bytes, still named.
    assert files[untouched["path"]] == untouched_bytes
    audit = [json.loads(d) for rel, d in files.items() if rel.startswith("audit/")]
    assert len(audit) == 1 and audit[0]["rows_removed"] == 1 and audit[0]["quarantine_rows_removed"] == 1
    assert sorted(audit[0]["runs_touched"]) == ["r1", "r2"] and audit[0]["time"]
    assert_sound(dp, lake, expected_users=after["users"])
    # Forgetting again finds nobody and still leaves an entry.
    again = dp.ok("forget", "--uuid", uuid, "--dest", lake.dest, "--format", "json").json()["forget"]
    assert again["rows_removed"] == 0 and again["runs_touched"] == []
    assert report(dp, lake) == after


def test_runs_drop_and_gc_delete_only_what_no_record_names(where):
    dp, lake = where
    load(dp, lake, "keep", "k", count=100)
    load(dp, lake, "bad", "b", count=100)
    lake.put("users/ghost/part-deadbeef-0.parquet", b"left by a killed load")
    out = dp.ok("runs", "drop", "bad", "--dest", lake.dest, "--format", "json").json()["dropped"]
    assert out["runs"] == ["bad"] and out["rows_removed"] == 100
    assert not any(rel.startswith(("users/bad/", "runs/bad")) for rel in lake.files())
    assert report(dp, lake)["users"] == 100
    refused = dp("runs", "drop", "nope", "--dest", lake.dest)
    assert refused.returncode == 2 and "no run nope" in refused.stderr
    # Too young for the margin: kept; with no margin: deleted. Named objects never.
    young = dp.ok("runs", "gc", "--dest", lake.dest, "--format", "json").json()["gc"]
    assert young["removed"] == [] and young["kept_young"] == 1
    gone = dp.ok("runs", "gc", "--dest", lake.dest, "--older-than", "0m", "--format", "json").json()["gc"]
    assert [r["path"] for r in gone["removed"]] == ["users/ghost/part-deadbeef-0.parquet"]
    assert_sound(dp, lake, expected_users=100)


def test_rekey_moves_every_object_to_the_new_key(where):
    dp, lake = where
    load(dp, lake, "one", "x", count=200)
    load(dp, lake, "two", "y", count=200)
    before = report(dp, lake)
    old = dp.keys["DUCKPIPE_PARQUET_KEY"]
    new = support.parse_keygen(dp.ok("keygen").stdout)["DUCKPIPE_PARQUET_KEY"]
    out = dp.ok("rekey", "--dest", lake.dest, "--format", "json", env=dp.env(DUCKPIPE_NEW_PARQUET_KEY=new)).json()
    assert out["rekeyed"], out
    assert old not in json.dumps(out) and new not in json.dumps(out)
    new_env = dp.env(DUCKPIPE_PARQUET_KEY=new)
    assert report(dp, lake, env=new_env) == before
    refused = dp("report", "--dest", lake.dest, "--format", "json")
    assert refused.returncode == 2 and "DUCKPIPE_PARQUET_KEY" in refused.stderr
    assert all_under(lake, new, old) == {out["fingerprint"]}
    dp.ok("runs", "--dest", lake.dest, "--verify", env=new_env)


def test_rekey_with_a_new_quarantine_key_moves_the_quarantine_too(where, fixture_users, tmp_path):
    dp, lake = where
    _, users = fixture_users
    broken = [{k: v for k, v in u.items() if k != "dob"} for u in users[:3]]
    ndjson = tmp_path / "q.ndjson"
    ndjson.write_text("".join(json.dumps(u) + "\n" for u in users[3:30] + broken))
    dp.ok("load", "--source", "file", "--input", str(ndjson), "--run-id", "q1", "--dest", lake.dest,
          "--as-of", AS_OF, "--max-bad-ratio", "0.5")
    load(dp, lake, "two", "y", count=100)
    before = report(dp, lake)
    fresh = support.parse_keygen(dp.ok("keygen").stdout)
    new, new_q = fresh["DUCKPIPE_PARQUET_KEY"], fresh["DUCKPIPE_QUARANTINE_KEY"]
    old, old_q = dp.keys["DUCKPIPE_PARQUET_KEY"], dp.keys["DUCKPIPE_QUARANTINE_KEY"]
    # The new quarantine key may not be the new data key (the data key would read it).
    same = dp("rekey", "--dest", lake.dest, env=dp.env(DUCKPIPE_NEW_PARQUET_KEY=new, DUCKPIPE_NEW_QUARANTINE_KEY=new))
    assert same.returncode == 2 and "of its own" in same.stderr, same.describe()
    out = dp.ok("rekey", "--dest", lake.dest, "--format", "json",
                env=dp.env(DUCKPIPE_NEW_PARQUET_KEY=new, DUCKPIPE_NEW_QUARANTINE_KEY=new_q)).json()
    assert out["rekeyed"] and out["quarantine_fingerprint"], out
    assert not any(k in json.dumps(out) for k in (old, old_q, new, new_q))
    files = lake.files()
    quarantine = [rel for rel in files if rel.startswith("quarantine/") and rel.endswith(".parquet")]
    assert quarantine
    for rel in quarantine:
        assert opens_with(files[rel], new_q) and not opens_with(files[rel], old_q), rel
    all_under(lake, new, old)
    rows = parquet_rows(lake, {"DUCKPIPE_PARQUET_KEY": new, "DUCKPIPE_QUARANTINE_KEY": new_q})
    assert sum(len(rows[rel]) for rel in quarantine) == 3
    for rec in lake.records().values():
        assert rec["keys"]["quarantine"] == out["quarantine_fingerprint"] and rec["keys"]["parquet"] == out["fingerprint"]
    new_env = dp.env(DUCKPIPE_PARQUET_KEY=new, DUCKPIPE_QUARANTINE_KEY=new_q)
    assert report(dp, lake, env=new_env) == before
    dp.ok("runs", "--dest", lake.dest, "--verify", env=new_env)


@pytest.mark.parametrize("step", ["written", "committed", "records_removed"])
def test_kill_9_during_a_compaction_leaves_the_old_or_the_new_state(where, step, tmp_path):
    dp, lake = where
    load(dp, lake, "a", "a", count=200)
    load(dp, lake, "b", "b", count=200)
    before = report(dp, lake)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = pause(dp, ["compact", "--dest", lake.dest], step, {"TMPDIR": str(scratch)})
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Never both, never neither: every answer is the same at once, without any repair.
    assert report(dp, lake) == before
    runs = {r["run_id"] for r in dp.ok("runs", "--dest", lake.dest, "--format", "json").json()["runs"]}
    if step == "written":
        assert runs == {"a", "b"}
    else:
        assert len(runs) == 1 and next(iter(runs)).startswith("compact-")
    assert_sound(dp, lake, expected_users=before["users"])
    # The next rewrite takes over the dead holder's lock and finishes the clean-up.
    dp.ok("runs", "gc", "--dest", lake.dest, "--older-than", "0m", "--lock-timeout", "0")
    assert report(dp, lake) == before
    files = lake.files()
    named = {o["path"] for rec in lake.records().values() for o in rec["objects"]}
    assert {rel for rel in files if rel.endswith(".parquet")} == named
    assert not any(rel.startswith("lock/") for rel in files)
    assert_sound(dp, lake, expected_users=before["users"])


@pytest.mark.parametrize("step", ["written", "committed", "records_removed"])
def test_kill_9_during_a_rekey_leaves_one_key_per_lake(where, step, tmp_path):
    dp, lake = where
    load(dp, lake, "a", "a", count=150)
    load(dp, lake, "b", "b", count=150)
    before = report(dp, lake)
    old = dp.keys["DUCKPIPE_PARQUET_KEY"]
    new = support.parse_keygen(dp.ok("keygen").stdout)["DUCKPIPE_PARQUET_KEY"]
    proc = pause(dp, ["rekey", "--dest", lake.dest], step, {"DUCKPIPE_NEW_PARQUET_KEY": new})
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    new_env = dp.env(DUCKPIPE_PARQUET_KEY=new)
    # Before the commit the lake is under the old key alone; after it, under the new key alone.
    reader, refused_env = (dp.env(), new_env) if step == "written" else (new_env, dp.env())
    assert report(dp, lake, env=reader) == before
    assert dp("report", "--dest", lake.dest, "--format", "json", env=refused_env).returncode == 2
    # Running it again finishes the job; then no object under users/ opens with the old key.
    dp.ok("rekey", "--dest", lake.dest, "--lock-timeout", "0", env=dp.env(DUCKPIPE_NEW_PARQUET_KEY=new))
    assert report(dp, lake, env=new_env) == before
    assert len(all_under(lake, new, old)) == 1
    assert_sound(dp, lake, env=new_env, expected_users=before["users"])


@pytest.mark.parametrize("step", ["written", "committed", "records_removed"])
def test_kill_9_during_a_forget_leaves_the_person_or_not_never_half(where, step, fixture_users):
    dp, lake = where
    path, users = fixture_users
    dp.ok("load", "--source", "file", "--input", str(path), "--run-id", "f1", "--dest", lake.dest,
          "--as-of", AS_OF, "--max-bad-ratio", "0.5")
    load(dp, lake, "f2", "other", count=50)
    before = report(dp, lake)
    proc = pause(dp, ["forget", "--email", users[3]["email"], "--dest", lake.dest], step)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    expected = before["users"] if step == "written" else before["users"] - 1
    assert report(dp, lake)["users"] == expected
    assert_sound(dp, lake, expected_users=expected)
    # Forgetting again finishes it: the person is gone, once.
    dp.ok("forget", "--email", users[3]["email"], "--dest", lake.dest, "--lock-timeout", "0")
    assert report(dp, lake)["users"] == before["users"] - 1
    assert_sound(dp, lake, expected_users=before["users"] - 1)


@pytest.mark.parametrize("step", ["records_removed", "object_removed"])
def test_kill_9_during_a_runs_drop_leaves_the_run_there_or_gone(where, step, fixture_users, tmp_path):
    dp, lake = where
    load(dp, lake, "keep", "k", count=100)
    # A data and a quarantine object, so that the kill can fall between them.
    load_with_quarantine(dp, lake, "bad", fixture_users[1], tmp_path)
    bad_objects = {o["path"] for o in lake.records()["runs/bad.json"]["objects"]}
    proc = pause(dp, ["runs", "drop", "bad", "--dest", lake.dest], step)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # The record went first: readers no longer see the run, whatever objects are left.
    assert set(lake.records()) == {"runs/keep.json"}
    assert report(dp, lake)["users"] == 100
    assert_sound(dp, lake, expected_users=100)
    left = {rel for rel in lake.files() if rel in bad_objects}
    assert left and (len(left) < len(bad_objects)) == (step == "object_removed")
    # The leftovers are orphans: gc deletes exactly them, and the dead holder's lock is taken over.
    gone = dp.ok("runs", "gc", "--dest", lake.dest, "--older-than", "0m", "--lock-timeout", "0",
                 "--format", "json").json()["gc"]
    assert {r["path"] for r in gone["removed"]} == left
    named = {o["path"] for rec in lake.records().values() for o in rec["objects"]}
    assert {rel for rel in lake.files() if rel.endswith(".parquet")} == named
    assert report(dp, lake)["users"] == 100


def test_kill_9_during_a_gc_deletes_orphans_only(where):
    dp, lake = where
    load(dp, lake, "keep", "k", count=100)
    orphans = [f"users/ghost/part-dead000{i}-0.parquet" for i in range(3)]
    for rel in orphans:
        lake.put(rel, b"left by a killed load")
    before = report(dp, lake)
    proc = pause(dp, ["runs", "gc", "--dest", lake.dest, "--older-than", "0m"], "orphan_removed")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    files = lake.files()
    assert sum(rel in files for rel in orphans) == 2, "killed after the first deletion"
    assert report(dp, lake) == before
    assert_sound(dp, lake, expected_users=100)
    gone = dp.ok("runs", "gc", "--dest", lake.dest, "--older-than", "0m", "--lock-timeout", "0",
                 "--format", "json").json()["gc"]
    assert len(gone["removed"]) == 2
    assert not any(rel in lake.files() for rel in orphans)
    assert report(dp, lake) == before


def test_gc_deletes_the_quarantine_past_its_retention(where, fixture_users, tmp_path):
    dp, lake = where
    load_with_quarantine(dp, lake, "q1", fixture_users[1], tmp_path)
    q_objects = [o["path"] for o in lake.records()["runs/q1.json"]["objects"] if o["kind"] == "quarantine"]
    assert q_objects and all(rel in lake.files() for rel in q_objects)
    before = report(dp, lake)
    # The default retention (30 days) and `off` keep a fresh run's quarantine.
    for flags in ([], ["--quarantine-retention", "off"]):
        out = dp.ok("runs", "gc", "--dest", lake.dest, *flags, "--format", "json").json()["gc"]
        assert out["quarantine_purged"] == []
    assert all(rel in lake.files() for rel in q_objects)
    out = dp.ok("runs", "gc", "--dest", lake.dest, "--quarantine-retention", "0m", "--format", "json").json()["gc"]
    assert [p["path"] for p in out["quarantine_purged"]] == q_objects
    assert not any(rel in lake.files() for rel in q_objects)
    entry = next(o for o in lake.records()["runs/q1.json"]["objects"] if o["kind"] == "quarantine")
    assert entry["purged_at"], "the record keeps the entry, marked purged, so the counts still add up"
    assert report(dp, lake) == before
    dp.ok("runs", "--dest", lake.dest, "--verify")


def paused_compaction(dp, lake, tmp_path):
    """Two runs of 100 users, and a compaction of them paused once its objects are written (it
    holds the lock); returns the process and the file whose creation resumes it."""
    load(dp, lake, "a", "a", count=100)
    load(dp, lake, "b", "b", count=100)
    resume = tmp_path / "resume"
    proc = pause(dp, ["compact", "--dest", lake.dest, "--format", "json"], "written",
                 {"DUCKPIPE_TEST_RESUME": str(resume)})
    return proc, resume


def test_two_rewrites_at_once_the_second_is_refused_naming_the_holder(where, tmp_path):
    dp, lake = where
    first, resume = paused_compaction(dp, lake, tmp_path)
    second = dp("forget", "--email", "x@example.com", "--dest", lake.dest, "--lock-timeout", "0")
    assert second.returncode == 4, second.describe()
    assert "locked by `compact`" in second.stderr and f"pid {first.pid}" in second.stderr, second.stderr
    resume.touch()
    out, _ = first.communicate(timeout=60)
    assert first.returncode == 0 and json.loads(out)["compacted"]
    # Once released, the other rewrite gets the lock.
    dp.ok("forget", "--email", "x@example.com", "--dest", lake.dest, "--lock-timeout", "0")
    assert_sound(dp, lake, expected_users=200)


def test_a_load_during_a_compaction_keeps_its_run(where, tmp_path):
    dp, lake = where
    compaction, resume = paused_compaction(dp, lake, tmp_path)
    load(dp, lake, "during", "c", count=100)
    resume.touch()
    out, _ = compaction.communicate(timeout=60)
    assert compaction.returncode == 0, out
    assert json.loads(out)["runs_merged"] == 2
    runs = {r["run_id"] for r in dp.ok("runs", "--dest", lake.dest, "--format", "json").json()["runs"]}
    assert "during" in runs and len(runs) == 2, runs
    assert report(dp, lake)["users"] == 300
    assert_sound(dp, lake, expected_users=300)


def _rekey_setup(dp, lake):
    load(dp, lake, "a", "a", count=100)
    load(dp, lake, "b", "b", count=100)
    new = support.parse_keygen(dp.ok("keygen").stdout)["DUCKPIPE_PARQUET_KEY"]
    return new, dp.env(DUCKPIPE_PARQUET_KEY=new)


def test_a_load_while_a_rekey_holds_the_lock_commits_nothing(where, tmp_path):
    dp, lake = where
    new, new_env = _rekey_setup(dp, lake)
    old = dp.keys["DUCKPIPE_PARQUET_KEY"]
    resume = tmp_path / "resume"
    rekey = pause(dp, ["rekey", "--dest", lake.dest, "--format", "json"], "written",
                  {"DUCKPIPE_NEW_PARQUET_KEY": new, "DUCKPIPE_TEST_RESUME": str(resume)})
    refused = dp(*load_args(lake, "during", "c", 100))
    assert refused.returncode == 2, refused.describe()
    assert "being moved to a new key" in refused.stderr and "committed nothing" in refused.stderr, refused.stderr
    assert not any(rel.startswith(("users/during/", "runs/during")) for rel in lake.files())
    resume.touch()
    out, _ = rekey.communicate(timeout=60)
    assert rekey.returncode == 0, out
    assert len(all_under(lake, new, old)) == 1
    assert report(dp, lake, env=new_env)["users"] == 200
    # Loaded again with the new key, as the message says: one lake, one key.
    dp.ok(*load_args(lake, "during", "c", 100), env=new_env)
    assert report(dp, lake, env=new_env)["users"] == 300
    assert_sound(dp, lake, env=new_env, expected_users=300)


def test_a_load_that_read_the_records_before_a_rekey_is_refused_after_it(where, tmp_path):
    dp, lake = where
    new, new_env = _rekey_setup(dp, lake)
    old = dp.keys["DUCKPIPE_PARQUET_KEY"]
    resume = tmp_path / "resume"
    loading = pause(dp, load_args(lake, "late", "c", 100), "load_exported", {"DUCKPIPE_TEST_RESUME": str(resume)})
    dp.ok("rekey", "--dest", lake.dest, env=dp.env(DUCKPIPE_NEW_PARQUET_KEY=new))
    resume.touch()
    _, err = loading.communicate(timeout=60)
    assert loading.returncode == 2, err
    assert "under another Parquet key" in err and "committed nothing" in err, err
    assert "runs/late.json" not in lake.records()
    assert len(all_under(lake, new, old)) == 1
    assert report(dp, lake, env=new_env)["users"] == 200
    assert_sound(dp, lake, env=new_env, expected_users=200)


def test_a_load_that_commits_during_a_rekey_is_moved_by_its_next_pass(where, tmp_path):
    """The gap between a load's last check and its commit: the run lands under the old key while
    the rekey runs; the rekey's next pass moves it, so the lake ends under one key."""
    dp, lake = where
    new, new_env = _rekey_setup(dp, lake)
    old = dp.keys["DUCKPIPE_PARQUET_KEY"]
    load_resume, rekey_resume = tmp_path / "load-resume", tmp_path / "rekey-resume"
    loading = pause(dp, load_args(lake, "gap", "c", 100), "load_checked", {"DUCKPIPE_TEST_RESUME": str(load_resume)})
    rekey = pause(dp, ["rekey", "--dest", lake.dest, "--format", "json"], "rekey_pass",
                  {"DUCKPIPE_NEW_PARQUET_KEY": new, "DUCKPIPE_TEST_RESUME": str(rekey_resume)})
    load_resume.touch()
    _, err = loading.communicate(timeout=60)
    assert loading.returncode == 0, err
    assert lake.records()["runs/gap.json"]["keys"]["parquet"] != lake.records()[
        next(n for n in lake.records() if n.startswith("runs/rekey-"))]["keys"]["parquet"], "committed under the old key"
    rekey_resume.touch()
    out, err = rekey.communicate(timeout=60)
    assert rekey.returncode == 0, out + err
    moved = json.loads(out)
    assert moved["passes"] == 2 and moved["runs_moved"] == 3, moved
    assert len(all_under(lake, new, old)) == 1
    assert report(dp, lake, env=new_env)["users"] == 300
    assert dp("report", "--dest", lake.dest, "--format", "json").returncode == 2, "the old key opens nothing"
    assert_sound(dp, lake, env=new_env, expected_users=300)


def test_a_load_after_a_rekey_cut_short_past_its_commit_loads_with_the_new_key(where):
    """The superseded records under the old key are still there (the rekey was killed before
    removing them): a load with the new key is not mistaken for one during a rekey."""
    dp, lake = where
    new, new_env = _rekey_setup(dp, lake)
    proc = pause(dp, ["rekey", "--dest", lake.dest], "committed", {"DUCKPIPE_NEW_PARQUET_KEY": new})
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert {"runs/a.json", "runs/b.json"} <= set(lake.records()), "the superseded records are left"
    dp.ok(*load_args(lake, "after", "c", 100), env=new_env)
    assert report(dp, lake, env=new_env)["users"] == 300
    assert_sound(dp, lake, env=new_env, expected_users=300)
