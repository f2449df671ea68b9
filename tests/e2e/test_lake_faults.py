"""Issue 12 under faults: kill -9 at random points of local and S3 loads (a bounded loop, with the
lake's invariants checked after each kill), two loads racing with the same run id, and the
fsyncs that make a commit survive a power loss (seen with strace).

Every loop is bounded in count, and each load is small, so this file takes well under a minute
or two; where a kill lands is random but seeded, so a failure can be replayed.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import support
from lake_check import assert_sound
from support import AS_OF

USERS = 10_000  # per killed load: big enough to take about a second, small enough to repeat


def _load_args(lake, run_id, seed):
    return ["load", "--source", "synthetic", "--count", str(USERS), "--seed", seed, "--run-id", run_id,
            "--dest", lake.dest, "--as-of", AS_OF, "--format", "json"]


def test_kill_9_at_random_points_never_shows_half_a_run_and_a_retry_commits_once(where, tmp_path):
    dp, lake = where
    rng = random.Random(f"kill-9-{lake.dest.startswith('s3')}")
    # A killed process leaves its private DuckDB folder: keep those inside the test's tmp dir.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dp.env(TMPDIR=str(scratch))
    started = time.monotonic()
    dp.ok(*_load_args(lake, "baseline", "baseline"), env=env)
    duration = time.monotonic() - started  # where kills may land; never asserted on

    kills = 0
    for i in range(5):
        run_id, seed = f"kill-{i}", f"kill-{i}"
        proc = subprocess.Popen([dp.binary, *_load_args(lake, run_id, seed)], cwd=dp.cwd, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        if proc.poll() is None:
            proc.kill()
            kills += 1
        proc.wait(timeout=120)

        # No visible half-run; every record balances and names objects that exist.
        records = assert_sound(dp, lake, env=env)
        present = f"runs/{run_id}.json" in records

        # The retry with the same run id: committed now, or a no-op if the killed one committed.
        again = dp.ok(*_load_args(lake, run_id, seed), env=env).json()
        assert again["outcome"] == ("already_recorded" if present else "committed"), (i, again["outcome"])
        assert dp.ok(*_load_args(lake, run_id, seed), env=env).json()["outcome"] == "already_recorded"
        ids = sorted(r["run_id"] for r in lake.records().values())
        assert ids == sorted(["baseline", *(f"kill-{j}" for j in range(i + 1))]), ids
    assert kills >= 1, "no load was ever killed: the loop tested nothing"
    assert_sound(dp, lake, env=env, expected_users=USERS * 6)


def _fifo_load(dp, lake, fifo, run_id):
    args = ["load", "--source", "file", "--input", str(fifo), "--run-id", run_id, "--dest", lake.dest,
            "--as-of", AS_OF, "--format", "json"]
    return subprocess.Popen([dp.binary, *args], cwd=dp.cwd, env=dp.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_loads_with_the_same_run_id_commit_exactly_once(where, tmp_path):
    """Reproduced on S3: both exited 0 and printed "Loaded N users"; the last record PUT won and
    the other run's data was silently orphaned. Each load reads its users from a named pipe that
    the test fills only once both are reading — past their "already recorded?" check — so the two
    always race to the commit."""
    dp, lake = where
    users = dp.generate(3000, "race", dp.cwd / "race.json")
    text = "".join(json.dumps(u) + "\n" for u in users)
    fifos = [tmp_path / "a.fifo", tmp_path / "b.fifo"]
    procs = []
    for fifo in fifos:
        os.mkfifo(fifo)
        procs.append(_fifo_load(dp, lake, fifo, "race-1"))

    def feed(fifo):
        with open(fifo, "w") as f:  # returns once that load opened its source
            f.write(text)

    feeders = [threading.Thread(target=feed, args=(f,), daemon=True) for f in fifos]
    for t in feeders:
        t.start()
    outs = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        assert p.returncode == 0, stderr
        outs.append(json.loads(stdout))
    for t in feeders:
        t.join(timeout=10)

    outcomes = sorted(o["outcome"] for o in outs)
    assert outcomes == ["committed", "committed_by_another"], outcomes
    winner = next(o for o in outs if o["outcome"] == "committed")
    loser = next(o for o in outs if o["outcome"] == "committed_by_another")
    assert loser["skipped"] is True and loser["committed"] is False
    assert any("committed by another load" in w and "removed its" in w for w in loser["warnings"]), loser["warnings"]
    assert loser["run"] == winner["run"], "the loser reports the record that won"

    records = lake.records()
    assert list(records) == ["runs/race-1.json"] and records["runs/race-1.json"] == winner["run"]
    files = lake.files()
    assert sorted(files) == sorted(["runs/race-1.json", *(o["path"] for o in winner["run"]["objects"])]), sorted(files)
    assert_sound(dp, lake, expected_users=len(users))  # no orphan either


def test_the_commit_is_fsynced_in_order(dp, tmp_path):
    """Reproduced: a load made no fsync call, so a power loss could leave a zero-length record
    (and every command failing). The data objects and their folders reach the disk before the
    record is linked into place, the record's content before it is linked, and runs/ after."""
    strace = shutil.which("strace")
    assert strace, "strace is needed (scripts/test.sh installs it)"
    lake = (tmp_path / "lake").resolve()
    trace = tmp_path / "trace.txt"
    args = ["load", "--source", "synthetic", "--count", "3000", "--seed", "fsync", "--run-id", "fs-1",
            "--dest", str(lake), "--as-of", AS_OF, "--format", "json"]
    p = subprocess.run([strace, "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync,link,linkat", "-o", str(trace),
                        dp.binary, *args], cwd=dp.cwd, env=dp.env(), capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    run = json.loads(p.stdout)["run"]
    calls = [line for line in trace.read_text().splitlines() if re.search(r"\b(fsync|fdatasync|linkat?)\(", line)]

    def first(pattern: str) -> int:
        for i, line in enumerate(calls):
            if re.search(pattern, line):
                return i
        raise AssertionError(f"no call matches {pattern!r}:\n" + "\n".join(calls))

    link = first(r"linkat?\(.*runs/\.fs-1\.[0-9a-f]{8}\.tmp.*runs/fs-1\.json")
    for o in run["objects"]:
        assert first(rf"f(data)?sync\(\d+<{re.escape(str(lake / o['path']))}>") < link, o["path"]
    assert first(rf"fsync\(\d+<{re.escape(str(lake / 'users' / 'fs-1'))}>") < link
    assert first(r"fsync\(\d+<.*runs/\.fs-1\.[0-9a-f]{8}\.tmp>") < link
    runs_dir = rf"fsync\(\d+<{re.escape(str(lake / 'runs'))}>"
    assert any(re.search(runs_dir, line) for line in calls[link + 1:]), "runs/ is not synced after the link"
    assert json.loads((lake / "runs" / "fs-1.json").read_text()) == run
    assert not [f for f in (lake / "runs").iterdir() if f.name.startswith(".")], "a temporary record was left"
