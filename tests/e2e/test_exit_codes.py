"""Exit codes for source errors (3) and usage errors (2); nothing is written on failure."""

from __future__ import annotations

import pytest

from support import AS_OF


def _files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("content", [None, "{not json", '{"results": [{"gender": "male"'])
def test_unreadable_input_is_a_source_error(content, dp, tmp_path):
    src = dp.cwd / "input.json"
    if content is not None:
        src.write_text(content)
    lake = tmp_path / "lake"
    r = dp("load", "--source", "file", "--input", str(src), "--dest", str(lake), "--as-of", AS_OF, "--format", "json")
    assert r.returncode == 3, r.describe()
    assert not _files(lake), f"files written despite the source error: {_files(lake)}"


def test_bad_as_of_is_a_usage_error(dp, fixture_users, tmp_path):
    path, _ = fixture_users
    lake = tmp_path / "lake"
    r = dp("load", "--source", "file", "--input", str(path), "--dest", str(lake), "--as-of", "25/11/2026")
    assert r.returncode == 2, r.describe()
    assert not _files(lake)


@pytest.mark.parametrize("limit", ["lots", "512", "1GB'; DROP TABLE x; --"])
def test_bad_memory_limit_is_a_usage_error(limit, dp, fixture_users, tmp_path):
    path, _ = fixture_users
    lake = tmp_path / "lake"
    r = dp("load", "--source", "file", "--input", str(path), "--dest", str(lake), "--as-of", AS_OF, env=dp.env(DUCKPIPE_MEMORY_LIMIT=limit))
    assert r.returncode == 2, r.describe()
    assert "DUCKPIPE_MEMORY_LIMIT" in r.stderr, r.describe()
    assert not _files(lake)


def test_small_memory_limit_still_loads_everything(dp, tmp_path):
    # 80,000 users (~88 MB of JSON) against a 96 MB limit: the load spills and still writes all.
    # (Far smaller limits fail cleanly with "Out of Memory", exit 4.)
    lake = tmp_path / "lake"
    r = dp("load", "--source", "synthetic", "--count", "80000", "--seed", "spill", "--dest", str(lake), "--as-of", AS_OF, "--format", "json",
           env=dp.env(DUCKPIPE_MEMORY_LIMIT="96MB"))
    assert r.returncode == 0, r.describe()
    import json

    import support
    run = json.loads(r.stdout)["run"]
    assert run["counts"]["written"] == 80000 and run["counts"]["received"] == 80000, run
    support.assert_counts_balanced(run)
