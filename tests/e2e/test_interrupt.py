"""Ctrl-C, SIGTERM and kill -9 during a load (issue 15, clean interruption).

- SIGINT or SIGTERM at a random point of a load: exit 130 / 143 with one line saying nothing was
  committed (or, if the signal came after the commit, that the run was committed), no temporary
  folder left, and — checked on the lake itself — either no run and no objects, or exactly the
  committed run with every object it names.
- kill -9 leaves the temporary folder behind; the next duckpipe command removes it.

The loads are synthetic (no input file to prepare); each case is bounded: one load of a few
seconds per signal time.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

import support

AS_OF = support.AS_OF
# Large enough that a load takes a few seconds on the CI machine, so signals land mid-load.
COUNT = "1500000"


def _start(dp, lake: Path, tmp: Path) -> subprocess.Popen:
    env = dp.env(s3=False, TMPDIR=str(tmp))
    args = [dp.binary, "load", "--source", "synthetic", "--count", COUNT, "--seed", "intr", "--dest", str(lake),
            "--as-of", AS_OF, "--format", "json"]
    return subprocess.Popen(args, cwd=dp.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _start_and_wait_for_its_folder(dp, lake: Path, tmp: Path) -> subprocess.Popen:
    proc = _start(dp, lake, tmp)
    deadline = time.time() + 30
    while not _temp_folders(tmp) and time.time() < deadline:
        time.sleep(0.05)
    return proc


def _temp_folders(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith("duckpipe-"))


def _lake_state(lake: Path) -> tuple[list[dict], list[str]]:
    records = [json.loads(p.read_text()) for p in sorted((lake / "runs").glob("*.json"))] if (lake / "runs").exists() else []
    objects = sorted(str(p.relative_to(lake)) for p in lake.rglob("*.parquet")) if lake.exists() else []
    return records, objects


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_load_commits_nothing_and_leaves_nothing(dp, tmp_path, sig, code):
    rng = random.Random(f"signal-{sig}")
    for attempt in range(3):
        tmp = tmp_path / f"tmp-{attempt}"
        tmp.mkdir()
        lake = tmp_path / f"lake-{attempt}"
        proc = _start(dp, lake, tmp)
        time.sleep(rng.uniform(0.3, 3.0))
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        records, objects = _lake_state(lake)
        assert _temp_folders(tmp) == [], f"temporary folder left after {sig.name}: {_temp_folders(tmp)}"
        assert "Traceback" not in err and "panicked" not in err, err
        if proc.returncode == 0:
            # The load finished before the signal: a normal, complete run.
            assert len(records) == 1, records
            continue
        assert proc.returncode == code, (proc.returncode, err)
        lines = [l for l in err.splitlines() if l.startswith("interrupted by")]
        assert len(lines) == 1, err
        if "nothing was committed" in lines[0]:
            assert records == [] and objects == [], (records, objects)
        else:
            assert "was committed" in lines[0], lines[0]
            assert len(records) == 1
            named = sorted(o["path"] for o in records[0]["objects"])
            assert objects == named
            support.assert_counts_balanced(records[0])


def test_kill_9_leaves_a_folder_that_the_next_run_removes(dp, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    lake = tmp_path / "lake"
    proc = _start_and_wait_for_its_folder(dp, lake, tmp)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    left = _temp_folders(tmp)
    assert len(left) == 1, left
    # Not within its first minute (its process may be between creating and locking it).
    r = dp("runs", "--dest", str(lake), env=dp.env(s3=False, TMPDIR=str(tmp)))
    assert r.returncode == 0 and _temp_folders(tmp) == left, r.describe()
    a_while_ago = time.time() - 120
    os.utime(tmp / left[0], (a_while_ago, a_while_ago))
    # Any command that opens the engine sweeps the folders of dead processes.
    r = dp("runs", "--dest", str(lake), env=dp.env(s3=False, TMPDIR=str(tmp)))
    assert r.returncode == 0, r.describe()
    assert _temp_folders(tmp) == []
    records, _ = _lake_state(lake)
    assert records == []


def test_the_sweep_leaves_a_running_load_alone(dp, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    lake = tmp_path / "lake"
    proc = _start_and_wait_for_its_folder(dp, lake, tmp)
    running = _temp_folders(tmp)
    r = dp("runs", "--dest", str(tmp_path / "other"), env=dp.env(s3=False, TMPDIR=str(tmp)))
    assert r.returncode == 0, r.describe()
    assert set(running) <= set(_temp_folders(tmp)), "the sweep removed a live load's folder"
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=120)
    assert _temp_folders(tmp) == []
