"""Fixtures for the end-to-end tests.

- `duckpipe_bin`: the binary under test ($DUCKPIPE_BIN, else $CARGO_TARGET_DIR or ~/.cache/duckpipe/target /release/duckpipe).
- `minio`: one MinIO server per session on a free 127.0.0.1 port (scripts/minio.sh), stopped at the end.
- `bucket`: a fresh, uniquely named bucket per test.
- `keys`: fresh keys from `duckpipe keygen`.
- `dp`: runs duckpipe with cwd = a per-test tmp dir and a clean environment (keys + S3 settings).
- `where`: (duckpipe, lake) once for a local directory and once for a prefix in a fresh MinIO bucket.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from minio import Minio

import support
from lake_check import Lake

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "ru13_050_mixed.json"


@pytest.fixture(scope="session")
def duckpipe_bin() -> str:
    b = os.environ.get("DUCKPIPE_BIN")
    if not b:
        target = os.environ.get("CARGO_TARGET_DIR") or str(Path.home() / ".cache/duckpipe/target")
        b = str(Path(target) / "release" / "duckpipe")
    if not (os.path.isfile(b) and os.access(b, os.X_OK)):
        pytest.fail(f"duckpipe binary not found at {b} (build it, or set DUCKPIPE_BIN)", pytrace=False)
    return b


@dataclass
class MinioServer:
    endpoint: str  # http://127.0.0.1:PORT
    hostport: str  # 127.0.0.1:PORT
    access_key: str
    secret_key: str
    client: Minio

    def aws_env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    def s3_settings(self) -> dict[str, str]:
        return {"access_key": self.access_key, "secret_key": self.secret_key, "endpoint_hostport": self.hostport}

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        return sorted(o.object_name for o in self.client.list_objects(bucket, prefix=prefix, recursive=True))

    def get(self, bucket: str, key: str) -> bytes:
        resp = self.client.get_object(bucket, key)
        try:
            return resp.read()
        finally:
            resp.close()
            resp.release_conn()


@pytest.fixture(scope="session")
def minio(tmp_path_factory) -> MinioServer:
    script = REPO / "scripts" / "minio.sh"
    data_dir = tmp_path_factory.mktemp("minio")
    port = support.free_port()
    access = "e2e-" + secrets.token_hex(4)
    secret = "e2e-secret-" + secrets.token_hex(12)
    env = dict(os.environ, MINIO_ROOT_USER=access, MINIO_ROOT_PASSWORD=secret)
    p = subprocess.run(["bash", str(script), "start", str(port), str(data_dir)], env=env, capture_output=True, text=True)
    if p.returncode != 0:
        pytest.fail(f"could not start MinIO:\n{p.stdout}\n{p.stderr}", pytrace=False)
    server = MinioServer(
        endpoint=f"http://127.0.0.1:{port}",
        hostport=f"127.0.0.1:{port}",
        access_key=access,
        secret_key=secret,
        client=Minio(f"127.0.0.1:{port}", access_key=access, secret_key=secret, secure=False, region="us-east-1"),
    )
    try:
        yield server
    finally:
        subprocess.run(["bash", str(script), "stop", str(data_dir)], capture_output=True, text=True)


@pytest.fixture
def bucket(minio: MinioServer) -> str:
    name = "e2e-" + uuid.uuid4().hex[:16]
    minio.client.make_bucket(name)
    assert minio.keys(name) == []
    return name


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    d = tmp_path / "cwd"
    d.mkdir()
    return d


@pytest.fixture
def keys(duckpipe_bin: str, tmp_path: Path) -> dict[str, str]:
    d = tmp_path / "keygen"
    r = support.run_duckpipe(duckpipe_bin, ["keygen"], d, support.clean_env())
    assert r.returncode == 0, r.describe()
    return support.parse_keygen(r.stdout)


class Duckpipe:
    """Runs duckpipe in the per-test cwd with the test's keys and (when asked) the MinIO settings."""

    def __init__(self, binary: str, cwd: Path, keys: dict[str, str], minio: MinioServer | None):
        self.binary = binary
        self.cwd = cwd
        self.keys = keys
        self.minio = minio

    def env(self, *, keys: dict[str, str] | None = None, s3: bool = True, **extra: str) -> dict[str, str]:
        e = dict(self.keys if keys is None else keys)
        if s3 and self.minio is not None:
            e.update(self.minio.aws_env())
        e.update(extra)
        return support.clean_env(e)

    def __call__(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> support.Run:
        return support.run_duckpipe(self.binary, list(args), cwd or self.cwd, env if env is not None else self.env())

    def ok(self, *args: str, **kw) -> support.Run:
        r = self(*args, **kw)
        assert r.returncode == 0, r.describe()
        return r

    def generate(self, count: int, seed: str, out: Path, nat: str | None = None) -> list[dict]:
        args = ["generate", "--count", str(count), "--seed", seed, "--out", str(out)]
        if nat:
            args += ["--nat", nat]
        self.ok(*args, env=self.env(s3=False))
        return support.load_users(out)


@pytest.fixture
def dp(duckpipe_bin: str, workdir: Path, keys: dict[str, str]) -> Duckpipe:
    """duckpipe without S3 settings (local destinations)."""
    return Duckpipe(duckpipe_bin, workdir, keys, None)


@pytest.fixture
def dp_s3(duckpipe_bin: str, workdir: Path, keys: dict[str, str], minio: MinioServer) -> Duckpipe:
    """duckpipe with AWS_* pointing at the session's MinIO."""
    return Duckpipe(duckpipe_bin, workdir, keys, minio)


@pytest.fixture(params=["local", "s3"])
def where(request, duckpipe_bin: str, workdir: Path, keys: dict[str, str], tmp_path: Path) -> tuple[Duckpipe, Lake]:
    """(duckpipe, lake) for a local directory and for a prefix in a fresh MinIO bucket: the lake
    tests run once on each. MinIO is asked for only by the s3 case, so the local one runs without it."""
    if request.param == "local":
        return Duckpipe(duckpipe_bin, workdir, keys, None), Lake(dest=str(tmp_path / "lake"), local=tmp_path / "lake")
    minio = request.getfixturevalue("minio")
    bucket = request.getfixturevalue("bucket")
    lake = Lake(dest=f"s3://{bucket}/lake", minio=minio, bucket=bucket, prefix="lake")
    return Duckpipe(duckpipe_bin, workdir, keys, minio), lake


@pytest.fixture
def fixture_users(workdir: Path) -> tuple[Path, list[dict]]:
    """The real randomuser fixture, copied into the test's cwd."""
    dst = workdir / "users.json"
    shutil.copyfile(FIXTURE, dst)
    return dst, support.load_users(dst)
