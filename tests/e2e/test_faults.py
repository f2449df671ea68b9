"""Issue 4 fault injection against real servers: MinIO killed during an upload, a missing bucket
(and --create-bucket), and API timeouts in the middle of pagination. Every failed run must leave
no run record, so readers see exactly the state before it."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from minio import Minio

import support
from support import AS_OF

REPO = Path(__file__).resolve().parents[2]
MINIO_SH = REPO / "scripts" / "minio.sh"


class PrivateMinio:
    """A MinIO process of this test's own, so that it can be killed and restarted."""

    def __init__(self, data_dir: Path):
        self.dir = data_dir
        self.port = support.free_port()
        self.user = "fault-" + secrets.token_hex(4)
        self.password = "fault-secret-" + secrets.token_hex(12)
        self.client = Minio(f"127.0.0.1:{self.port}", self.user, self.password, secure=False, region="us-east-1")

    def start(self):
        env = dict(os.environ, MINIO_ROOT_USER=self.user, MINIO_ROOT_PASSWORD=self.password)
        p = subprocess.run(["bash", str(MINIO_SH), "start", str(self.port), str(self.dir)], env=env,
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr

    def kill(self):
        pid = int((self.dir / "minio.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        for _ in range(100):
            try:
                state = Path(f"/proc/{pid}/stat").read_text().split()[2]
            except (FileNotFoundError, IndexError):
                return
            if state == "Z":  # dead; its parent (not us) has not reaped it
                return
            time.sleep(0.05)

    def stop(self):
        subprocess.run(["bash", str(MINIO_SH), "stop", str(self.dir)], capture_output=True, text=True)

    def env(self, endpoint_port: int | None = None) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.user, "AWS_SECRET_ACCESS_KEY": self.password, "AWS_REGION": "us-east-1",
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{endpoint_port or self.port}"}

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        return sorted(o.object_name for o in self.client.list_objects(bucket, prefix=prefix, recursive=True))


class UploadCutter:
    """A plain TCP relay in front of MinIO (no S3 logic: bytes pass through unchanged). Once more
    than `cut_after` bytes have gone towards MinIO — only an upload sends that much — it stops
    relaying and calls `on_cut` (which kills MinIO), so the kill lands mid-upload every time."""

    def __init__(self, upstream_port: int, cut_after: int, on_cut):
        self.upstream = upstream_port
        self.cut_after = cut_after
        self.on_cut = on_cut
        self.sent = 0
        self.cut = threading.Event()
        self.lock = threading.Lock()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream))
        except OSError:
            client.close()
            return
        threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()
        self._pipe(client, upstream, True)

    def _pipe(self, src, dst, towards_minio):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if towards_minio:
                    with self.lock:
                        self.sent += len(data)
                        trip = self.sent > self.cut_after and not self.cut.is_set()
                        if trip:
                            self.cut.set()
                    if trip:
                        self.on_cut()
                    if self.cut.is_set():
                        break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

    def close(self):
        self.server.close()


@pytest.fixture
def private_minio(tmp_path):
    m = PrivateMinio(tmp_path / "minio")
    m.start()
    try:
        yield m
    finally:
        m.stop()


def _load_args(path, dest, *extra):
    return ["load", "--source", "file", "--input", str(path), "--dest", dest, "--as-of", AS_OF, "--format", "json", *extra]


def test_minio_killed_during_upload_leaves_no_record_and_a_rerun_succeeds(dp, private_minio, fixture_users, tmp_path):
    m = private_minio
    m.client.make_bucket("lake")
    path, users = fixture_users
    dest = "s3://lake/data"
    env = dp.env(s3=False, **m.env())
    first = dp.ok(*_load_args(path, dest), env=env).json()["run"]

    big = dp.cwd / "big.ndjson"
    subprocess.run([dp.binary, "generate", "--count", "60000", "--seed", "e2e-kill", "--ndjson", "--out", str(big),
                    "--as-of", AS_OF], check=True, env=support.clean_env())
    before = m.keys("lake")

    cutter = UploadCutter(m.port, cut_after=512 * 1024, on_cut=m.kill)
    try:
        r = dp(*_load_args(big, dest, "--run-id", "big-1"), env=dp.env(s3=False, **m.env(cutter.port)))
    finally:
        cutter.close()
    assert cutter.cut.is_set(), "the upload never reached the cut point"
    assert r.returncode == 4, r.describe()
    assert "writing s3://lake/data/users/big-1" in r.output and "failed" in r.output, r.describe()
    assert "panicked" not in r.output, r.describe()
    assert m.password not in r.output

    m.start()  # same data directory, same port
    after = m.keys("lake")
    assert "data/runs/big-1.json" not in after, after
    assert [k for k in after if k.startswith("data/runs/")] == [k for k in before if k.startswith("data/runs/")]
    report = dp.ok("report", "--dest", dest, "--as-of", AS_OF, "--format", "json", env=env).json()
    support.assert_report(report, support.expected_report([(users, AS_OF)]))

    # The same command, now that the store is back, succeeds and is counted once.
    again = dp.ok(*_load_args(big, dest, "--run-id", "big-1"), env=env).json()
    assert again["skipped"] is False and again["run"]["counts"]["written"] == 60000
    support.assert_counts_balanced(again["run"])
    assert again["report"]["users"] == len(users) + 60000
    assert first["run_id"] != "big-1"


def test_missing_bucket_is_a_clear_error_unless_create_bucket(dp_s3, minio, fixture_users):
    path, users = fixture_users
    name = "e2e-missing-" + secrets.token_hex(6)
    r = dp_s3(*_load_args(path, f"s3://{name}/lake"))
    assert r.returncode == 2, r.describe()
    assert f'bucket "{name}" does not exist' in r.output and "--create-bucket" in r.output, r.describe()
    assert not minio.client.bucket_exists(name)

    out = dp_s3.ok(*_load_args(path, f"s3://{name}/lake", "--create-bucket")).json()
    assert minio.client.bucket_exists(name)
    assert out["run"]["counts"]["written"] == len(users)
    assert f"lake/runs/{out['run']['run_id']}.json" in minio.keys(name)


def _mock(duckpipe_bin: str, *args: str):
    mock = Path(duckpipe_bin).parent / "examples" / "mock_randomuser"
    proc = subprocess.Popen([str(mock), "--port", "0", *args], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    assert line.startswith("listening on http://127.0.0.1:"), line
    return proc, line.split("listening on ", 1)[1] + "/api/1.4/"


@pytest.mark.parametrize("faults, ok", [("normal,delay=4000,delay=4000", False), ("normal,delay=4000", True)])
def test_api_timeouts_mid_pagination(dp, duckpipe_bin, tmp_path, faults, ok):
    """Page 2 of 3 outlasts the client timeout: with every attempt timing out the run fails
    (exit 3) and writes nothing; when a retry gets through, every user is written once."""
    proc, base = _mock(duckpipe_bin, "--faults", faults)
    try:
        lake = tmp_path / "lake"
        r = dp("load", "--source", "api", "--api-url", base, "--count", "3000", "--page-size", "1000",
               "--seed", "e2e-timeouts", "--timeout", "1", "--attempts", "2", "--dest", str(lake),
               "--as-of", AS_OF, "--format", "json")
        if ok:
            assert r.returncode == 0, r.describe()
            run = r.json()["run"]
            assert run["counts"] == {"received": 3000, "written": 3000, "quarantined": 0, "suppressed": 0}
            support.assert_counts_balanced(run)
            assert r.json()["report"]["users"] == 3000
        else:
            assert r.returncode == 3, r.describe()
            assert "page 2" in r.output and "timed out" in r.output, r.describe()
            assert not (lake.exists() and [p for p in lake.rglob("*") if p.is_file()])
    finally:
        proc.kill()


def test_object_altered_or_truncated_in_the_bucket_is_named(dp_s3, minio, bucket, fixture_users):
    import io

    path, _ = fixture_users
    dest = f"s3://{bucket}/lake"
    keep = dp_s3.ok(*_load_args(path, dest)).json()["run"]
    hit = dp_s3.ok(*_load_args(path, dest)).json()["run"]
    key = "lake/" + hit["objects"][0]["path"]
    original = minio.get(bucket, key)

    def put(data: bytes):
        minio.client.put_object(bucket, key, io.BytesIO(data), len(data))

    altered = bytearray(original)
    altered[-30] ^= 0x01  # inside the encrypted footer
    put(bytes(altered))
    r = dp_s3("report", "--dest", dest, "--as-of", AS_OF)
    assert r.returncode == 4 and hit["objects"][0]["path"] in r.output and "altered" in r.output, r.describe()
    assert keep["objects"][0]["path"] not in r.output

    put(original[:-100])
    r = dp_s3("report", "--dest", dest, "--as-of", AS_OF)
    assert r.returncode == 4 and "truncated" in r.output and hit["objects"][0]["path"] in r.output, r.describe()

    put(original)
    dp_s3.ok("report", "--dest", dest, "--as-of", AS_OF)
    v = dp_s3.ok("runs", "--verify", "--dest", dest, "--format", "json")
    assert v.json()["damaged"] == 0
