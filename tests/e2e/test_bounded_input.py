"""Bounded reading of files (issue 15): a record over the maximum record size or one that is not
UTF-8 text is one quarantined record with its reason, the rest loads; binary and endless input
stop with exit 3 and one clear line; a JSON document is read element by element, in memory well
below its size; and SIGINT during an export to S3 leaves no object of the interrupted attempt.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import support

AS_OF = support.AS_OF
MARKER = "Oversized-Secret-Marker"


def _users(dp, n: int, seed: str) -> list[dict]:
    return dp.generate(n, seed, dp.cwd / f"gen-{seed}.json")


def _write(path: Path, users: list, kind: str) -> Path:
    """`users` as NDJSON or as a saved API response; an item that is `bytes` is written as it is."""
    parts = [u if isinstance(u, bytes) else json.dumps(u).encode() for u in users]
    if kind == "ndjson":
        path.write_bytes(b"\n".join(parts) + b"\n")
    else:
        path.write_bytes(b'{"results": [' + b",\n".join(parts) + b'], "info": {"seed": "s", "version": "1.4"}}')
    return path


def _load(dp, path: Path, lake: Path, *extra: str):
    return dp("load", "--source", "file", "--input", str(path), "--dest", str(lake), "--as-of", AS_OF,
              "--format", "json", *extra, env=dp.env(s3=False))


def _quarantine(dp, lake: Path, record: dict) -> list[tuple]:
    (q,) = [o["path"] for o in record["objects"] if o["kind"] == "quarantine"]
    reader = support.ParquetReader(str(lake / q), dp.keys["DUCKPIPE_QUARANTINE_KEY"])
    return reader.query("SELECT seq, reason, doc FROM {src} ORDER BY seq")


@pytest.mark.parametrize("kind", ["ndjson", "document"])
def test_an_oversized_record_is_quarantined_with_its_reason_and_the_rest_loads(kind, dp, tmp_path):
    users = _users(dp, 300, "big")
    big = {"name": MARKER + "x" * (2 << 20)}  # 2 MiB: over the default 1 MiB
    path = _write(tmp_path / f"u.{kind}", users[:100] + [big] + users[100:], kind)
    lake = tmp_path / "lake"
    r = _load(dp, path, lake)
    assert r.returncode == 0, r.describe()
    assert MARKER not in r.stderr and MARKER not in r.stdout
    record = r.json()["run"]
    assert record["counts"] == {"received": 301, "written": 300, "quarantined": 1, "suppressed": 0}
    support.assert_counts_balanced(record)
    reason = "larger than the maximum record size (1048576 bytes, --max-record-size)"
    assert record["rejections"] == [{"reason": reason, "records": 1}]
    # Where it was, why, and none of its bytes (they were never held).
    assert _quarantine(dp, lake, record) == [(100, reason, None)]
    (data,) = [o["path"] for o in record["objects"] if o["kind"] == "data"]
    reader = support.ParquetReader(str(lake / data), dp.keys["DUCKPIPE_PARQUET_KEY"])
    support.check_table(reader, users, AS_OF, record["run_id"])


def test_max_record_size_is_configurable_and_both_ways_of_reading_agree(dp, tmp_path):
    users = _users(dp, 50, "limit")
    sizes = sorted(len(json.dumps(u).encode()) for u in users)
    limit = sizes[25]
    over = sum(s > limit for s in sizes)
    assert 0 < over < 50, sizes
    runs = []
    for kind in ["ndjson", "document"]:
        path = _write(tmp_path / f"u.{kind}", users, kind)
        r = _load(dp, path, tmp_path / f"lake-{kind}", "--max-record-size", str(limit), "--max-bad-ratio", "1")
        assert r.returncode == 0, r.describe()
        runs.append((r.json()["run"]["counts"], r.json()["run"]["rejections"]))
    reason = f"larger than the maximum record size ({limit} bytes, --max-record-size)"
    want = ({"received": 50, "written": 50 - over, "quarantined": over, "suppressed": 0}, [{"reason": reason, "records": over}])
    assert runs[0] == runs[1] == want
    r = _load(dp, tmp_path / "u.ndjson", tmp_path / "lake-bad", "--max-record-size", "lots")
    assert r.returncode == 2, r.describe()


def test_a_line_that_is_not_utf8_is_one_quarantined_record(dp, tmp_path):
    users = _users(dp, 200, "utf8")
    bad = json.dumps(users[0]).replace("{", '{"note": "Secr\\u00e9t",', 1).encode().replace(b"Secr\\u00e9t", b"Secr\xe9t")
    path = _write(tmp_path / "u.ndjson", users[1:50] + [bad] + users[50:], "ndjson")
    lake = tmp_path / "lake"
    r = _load(dp, path, lake)
    assert r.returncode == 0, r.describe()
    record = r.json()["run"]
    assert record["counts"] == {"received": 200, "written": 199, "quarantined": 1, "suppressed": 0}
    assert record["rejections"] == [{"reason": "not valid UTF-8 text", "records": 1}]
    ((seq, reason, doc),) = _quarantine(dp, lake, record)
    assert (seq, reason) == (49, "not valid UTF-8 text")
    assert "Secr\ufffdt" in doc  # kept, with the invalid byte replaced, to be found and fixed


@pytest.mark.parametrize("what", ["dev-zero", "elf", "nul-line"])
def test_binary_input_is_exit_3_with_one_line_and_no_panic(what, dp, tmp_path):
    if what == "dev-zero":
        path = Path("/dev/zero")
    elif what == "elf":
        path = Path("/bin/ls") if Path("/bin/ls").exists() else Path("/usr/bin/env")
    else:
        users = _users(dp, 20, "nul")
        path = _write(tmp_path / "u.ndjson", users[:10] + [b'{"a": "\x00"}'] + users[10:], "ndjson")
    lake = tmp_path / "lake"
    r = _load(dp, path, lake)
    assert r.returncode == 3, r.describe()
    assert "panicked" not in r.stderr and "backtrace" not in r.stderr.lower(), r.stderr
    errors = [l for l in r.stderr.splitlines() if l.startswith("error")]
    assert len(errors) == 1, r.stderr
    assert str(path) in errors[0] and ("binary" in errors[0] or "not JSON users" in errors[0]), errors[0]
    assert not (lake / "runs").exists() or not list((lake / "runs").glob("*.json"))


@pytest.mark.parametrize("before", ["nothing", "ndjson", "document"])
def test_endless_blank_input_is_exit_3(before, dp, tmp_path):
    """`yes ''` through a pipe — alone, after an NDJSON record, or inside a document — never ends
    by itself: the read stops after 1 GiB of blanks with one clear line, nothing committed."""
    user = json.dumps(_users(dp, 1, "blank")[0])
    head = {"nothing": "", "ndjson": user + "\n", "document": '{"results": [' + user + ","}[before]
    fifo = tmp_path / "in.pipe"
    os.mkfifo(fifo)
    # The writer opens the pipe itself, once (opening it here would block until the reader does;
    # two opens would let the reader see the end of input in between).
    writer = subprocess.Popen(["sh", "-c", '{ printf "%s" "$1"; yes ""; } > "$2"', "sh", head, str(fifo)],
                              stderr=subprocess.DEVNULL)
    lake = tmp_path / "lake"
    try:
        r = _load(dp, fifo, lake)
    finally:
        writer.kill()
        writer.wait()
    assert r.returncode == 3, r.describe()
    assert "panicked" not in r.stderr and "backtrace" not in r.stderr.lower(), r.stderr
    errors = [l for l in r.stderr.splitlines() if l.startswith("error")]
    assert len(errors) == 1 and "blank" in errors[0] and "endless input" in errors[0], r.stderr
    assert not (lake / "runs").exists() or not list((lake / "runs").glob("*.json"))


def _peak_rss(args: list[str], cwd: Path, env: dict) -> tuple[subprocess.CompletedProcess, int]:
    """Runs `args` under a fresh Python, which reports its one child's peak RSS in bytes."""
    wrapper = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "sys.stderr.write(p.stderr); sys.stdout.write(p.stdout); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, file=sys.stderr); sys.exit(p.returncode)")
    p = subprocess.run([sys.executable, "-c", wrapper, *args], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=300)
    return p, int(p.stderr.strip().splitlines()[-1])


def test_a_json_document_is_read_in_memory_well_below_its_size(dp, tmp_path):
    # 300 MB of document, most of it in records over the limit: read element by element, none of
    # them is ever held (read whole, the document alone would take its size).
    users = _users(dp, 200, "rss")
    filler = b'{"name": "' + b"x" * (2 << 20) + b'"}'
    path = tmp_path / "users.json"
    with path.open("wb") as f:
        f.write(b'{"results": [')
        for i, u in enumerate(users):
            f.write(json.dumps(u).encode() + b",\n")
            if i % 2 == 0:
                f.write(filler + b",\n")
        f.write(json.dumps(users[0]).encode() + b'], "info": {"seed": "s"}}')
    size = path.stat().st_size
    assert size > 200_000_000
    args = [dp.binary, "load", "--source", "file", "--input", str(path), "--dest", str(tmp_path / "lake"),
            "--as-of", AS_OF, "--format", "json", "--max-bad-ratio", "1"]
    p, peak = _peak_rss(args, dp.cwd, dp.env(s3=False))
    assert p.returncode == 0, p.stderr
    counts = json.loads(p.stdout)["run"]["counts"]
    assert counts == {"received": 301, "written": 201, "quarantined": 100, "suppressed": 0}
    assert peak < size / 2, (peak, size)


def _s3_objects(minio, bucket: str) -> list[str]:
    return [k for k in minio.keys(bucket) if k.startswith(("lake/users/", "lake/quarantine/"))]


def test_sigint_during_an_export_to_s3_leaves_no_uncommitted_object(dp_s3, minio, bucket, tmp_path):
    # Objects of one row group each (DUCKPIPE_OBJECT_BYTES), so the export writes many, one
    # after another: the signal comes once the first is there.
    env = dp_s3.env(DUCKPIPE_OBJECT_BYTES="1", TMPDIR=str(tmp_path))
    args = [dp_s3.binary, "load", "--source", "synthetic", "--count", "1500000", "--seed", "s3-intr",
            "--dest", f"s3://{bucket}/lake", "--as-of", AS_OF, "--format", "json"]
    proc = subprocess.Popen(args, cwd=dp_s3.cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    deadline = time.time() + 240
    while proc.poll() is None and time.time() < deadline and not seen:
        seen = _s3_objects(minio, bucket)
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert "panicked" not in err, err
    records = [k for k in minio.keys(bucket) if k.startswith("lake/runs/") and k.endswith(".json")]
    if proc.returncode == 0:
        pytest.skip("the load committed before the signal")  # not expected: 13 objects to write
    assert seen, "the signal came before any object was written"
    assert proc.returncode == 130, err
    assert any("nothing was committed" in l for l in err.splitlines()), err
    assert records == []
    assert _s3_objects(minio, bucket) == [], "objects of the interrupted attempt are left on S3"
