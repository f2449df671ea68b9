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
