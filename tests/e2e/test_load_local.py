"""load → a local directory, then report: deliverable (c), plus the .env and synthetic-source paths."""

from __future__ import annotations

import json
import re

import pytest

import support
from support import AS_OF


def _parquet_files(lake):
    return sorted(p for p in lake.rglob("*.parquet"))


def _load_local(dp, path, lake, env=None) -> dict:
    r = dp.ok("load", "--source", "file", "--input", str(path), "--dest", str(lake),
              "--as-of", AS_OF, "--format", "json", env=env)
    return r.json()


@pytest.mark.parametrize("kind", ["fixture", "synthetic"])
def test_load_to_local_dir_then_report(kind, dp, fixture_users, tmp_path):
    if kind == "fixture":
        path, users = fixture_users
    else:
        path = dp.cwd / "synthetic.json"
        users = dp.generate(180, "e2e-local-seed", path, nat="GB,FR,NO")
        assert {u["nat"] for u in users} <= {"GB", "FR", "NO"}
    lake = tmp_path / "x" / "lake"
    out = _load_local(dp, path, lake)
    run = out["run"]
    run_id = run["run_id"]
    assert run["counts"]["received"] == run["counts"]["written"] == len(users), run
    support.assert_counts_balanced(run)

    # One data object, named (relative to the lake) with its size and rows by the run record,
    # which is the last thing written.
    assert [o["kind"] for o in run["objects"]] == ["data"], run["objects"]
    obj = run["objects"][0]
    assert re.fullmatch(rf"users/{run_id}/part-[0-9a-f]{{8}}-0\.parquet", obj["path"]), obj
    expected_file = lake / obj["path"]
    assert _parquet_files(lake / "users" / run_id) == [expected_file]
    assert (obj["rows"], obj["bytes"]) == (len(users), expected_file.stat().st_size), obj
    record = json.loads((lake / "runs" / f"{run_id}.json").read_text())
    assert record == run, "the run record differs from what load printed"
    assert record["counts"] == {"received": len(users), "written": len(users), "quarantined": 0, "suppressed": 0}

    data = expected_file.read_bytes()
    support.assert_no_pii_bytes(data, users)
    support.assert_unreadable_without_key(str(expected_file))
    reader = support.ParquetReader(str(expected_file), dp.keys["DUCKPIPE_PARQUET_KEY"])
    support.check_table(reader, users, AS_OF, run_id)

    want = support.expected_report([(users, AS_OF)])
    support.assert_report(out["report"], want)
    got = dp.ok("report", "--dest", str(lake), "--as-of", AS_OF, "--format", "json").json()
    support.assert_report(got, want)


def test_second_local_load_keeps_the_first(dp, fixture_users, tmp_path):
    path, users = fixture_users
    lake = tmp_path / "lake"
    first = _load_local(dp, path, lake)["run"]["run_id"]
    [f1] = _parquet_files(lake / "users" / first)
    b1 = f1.read_bytes()
    again = _load_local(dp, path, lake)
    second = again["run"]["run_id"]
    assert second != first
    # The same users again: said so, and counted once (the latest load wins, docs/runs.md).
    assert again["run"]["overlap"] == {"runs_checked": 1, "already_stored": len(users), "repeated": 0}
    assert any(f"{len(users)} of the {len(users)} users written are already in the lake" in w for w in again["warnings"])
    assert f1.read_bytes() == b1, "the second load changed the first run's file"
    assert _parquet_files(lake) == sorted([f1, *_parquet_files(lake / "users" / second)])
    assert len(_parquet_files(lake)) == 2
    got = dp.ok("report", "--dest", str(lake), "--as-of", AS_OF, "--format", "json").json()
    support.assert_report(got, support.expected_report([(users, AS_OF)]))


def test_keys_are_read_from_dotenv_in_cwd(dp, fixture_users, tmp_path, duckpipe_bin):
    """With no key variables in the environment, duckpipe reads `.env` from its working directory."""
    path, users = fixture_users
    kg = support.run_duckpipe(duckpipe_bin, ["keygen"], tmp_path / "kg", support.clean_env())
    keys = support.parse_keygen(kg.stdout)
    (dp.cwd / ".env").write_text(kg.stdout, encoding="utf-8")
    lake = tmp_path / "lake"
    env = support.clean_env()  # no DUCKPIPE_* at all
    run_id = _load_local(dp, path, lake, env=env)["run"]["run_id"]
    [f] = _parquet_files(lake / "users" / run_id)
    reader = support.ParquetReader(str(f), keys["DUCKPIPE_PARQUET_KEY"])
    assert reader.query("SELECT count(*) FROM {src}") == [(len(users),)]


def test_email_pseudonym_ignores_case(dp, fixture_users, tmp_path):
    """email_pseudonym is the HMAC of the lower-cased e-mail: two users whose e-mails differ only in
    case share it, while their user_ids (from login.uuid) differ."""
    path, users = fixture_users
    twin = json.loads(json.dumps(users[0]))
    twin["email"] = users[0]["email"].upper()
    twin["login"]["uuid"] = "00000000-1111-4222-8333-444444444444"
    crafted = users + [twin]
    p = dp.cwd / "crafted.json"
    p.write_text(json.dumps({"results": crafted, "info": {"seed": "crafted", "results": len(crafted), "page": 1, "version": "1.3"}}))
    lake = tmp_path / "lake"
    run_id = _load_local(dp, p, lake)["run"]["run_id"]
    [f] = _parquet_files(lake / "users" / run_id)
    reader = support.ParquetReader(str(f), dp.keys["DUCKPIPE_PARQUET_KEY"])
    rows = support.check_table(reader, crafted, AS_OF, run_id)
    assert len({r["email_pseudonym"] for r in rows}) == len(users)
    assert len({r["user_id"] for r in rows}) == len(crafted)


def test_synthetic_source_load(dp, tmp_path):
    lake = tmp_path / "lake"
    out = dp.ok("load", "--source", "synthetic", "--count", "37", "--seed", "e2e-direct", "--dest", str(lake),
                "--as-of", AS_OF, "--format", "json").json()
    run = out["run"]
    assert run["counts"]["received"] == run["counts"]["written"] == 37, run
    support.assert_counts_balanced(run)
    assert out["report"]["users"] == 37
    f = lake / run["objects"][0]["path"]
    reader = support.ParquetReader(str(f), dp.keys["DUCKPIPE_PARQUET_KEY"])
    assert reader.columns() == support.EXPECTED_COLUMNS
    assert reader.query("SELECT count(*), count(DISTINCT user_id) FROM {src}") == [(37, 37)]
