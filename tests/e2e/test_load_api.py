"""load --source api end to end: the CLI against the mock randomuser server (the real API's shape,
backed by the synthetic generator), paginated with one seed, into a local lake."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from support import AS_OF


def test_load_from_mock_api_paginates_and_writes_every_user(dp, duckpipe_bin, tmp_path):
    mock = Path(duckpipe_bin).parent / "examples" / "mock_randomuser"
    proc = subprocess.Popen([str(mock), "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), line
        base = line.split("listening on ", 1)[1] + "/api/1.4/"
        lake = tmp_path / "lake"
        out = dp.ok("load", "--source", "api", "--api-url", base, "--count", "12000", "--seed", "e2e-api",
                    "--dest", str(lake), "--as-of", AS_OF, "--format", "json").json()
        run = out["run"]
        assert run["source"]["kind"] == "api"
        assert run["source"]["pages"] == 3
        assert run["source"]["seed"] == "e2e-api"
        assert run["counts"]["received"] == run["counts"]["written"] == 12000
        assert out["report"]["users"] == 12000
        assert len(list(lake.rglob("*.parquet"))) == 1
    finally:
        proc.kill()
        proc.wait()
