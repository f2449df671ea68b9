"""load → a local directory, then report: deliverable (c), plus the .env and synthetic-source paths."""

from __future__ import annotations

import json

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
    assert run["received"] == run["written"] == len(users), run

    expected_file = lake / "users" / run_id / "part-0.parquet"
    assert expected_file.is_file(), f"{expected_file} missing; files: {_parquet_files(lake)}"
    assert _parquet_files(lake / "users" / run_id) == [expected_file]
    assert len(run["objects"]) == 1 and run["objects"][0].endswith(f"users/{run_id}/part-0.parquet"), run["objects"]

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
    f1 = lake / "users" / first / "part-0.parquet"
    b1 = f1.read_bytes()
    second = _load_local(dp, path, lake)["run"]["run_id"]
    assert second != first
    assert f1.read_bytes() == b1, "the second load changed the first run's file"
    assert _parquet_files(lake) == sorted([f1, lake / "users" / second / "part-0.parquet"])
    got = dp.ok("report", "--dest", str(lake), "--as-of", AS_OF, "--format", "json").json()
    support.assert_report(got, support.expected_report([(users, AS_OF), (users, AS_OF)]))


def test_keys_are_read_from_dotenv_in_cwd(dp, fixture_users, tmp_path, duckpipe_bin):
    """With no key variables in the environment, duckpipe reads `.env` from its working directory."""
    path, users = fixture_users
    kg = support.run_duckpipe(duckpipe_bin, ["keygen"], tmp_path / "kg", support.clean_env())
    keys = support.parse_keygen(kg.stdout)
    (dp.cwd / ".env").write_text(kg.stdout, encoding="utf-8")
    lake = tmp_path / "lake"
    env = support.clean_env()  # no DUCKPIPE_* at all
    run_id = _load_local(dp, path, lake, env=env)["run"]["run_id"]
    f = lake / "users" / run_id / "part-0.parquet"
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
    reader = support.ParquetReader(str(lake / "users" / run_id / "part-0.parquet"), dp.keys["DUCKPIPE_PARQUET_KEY"])
    rows = support.check_table(reader, crafted, AS_OF, run_id)
    assert len({r["email_pseudonym"] for r in rows}) == len(users)
    assert len({r["user_id"] for r in rows}) == len(crafted)


def test_synthetic_source_load(dp, tmp_path):
    lake = tmp_path / "lake"
    out = dp.ok("load", "--source", "synthetic", "--count", "37", "--seed", "e2e-direct", "--dest", str(lake),
                "--as-of", AS_OF, "--format", "json").json()
    run = out["run"]
    assert run["received"] == run["written"] == 37, run
    assert out["report"]["users"] == 37
    f = lake / "users" / run["run_id"] / "part-0.parquet"
    reader = support.ParquetReader(str(f), dp.keys["DUCKPIPE_PARQUET_KEY"])
    assert reader.columns() == support.EXPECTED_COLUMNS
    assert reader.query("SELECT count(*), count(DISTINCT user_id) FROM {src}") == [(37, 37)]
