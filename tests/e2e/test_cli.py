"""keygen and generate."""

from __future__ import annotations

import base64
import json

import support


def test_keygen_prints_three_fresh_32_byte_keys(duckpipe_bin, tmp_path):
    a = support.run_duckpipe(duckpipe_bin, ["keygen"], tmp_path / "a", support.clean_env())
    b = support.run_duckpipe(duckpipe_bin, ["keygen"], tmp_path / "b", support.clean_env())
    assert a.returncode == 0 and b.returncode == 0, a.describe() + b.describe()
    ka, kb = support.parse_keygen(a.stdout), support.parse_keygen(b.stdout)
    assert [l.split("=", 1)[0] for l in a.stdout.strip().splitlines()] == ["DUCKPIPE_PARQUET_KEY", "DUCKPIPE_HMAC_KEY", "DUCKPIPE_QUARANTINE_KEY"]
    assert not set(ka.values()) & set(kb.values()), "keygen repeated a key"
    for v in ka.values():
        assert len(base64.b64decode(v)) == 32


def test_generate_writes_an_api_shaped_response(dp):
    out = dp.cwd / "u.json"
    users = dp.generate(25, "e2e-gen", out)
    doc = json.loads(out.read_text())
    assert set(doc) >= {"results", "info"} and isinstance(doc["info"], dict)
    assert len(users) == 25
    for u in users:
        for k in ("gender", "name", "location", "email", "login", "dob", "registered", "phone", "cell", "nat"):
            assert k in u, f"generated user lacks {k}: {sorted(u)}"
        assert u["gender"] in ("female", "male")
        support.parse_ts(u["dob"]["date"])
        support.parse_ts(u["registered"]["date"])
        assert u["location"]["country"] and u["location"]["city"]
    assert len({u["login"]["uuid"] for u in users}) == 25


def test_generate_is_deterministic_per_seed(dp):
    ident = lambda us: [(u["login"]["uuid"], u["email"], u["name"]["first"], u["name"]["last"]) for u in us]
    a = dp.generate(30, "seed-one", dp.cwd / "a.json")
    b = dp.generate(30, "seed-one", dp.cwd / "b.json")
    c = dp.generate(30, "seed-two", dp.cwd / "c.json")
    assert ident(a) == ident(b), "the same seed gave different users"
    assert not {x[0] for x in ident(a)} & {x[0] for x in ident(c)}, "different seeds gave the same uuids"


def test_generate_respects_nat(dp):
    users = dp.generate(40, "e2e-nat", dp.cwd / "n.json", nat="GB,FR")
    assert {u["nat"] for u in users} <= {"GB", "FR"}
