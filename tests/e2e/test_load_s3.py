"""load → MinIO (S3), then report: deliverables (a), (b) and (e)."""

from __future__ import annotations

import re

import pytest

import support
from support import AS_OF


def _input(kind: str, dp, fixture_users):
    if kind == "fixture":
        return fixture_users
    path = dp.cwd / "synthetic.json"
    users = dp.generate(240, "e2e-s3-seed", path)
    assert len(users) == 240
    return path, users


def _load(dp_s3, bucket: str, path, prefix: str = "lake") -> dict:
    r = dp_s3.ok(
        "load", "--source", "file", "--input", str(path),
        "--dest", f"s3://{bucket}/{prefix}", "--as-of", AS_OF, "--format", "json",
    )
    out = r.json()
    assert set(out) >= {"run", "report"}, f"load --format json printed keys {sorted(out)}"
    return out


def _single_parquet(minio, bucket: str, run_id: str) -> str:
    keys = minio.keys(bucket, f"lake/users/{run_id}/")
    parquet = [k for k in keys if k.endswith(".parquet")]
    assert len(parquet) == 1, f"expected exactly one .parquet object under lake/users/{run_id}/, found {keys}"
    return parquet[0]


@pytest.mark.parametrize("kind", ["fixture", "synthetic"])
def test_load_to_minio_writes_one_encrypted_flat_parquet(kind, dp_s3, minio, bucket, fixture_users, tmp_path):
    path, users = _input(kind, dp_s3, fixture_users)
    out = _load(dp_s3, bucket, path)
    run = out["run"]
    run_id = run["run_id"]
    assert isinstance(run_id, str) and run_id, f"bad run_id {run_id!r}"
    assert run["counts"]["received"] == len(users), run
    assert run["counts"]["written"] == len(users), run
    support.assert_counts_balanced(run)

    key = _single_parquet(minio, bucket, run_id)
    assert re.fullmatch(rf"lake/users/{run_id}/part-[0-9a-f]{{8}}-0\.parquet", key), key
    assert [o["path"] for o in run["objects"]] == [key.removeprefix("lake/")], run["objects"]
    assert f"lake/runs/{run_id}.json" in minio.keys(bucket, "lake/runs/")
    outside = [k for k in minio.keys(bucket) if not k.startswith("lake/")]
    assert not outside, f"objects written outside the destination prefix: {outside}"

    data = minio.get(bucket, key)
    support.assert_no_pii_bytes(data, users)
    local = tmp_path / "copy.parquet"
    local.write_bytes(data)
    support.assert_unreadable_without_key(str(local))

    reader = support.ParquetReader(str(local), dp_s3.keys["DUCKPIPE_PARQUET_KEY"])
    support.check_table(reader, users, AS_OF, run_id)

    # The report that load prints covers this run.
    support.assert_report(out["report"], support.expected_report([(users, AS_OF)]))


def test_parquet_on_minio_is_readable_over_s3_with_the_key_only(dp_s3, minio, bucket, fixture_users):
    path, users = fixture_users
    run_id = _load(dp_s3, bucket, path)["run"]["run_id"]
    url = f"s3://{bucket}/{_single_parquet(minio, bucket, run_id)}"

    # Without the key: fails because it is encrypted.
    no_key = support.ParquetReader(url, None, s3=minio.s3_settings())
    with pytest.raises(support.duckdb.Error, match="(?i)encrypt"):
        no_key.query("SELECT count(*) FROM {src}")

    # With a different (fresh) key: fails too.
    import base64, os
    wrong = support.ParquetReader(url, base64.b64encode(os.urandom(32)).decode(), s3=minio.s3_settings())
    with pytest.raises(support.duckdb.Error):
        wrong.query("SELECT count(*) FROM {src}")

    # With the key, read in place through httpfs.
    reader = support.ParquetReader(url, dp_s3.keys["DUCKPIPE_PARQUET_KEY"], s3=minio.s3_settings())
    assert reader.query("SELECT count(*) FROM {src}") == [(len(users),)]
    support.check_table(reader, users, AS_OF, run_id)


@pytest.mark.parametrize("top", [None, 3])
@pytest.mark.parametrize("kind", ["fixture", "synthetic"])
def test_report_from_minio_matches_independent_computation(kind, top, dp_s3, bucket, fixture_users):
    path, users = _input(kind, dp_s3, fixture_users)
    _load(dp_s3, bucket, path)
    args = ["report", "--dest", f"s3://{bucket}/lake", "--as-of", AS_OF, "--format", "json"]
    if top is not None:
        args += ["--top", str(top)]
    got = dp_s3.ok(*args).json()
    support.assert_report(got, support.expected_report([(users, AS_OF)], AS_OF, top or 10))


def test_report_as_of_differs_from_load_as_of(dp_s3, bucket, fixture_users):
    """Ages are fixed at load time; registration days are counted to the report's --as-of."""
    path, users = fixture_users
    _load(dp_s3, bucket, path)
    later = "2027-03-01T12:00:00Z"
    got = dp_s3.ok("report", "--dest", f"s3://{bucket}/lake", "--as-of", later, "--format", "json").json()
    support.assert_report(got, support.expected_report([(users, AS_OF)], later))


def test_second_load_adds_a_run_and_report_counts_both(dp_s3, minio, bucket, fixture_users):
    path, users = fixture_users
    first = _load(dp_s3, bucket, path)["run"]
    key1 = _single_parquet(minio, bucket, first["run_id"])
    bytes1 = minio.get(bucket, key1)

    synth_path = dp_s3.cwd / "more.json"
    more = dp_s3.generate(75, "e2e-second-run", synth_path)
    second_out = _load(dp_s3, bucket, synth_path)
    second = second_out["run"]
    assert second["run_id"] != first["run_id"], "the second load reused the first run id"
    assert second["counts"]["received"] == second["counts"]["written"] == len(more), second
    key2 = _single_parquet(minio, bucket, second["run_id"])

    # The first run's object is untouched.
    assert minio.get(bucket, key1) == bytes1, "the second load changed the first run's object"
    parquet = [k for k in minio.keys(bucket, "lake/users/") if k.endswith(".parquet")]
    assert sorted(parquet) == sorted([key1, key2]), parquet

    want = support.expected_report([(users, AS_OF), (more, AS_OF)])
    got = dp_s3.ok("report", "--dest", f"s3://{bucket}/lake", "--as-of", AS_OF, "--format", "json").json()
    assert got["users"] == len(users) + len(more)
    support.assert_report(got, want)
    # load's own report covers the whole destination as well.
    support.assert_report(second_out["report"], want)


def test_pseudonyms_are_stable_per_hmac_key(dp_s3, minio, bucket, fixture_users, tmp_path, keys, duckpipe_bin):
    """Same input + same HMAC key → the same user_ids (joinable across runs); another key → none shared."""
    path, users = fixture_users
    pk = dp_s3.keys["DUCKPIPE_PARQUET_KEY"]

    def ids(run_id: str, name: str, in_bucket: str = bucket) -> set[str]:
        local = tmp_path / name
        local.write_bytes(minio.get(in_bucket, _single_parquet(minio, in_bucket, run_id)))
        reader = support.ParquetReader(str(local), pk)
        return {r["user_id"] for r in reader.rows()}, {r["email_pseudonym"] for r in reader.rows()}

    a = _load(dp_s3, bucket, path)["run"]["run_id"]
    b = _load(dp_s3, bucket, path)["run"]["run_id"]
    assert a != b
    assert ids(a, "a.parquet") == ids(b, "b.parquet"), "the same HMAC key gave different pseudonyms"

    other = support.run_duckpipe(duckpipe_bin, ["keygen"], tmp_path / "kg2", support.clean_env())
    other_keys = support.parse_keygen(other.stdout)
    other_keys["DUCKPIPE_PARQUET_KEY"] = pk  # same parquet key, new HMAC key
    # Into the same lake it is refused (one key set per lake: tests/e2e/test_lake_integrity.py);
    # into another lake it loads.
    other_bucket = bucket + "-b"
    minio.client.make_bucket(other_bucket)
    r = dp_s3("load", "--source", "file", "--input", str(path), "--dest", f"s3://{other_bucket}/lake",
              "--as-of", AS_OF, "--format", "json", env=dp_s3.env(keys=other_keys))
    c = r.json()["run"]["run_id"]
    uid_a, mail_a = ids(a, "a.parquet")
    uid_c, mail_c = ids(c, "c.parquet", other_bucket)
    assert not uid_a & uid_c, "user_id does not depend on the HMAC key"
    assert not mail_a & mail_c, "email_pseudonym does not depend on the HMAC key"
