"""Reading a whole lake from the outside (files on disk, objects in MinIO) and checking its
invariants without trusting duckpipe: every record parses, balances and names objects that exist
with the recorded sizes, no object is named twice, every unnamed object is an orphan that
`runs --orphans` lists, `runs --verify` finds nothing, and `report` counts what the records say.
Used by tests/e2e/test_lake_*.py (the `where` fixture in conftest.py makes one per test)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Lake:
    """A destination as the tests see it: a local folder, or a bucket and prefix in MinIO."""

    dest: str
    local: Path | None = None
    minio: object | None = None  # conftest.MinioServer or test_faults.PrivateMinio
    bucket: str | None = None
    prefix: str = ""

    def files(self) -> dict[str, bytes]:
        """Every file under the destination, relative to it, with its bytes."""
        if self.local is not None:
            if not self.local.exists():
                return {}
            return {str(p.relative_to(self.local)): p.read_bytes() for p in sorted(self.local.rglob("*")) if p.is_file()}
        out = {}
        start = self.prefix + "/" if self.prefix else ""
        for key in self.minio.keys(self.bucket, start):
            resp = self.minio.client.get_object(self.bucket, key)
            try:
                out[key[len(start):]] = resp.read()
            finally:
                resp.close()
                resp.release_conn()
        return out

    def put(self, rel: str, data: bytes) -> None:
        if self.local is not None:
            path = self.local / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        else:
            import io

            key = f"{self.prefix}/{rel}" if self.prefix else rel
            self.minio.client.put_object(self.bucket, key, io.BytesIO(data), len(data))

    def remove(self, rel: str) -> None:
        if self.local is not None:
            (self.local / rel).unlink()
        else:
            self.minio.client.remove_object(self.bucket, f"{self.prefix}/{rel}" if self.prefix else rel)

    def records(self) -> dict[str, dict]:
        """Every run record file (runs/*.json, not hidden), parsed."""
        return {
            rel: json.loads(data)
            for rel, data in self.files().items()
            if rel.startswith("runs/") and rel.endswith(".json") and not rel.split("/")[-1].startswith(".")
        }


def assert_sound(dp, lake: Lake, env=None, expected_users: int | None = None) -> dict[str, dict]:
    """The lake's invariants, checked on its content. Returns the records by file name."""
    files = lake.files()
    records = lake.records()
    named = []
    for rel, rec in records.items():
        assert rel == f"runs/{rec['run_id']}.json", rel
        assert rec["status"] == "complete"
        c = rec["counts"]
        assert c["received"] == c["written"] + c["quarantined"] + c["suppressed"], (rel, c)
        assert sum(o["rows"] for o in rec["objects"] if o["kind"] == "data") == c["written"], rel
        assert sum(o["rows"] for o in rec["objects"] if o["kind"] == "quarantine") == c["quarantined"], rel
        for o in rec["objects"]:
            assert o["path"] in files, f"{rel} names {o['path']}, which is not in the lake: a half-written run"
            assert len(files[o["path"]]) == o["bytes"], (rel, o)
            named.append(o["path"])
    assert len(named) == len(set(named)), f"an object is named twice: {sorted(named)}"

    # The rewrite lock and the audit log are the lake's own files, never orphans.
    unnamed = sorted(
        rel for rel in files
        if rel not in named and not (rel in records) and not rel.startswith(("lock/", "audit/"))
    )
    orphans = dp.ok("runs", "--dest", lake.dest, "--orphans", "--format", "json", env=env).json()["orphans"]
    assert sorted(o["path"] for o in orphans) == unnamed, "runs --orphans does not list exactly the unnamed files"
    for o in orphans:
        assert o["bytes"] == len(files[o["path"]]), o

    if records:
        v = dp("runs", "--dest", lake.dest, "--verify", "--format", "json", env=env)
        assert v.returncode == 0, v.describe()
        assert json.loads(v.stdout)["findings"] == [] and json.loads(v.stdout)["damaged"] == 0
        report = dp.ok("report", "--dest", lake.dest, "--format", "json", env=env).json()
        written = sum(r["counts"]["written"] for r in records.values())
        assert report["users"] == (written if expected_users is None else expected_users), (report["users"], written)
    return records
