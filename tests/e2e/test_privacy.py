"""Issue 3 — privacy you can defend: unknown input fields (reported, --strict refuses), the risk
report against class sizes known by construction and an independent Python computation,
k-anonymity with --min-k (answers preserved), and pseudonyms that resist reversal."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections import Counter, defaultdict
from pathlib import Path

import pytest

import support
from support import AS_OF


def _write_ndjson(path: Path, users: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(u) for u in users) + "\n", encoding="utf-8")
    return path


def _load(dp, path, dest, *extra, env=None):
    return dp("load", "--source", "file", "--input", str(path), "--dest", str(dest), "--as-of", AS_OF,
              "--format", "json", *extra, **({"env": env} if env is not None else {}))


def _parquets(lake: Path) -> list[Path]:
    return sorted(lake.rglob("*.parquet")) if lake.exists() else []


# --------------------------------------------------------------------------------------------
# 2. Unknown input fields
# --------------------------------------------------------------------------------------------

def _with_unknown_fields(users: list[dict]) -> list[dict]:
    users = json.loads(json.dumps(users))
    users[0]["location"]["foo"] = "planted-value-one"
    users[1]["location"]["foo"] = {"nested": "planted-value-two"}
    users[2]["location"]["foo"] = 7
    users[3]["hobby"] = "planted-value-three"
    users[4]["hobby"] = ["planted-value-four"]
    users[5]["picture"]["large"] = {"url": "planted-value-five"}  # a dropped field: dropped whatever it holds
    return users


def test_unknown_fields_are_dropped_and_reported(dp, fixture_users, tmp_path):
    _, users = fixture_users
    path = _write_ndjson(tmp_path / "extra.ndjson", _with_unknown_fields(users))
    lake = tmp_path / "lake"
    r = _load(dp, path, lake)
    out = r.json()
    assert out["run"]["unknown_fields"] == [
        {"path": "hobby", "records": 2},
        {"path": "location.foo", "records": 3},
    ]
    assert out["run"]["counts"]["written"] == len(users)
    # Logged at warn with the names, never the values.
    assert "WARN" in r.stderr and "location.foo" in r.stderr and "hobby" in r.stderr, r.describe()
    assert "planted-value" not in r.output, r.describe()
    # Nothing of them in the stored data: same columns, no planted bytes.
    files = _parquets(lake)
    assert files
    for f in files:
        assert b"planted-value" not in f.read_bytes()
        reader = support.ParquetReader(str(f), dp.keys["DUCKPIPE_PARQUET_KEY"])
        assert reader.columns() == support.EXPECTED_COLUMNS
    # The text output names them too.
    text = dp.ok("load", "--source", "file", "--input", str(path), "--dest", str(tmp_path / "lake-text"),
                 "--as-of", AS_OF).stdout
    assert "unknown input fields (dropped, not written): hobby (2 users), location.foo (3 users)\n" in text, text
    # The plain fixture has none.
    plain = _load(dp, fixture_users[0], tmp_path / "lake-plain").json()
    assert plain["run"]["unknown_fields"] == []


def test_strict_refuses_unknown_fields_and_writes_nothing(dp_s3, minio, bucket, fixture_users, tmp_path):
    _, users = fixture_users
    path = _write_ndjson(tmp_path / "extra.ndjson", _with_unknown_fields(users))
    r = _load(dp_s3, path, f"s3://{bucket}/lake", "--strict")
    assert r.returncode == 3, r.describe()
    assert "location.foo" in r.stderr and "--strict" in r.stderr, r.describe()
    assert "planted-value" not in r.output
    assert minio.keys(bucket) == [], "objects written despite --strict"
    # --strict with the known shape loads normally.
    ok = _load(dp_s3, fixture_users[0], f"s3://{bucket}/lake", "--strict").json()
    assert ok["run"]["counts"]["written"] == len(users)


def test_a_kept_field_holding_a_structure_is_refused(dp, fixture_users, tmp_path):
    """flatten would read an object in `city` as its JSON text and carry the nested values into
    the output: refused (exit 3) even without --strict, nothing written."""
    _, users = fixture_users
    users = json.loads(json.dumps(users))
    users[9]["location"]["country"] = {"name": "planted-country", "code": "XX"}
    path = _write_ndjson(tmp_path / "odd.ndjson", users)
    lake = tmp_path / "lake"
    r = _load(dp, path, lake)
    assert r.returncode == 3, r.describe()
    assert "location.country (holds an object, 1 user)" in r.stderr, r.describe()
    assert "planted-country" not in r.output
    assert not _parquets(lake)


# --------------------------------------------------------------------------------------------
# 3. Risk report
# --------------------------------------------------------------------------------------------

CRAFTED_SIZES = [1, 1, 1, 2, 3, 4, 5, 6, 9, 10, 15]


def _crafted(dp, tmp_path) -> list[dict]:
    """Users whose (gender, age band, country, city) classes have exactly CRAFTED_SIZES members."""
    base = dp.generate(sum(CRAFTED_SIZES), "crafted-risk", tmp_path / "base.json")
    users, it = [], iter(base)
    for cls, size in enumerate(CRAFTED_SIZES):
        for member in range(size):
            u = next(it)
            u["gender"] = "female" if cls % 2 else "male"
            # Born 1 March 1988..1993: ages 33..38 on AS_OF, all in band 30-39.
            u["dob"]["date"] = f"{1988 + member % 6}-03-01T08:00:00.000Z"
            u["location"]["country"] = ["Norway", "Spain"][cls % 2]
            u["location"]["city"] = f"Town {cls}"
            users.append(u)
    return users


def test_risk_report_matches_construction_and_python(dp, tmp_path):
    users = _crafted(dp, tmp_path)
    path = _write_ndjson(tmp_path / "crafted.ndjson", users)
    lake = tmp_path / "lake"
    out = _load(dp, path, lake).json()
    n = len(users)

    got = dp.ok("risk", "--dest", str(lake), "--format", "json").json()
    # By construction.
    assert got["quasi_identifiers"] == ["gender", "age_band", "country", "city"]
    assert got["records"] == n and got["classes"] == len(CRAFTED_SIZES)
    assert got["k"] == 1 and got["smallest_classes"] == 3
    assert got["below"] == {str(t): sum(s for s in CRAFTED_SIZES if s < t) for t in (2, 5, 10)}
    assert abs(got["unique_share"] - round(3 / n, 4)) < 1e-9
    # Independently from the raw JSON.
    rows = [r.__dict__ for r in support.expected_rows(users, AS_OF)]
    support.assert_report(got, support.expected_risk(rows))
    # The same section in load's and report's JSON.
    support.assert_report(out["report"]["risk"], support.expected_risk(rows))
    rep = dp.ok("report", "--dest", str(lake), "--as-of", AS_OF, "--format", "json").json()
    support.assert_report(rep, support.expected_report([(users, AS_OF)]))

    # Other quasi-identifiers, validated and computed the same way.
    for qi in (["gender", "age", "country", "city"], ["country"], ["gender", "registered_date"], ["nat"]):
        got = dp.ok("risk", "--dest", str(lake), "--qi", ",".join(qi), "--format", "json").json()
        support.assert_report(got, support.expected_risk(rows, qi))

    text = dp.ok("risk", "--dest", str(lake)).stdout
    assert "k = 1" in text and "3 classes of size 1" in text, text
    rep_text = dp.ok("report", "--dest", str(lake), "--as-of", AS_OF).stdout
    assert "Re-identification risk" in rep_text and "3 classes of size 1" in rep_text, rep_text


@pytest.mark.parametrize("qi", ["email", "gender,user_id", "city); DROP TABLE users; --", ""])
def test_risk_rejects_columns_outside_the_allow_list(qi, dp, fixture_users, tmp_path):
    lake = tmp_path / "lake"
    _load(dp, fixture_users[0], lake).json()
    r = dp("risk", "--dest", str(lake), "--qi", qi)
    assert r.returncode == 2, r.describe()
    assert "--qi" in r.stderr, r.describe()


# --------------------------------------------------------------------------------------------
# 4. k-anonymity with --min-k
# --------------------------------------------------------------------------------------------

def _is_standard_band(b: str) -> bool:
    lo, _, hi = b.partition("-")
    return lo.isdigit() and hi.isdigit() and int(lo) % 10 == 0 and int(hi) == int(lo) + 9


def test_min_k_5_on_10000_synthetic_users(dp_s3, minio, bucket, tmp_path):
    K = 5
    path = tmp_path / "users.json"
    users = dp_s3.generate(10_000, "min-k-e2e", path)
    plain = _load(dp_s3, path, f"s3://{bucket}/plain").json()
    anon = _load(dp_s3, path, f"s3://{bucket}/anon", "--min-k", str(K)).json()
    run = anon["run"]
    assert run["min_k"] == K
    assert run["counts"]["written"] + run["counts"]["suppressed"] == len(users)

    # k by the risk report, and by an independent reading of the stored rows.
    risk = dp_s3.ok("risk", "--dest", f"s3://{bucket}/anon", "--format", "json").json()
    assert risk["k"] >= K and risk["below"]["2"] == 0 and risk["below"]["5"] == 0, risk
    [key] = [k for k in minio.keys(bucket, "anon/users/") if k.endswith(".parquet")]
    reader = support.ParquetReader(f"s3://{bucket}/{key}", dp_s3.keys["DUCKPIPE_PARQUET_KEY"], minio.s3_settings())
    rows = reader.rows()
    assert len(rows) == run["counts"]["written"]
    sizes = Counter((r["gender"], r["age_band"], r["country"], r["city"]) for r in rows)
    assert min(sizes.values()) >= K
    assert min(sizes.values()) == risk["k"]
    assert all(r["age"] is None for r in rows), "exact ages must be removed"

    # What was generalised, as the report states it, against the stored values.
    widened = Counter(r["age_band"] for r in rows if not _is_standard_band(r["age_band"]))
    want_gen = {
        "exact_age_removed": len(rows),
        "widened_bands": [{"band": b, "records": c} for b, c in widened.items()],
        "city_other": sum(1 for r in rows if r["city"] == "(other)" and r["country"] != "(other)"),
        "country_other": sum(1 for r in rows if r["country"] == "(other)"),
    }
    got_gen = risk["generalised"]
    assert sorted(got_gen["widened_bands"], key=lambda b: b["band"]) == sorted(want_gen["widened_bands"], key=lambda b: b["band"])
    assert {k: v for k, v in got_gen.items() if k != "widened_bands"} == {k: v for k, v in want_gen.items() if k != "widened_bands"}
    support.assert_report(risk, support.expected_risk(rows, generalised=got_gen))
    assert anon["report"]["risk"]["k"] >= K

    expected_plain = support.expected_report([(users, AS_OF)])
    support.assert_report(plain["report"], expected_plain)
    rep = anon["report"]
    if run["counts"]["suppressed"] == 0:
        # Q1 and the gender split are untouched.
        assert rep["registration"] == plain["report"]["registration"]
        assert rep["gender"] == plain["report"]["gender"]
        support.assert_report(rep["registration"], expected_plain["registration"])
        support.assert_report(rep["gender"], expected_plain["gender"])
    # Age bands: unchanged unless widened, and then the report says so.
    if got_gen["widened_bands"]:
        assert {b["band"] for b in rep["age_bands"]} >= {b["band"] for b in got_gen["widened_bands"]}
    else:
        assert rep["age_bands"] == plain["report"]["age_bands"]
    # Utility (docs/privacy.md): the top city and the top-10 countries keep their users, and most
    # users keep their ten-year band, compared user by user with the plain load.
    plain_rows = {r["user_id"]: r for r in support.ParquetReader(
        f"s3://{bucket}/{[k for k in minio.keys(bucket, 'plain/users/') if k.endswith('.parquet')][0]}",
        dp_s3.keys["DUCKPIPE_PARQUET_KEY"], minio.s3_settings()).rows()}
    kept_band = sum(1 for r in rows if plain_rows[r["user_id"]]["age_band"] == r["age_band"])
    assert kept_band >= 0.9 * len(rows), f"only {kept_band} of {len(rows)} users keep their ten-year band"
    assert rep["top_countries"] == plain["report"]["top_countries"]
    assert rep["top_locations"][0] == plain["report"]["top_locations"][0]
    # The top (country, city) answer over the generalised data, computed from the stored rows:
    # "(other)" is not a place and is not listed.
    stored = Counter((r["country"], r["city"]) for r in rows if r["city"] != "(other)")
    top = sorted(stored.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))[:10]
    assert rep["top_locations"] == [{"country": c, "city": city, "users": n} for (c, city), n in top]
    # The text output says what was done.
    text = dp_s3.ok("risk", "--dest", f"s3://{bucket}/anon").stdout
    assert "exact age removed" in text, text


def test_min_k_without_generalisation_needs_leaves_bands(dp, tmp_path):
    """Classes already ≥ K except for exact ages: only the exact age goes, bands and counts stay."""
    base = dp.generate(60, "min-k-small", tmp_path / "base.json")
    users = []
    for i, u in enumerate(base):
        u["gender"] = "female" if i % 2 else "male"
        u["location"]["country"] = "Norway"
        u["location"]["city"] = "Bergen" if i % 3 else "Oslo"
        u["dob"]["date"] = f"{1970 + (i % 2) * 20}-{1 + i % 12:02d}-02T00:00:00.000Z"
        users.append(u)
    path = _write_ndjson(tmp_path / "u.ndjson", users)
    plain = _load(dp, path, tmp_path / "plain").json()["report"]
    out = _load(dp, path, tmp_path / "anon", "--min-k", "5").json()
    assert out["run"]["counts"]["suppressed"] == 0
    rep = out["report"]
    assert rep["age_bands"] == plain["age_bands"]
    assert rep["top_locations"] == plain["top_locations"]
    assert rep["gender"] == plain["gender"] and rep["registration"] == plain["registration"]
    assert rep["risk"]["generalised"] == {"exact_age_removed": 60, "widened_bands": [], "city_other": 0, "country_other": 0}
    assert rep["age"]["min"] is None, "exact ages are removed"


def test_min_k_suppresses_only_as_last_resort_and_counts(dp, tmp_path):
    base = dp.generate(23, "min-k-suppress", tmp_path / "base.json")
    for i, u in enumerate(base):
        u["gender"] = "female" if i < 20 else "male"  # 3 men: no generalisation can hide them at K=5
    path = _write_ndjson(tmp_path / "u.ndjson", base)
    out = _load(dp, path, tmp_path / "anon", "--min-k", "5").json()
    assert out["run"]["counts"]["suppressed"] == 3 and out["run"]["counts"]["written"] == 20
    assert out["report"]["risk"]["k"] >= 5
    assert out["report"]["gender"] == [{"gender": "female", "users": 20}]
    text = dp.ok("load", "--source", "file", "--input", str(path), "--dest", str(tmp_path / "anon2"),
                 "--as-of", AS_OF, "--min-k", "5").stdout
    assert "3 records suppressed" in text, text


# --------------------------------------------------------------------------------------------
# 5. Pseudonyms that resist reversal
# --------------------------------------------------------------------------------------------

def _digests(values: set[str]) -> set[str]:
    out = set()
    for v in values:
        for algo in ("md5", "sha1", "sha256"):
            d = hashlib.new(algo, v.encode("utf-8")).digest()
            out |= {d.hex(), d.hex().upper(), base64.b64encode(d).decode(), base64.urlsafe_b64encode(d).decode().rstrip("=")}
    return out


def test_pseudonyms_resist_reversal_and_follow_the_key(dp_s3, minio, bucket, fixture_users, duckpipe_bin, tmp_path):
    path, users = fixture_users
    identifiers = set()
    for u in users:
        identifiers |= {u["email"], u["email"].lower(), u["login"]["username"], u["login"]["uuid"], u["phone"], u["cell"]}
    digests = _digests(identifiers)

    runs = [_load(dp_s3, path, f"s3://{bucket}/same").json()["run"] for _ in range(2)]
    other = support.parse_keygen(support.run_duckpipe(duckpipe_bin, ["keygen"], tmp_path / "kg", support.clean_env()).stdout)
    other_keys = dict(dp_s3.keys, DUCKPIPE_HMAC_KEY=other["DUCKPIPE_HMAC_KEY"])
    run3 = _load(dp_s3, path, f"s3://{bucket}/other", env=dp_s3.env(keys=other_keys)).json()["run"]

    by_run = {}
    for run, prefix in [(runs[0], "same"), (runs[1], "same"), (run3, "other")]:
        [obj] = [o for o in run["objects"] if o["kind"] == "data"]
        key = f"{prefix}/{obj['path']}"
        raw = minio.get(bucket, key)
        found = [d for d in digests if d.encode() in raw]
        assert not found, f"plain hashes of identifiers in the object bytes: {found[:5]}"
        reader = support.ParquetReader(f"s3://{bucket}/{key}", dp_s3.keys["DUCKPIPE_PARQUET_KEY"], minio.s3_settings())
        rows = reader.rows()
        values = {v for r in rows for v in r.values() if isinstance(v, str)}
        assert not values & digests, f"plain hashes of identifiers in the decrypted values: {sorted(values & digests)[:5]}"
        assert not values & identifiers, "identifiers in the decrypted values"
        by_run[run["run_id"]] = rows

    a, b, c = (by_run[r["run_id"]] for r in (runs[0], runs[1], run3))
    # Same key: the same pseudonym per user across runs (rows keep the input order), and it is
    # HMAC-SHA256 under that key — joins work.
    assert [r["user_id"] for r in a] == [r["user_id"] for r in b]
    assert [r["email_pseudonym"] for r in a] == [r["email_pseudonym"] for r in b]
    hk = base64.b64decode(dp_s3.keys["DUCKPIPE_HMAC_KEY"])
    assert [r["user_id"] for r in a] == [hmac.new(hk, u["login"]["uuid"].encode(), hashlib.sha256).hexdigest() for u in users]
    # A different key: different pseudonyms for every user.
    assert not {r["user_id"] for r in a} & {r["user_id"] for r in c}
    assert not {r["email_pseudonym"] for r in a} & {r["email_pseudonym"] for r in c}


@pytest.mark.parametrize("nbytes", [16, 31, 33])
def test_hmac_key_of_wrong_length_is_refused(nbytes, dp, fixture_users, tmp_path):
    bad = base64.b64encode(os.urandom(nbytes)).decode()
    lake = tmp_path / "lake"
    r = _load(dp, fixture_users[0], lake, env=dp.env(keys=dict(dp.keys, DUCKPIPE_HMAC_KEY=bad)))
    assert r.returncode == 2, r.describe()
    assert "DUCKPIPE_HMAC_KEY" in r.stderr and f"decodes to {nbytes} bytes" in r.stderr and "32 bytes" in r.stderr, r.describe()
    assert bad not in r.output
    assert not _parquets(lake)
