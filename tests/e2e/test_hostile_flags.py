"""Issue 4: flags that reach SQL or URLs are validated or quoted, never spliced unchecked."""

from __future__ import annotations

import pytest

import support
from support import AS_OF


@pytest.mark.parametrize("dest", [
    "s3://bucket/x'); DROP TABLE users; --",
    "s3://bucket/a' || getenv('DUCKPIPE_PARQUET_KEY') || '",
    "s3://Bad_Bucket/x",
    "s3://bucket/../escape",
    "http://example.com/lake",
])
def test_injection_in_s3_dest_is_refused(dp_s3, fixture_users, dest):
    path, _ = fixture_users
    r = dp_s3("load", "--source", "file", "--input", str(path), "--dest", dest, "--as-of", AS_OF)
    assert r.returncode == 2 and "--dest" in r.output, r.describe()


@pytest.mark.parametrize("nat", ["GB'); DROP TABLE users; --", "GB,FR&results=5000", "gb,xx", "G B"])
def test_injection_in_nat_is_refused(dp, tmp_path, nat):
    r = dp("load", "--source", "synthetic", "--nat", nat, "--dest", str(tmp_path / "lake"))
    assert r.returncode == 2 and "--nat" in r.output, r.describe()
    assert not (tmp_path / "lake").exists()


def test_local_dest_with_quotes_and_semicolons_is_just_a_path(dp, fixture_users, tmp_path):
    """A local path is quoted where it reaches SQL: odd characters make an odd directory name,
    nothing else."""
    path, users = fixture_users
    lake = tmp_path / "o'brien; DROP TABLE users; --" / "lake"
    out = dp.ok("load", "--source", "file", "--input", str(path), "--dest", str(lake), "--as-of", AS_OF,
                "--format", "json").json()
    assert (lake / out["run"]["objects"][0]["path"]).is_file()
    got = dp.ok("report", "--dest", str(lake), "--as-of", AS_OF, "--format", "json").json()
    support.assert_report(got, support.expected_report([(users, AS_OF)]))
