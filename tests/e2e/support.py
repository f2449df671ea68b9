"""Helpers for the end-to-end tests: running duckpipe, reading its Parquet with an independent DuckDB,
and computing the expected report from the raw randomuser JSON in plain Python.

Nothing here uses duckpipe's SQL: the expected values are derived from the input JSON alone.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone
from fractions import Fraction
from pathlib import Path

import duckdb

AS_OF = "2026-11-25T00:00:00Z"
KEY_NAME = "duckpipe"



def _documented_columns() -> list[tuple[str, str]]:
    """The columns of the lake's data as README.md documents them ("What ends up in the lake"),
    which a Rust test holds to src/schema/output.rs: the fact is written once."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What ends up in the lake", 1)[1].split("\n## ", 1)[0]
    columns = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 4 or not cells[1].startswith("`"):
            continue
        kind = cells[2].replace("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE")
        columns += [(name.strip().strip("`"), kind) for name in cells[1].split(",")]
    return columns


EXPECTED_COLUMNS = _documented_columns()
assert EXPECTED_COLUMNS, "README.md lists no columns"

HEX64 = re.compile(r"^[0-9a-f]{64}$")


# --------------------------------------------------------------------------------------------
# Running duckpipe
# --------------------------------------------------------------------------------------------

@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr

    def describe(self) -> str:
        return (
            f"duckpipe {' '.join(self.args)}\n  exit code: {self.returncode}\n"
            f"  --- stdout (tail) ---\n{self.stdout[-3000:]}\n  --- stderr (tail) ---\n{self.stderr[-3000:]}"
        )

    def json(self):
        assert self.returncode == 0, self.describe()
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as e:  # pragma: no cover - only on failure
            raise AssertionError(f"stdout is not ONE JSON object ({e})\n{self.describe()}") from None


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without anything that could change duckpipe's behaviour
    (keys, AWS settings, log filters), plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("DUCKPIPE_") or k.startswith("AWS_") or k in ("RUST_LOG", "HTTP_PROXY", "HTTPS_PROXY"))
    }
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def run_duckpipe(binary: str, args: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> Run:
    cwd.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(
        [binary, *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
    )
    return Run(args, p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


def parse_keygen(stdout: str) -> dict[str, str]:
    keys = {}
    for line in stdout.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep, f"keygen printed a line that is not NAME=VALUE: {line!r}"
        keys[name] = value
    assert set(keys) == {"DUCKPIPE_PARQUET_KEY", "DUCKPIPE_HMAC_KEY", "DUCKPIPE_QUARANTINE_KEY"}, f"keygen printed {sorted(keys)}"
    for name, value in keys.items():
        raw = base64.b64decode(value, validate=True)
        assert len(raw) == 32, f"{name} decodes to {len(raw)} bytes, expected 32"
    assert len(set(keys.values())) == len(keys), "keygen printed the same key twice"
    return keys


# --------------------------------------------------------------------------------------------
# Input data
# --------------------------------------------------------------------------------------------

def load_users(path: Path) -> list[dict]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(doc, dict):
        return doc["results"]
    return doc


def parse_ts(s: str) -> datetime:
    dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def completed_years(born: datetime, at: datetime) -> int:
    """Completed years from `born` to `at` (both UTC): the birthday later in the year, or later on
    the same day, does not count yet."""
    years = at.year - born.year
    if (born.month, born.day, born.time()) > (at.month, at.day, at.time()):
        years -= 1
    return years


def band(age: int) -> str:
    lo = age // 10 * 10
    return f"{lo}-{lo + 9}"


@dataclass(frozen=True)
class Row:
    """One user as the output table should hold it (without the pseudonyms and run columns)."""

    gender: str
    age: int
    age_band: str
    registered_date: date
    country: str
    city: str
    nat: str


def expected_rows(users: list[dict], as_of_load: str) -> list[Row]:
    at = parse_ts(as_of_load)
    rows = []
    for u in users:
        age = completed_years(parse_ts(u["dob"]["date"]), at)
        rows.append(
            Row(
                gender=u["gender"],
                age=age,
                age_band=band(age),
                registered_date=parse_ts(u["registered"]["date"]).date(),
                country=u["location"]["country"],
                city=u["location"]["city"],
                nat=u["nat"],
            )
        )
    return rows


def pii_values(users: list[dict]) -> dict[str, set[str]]:
    """The values that must never appear in the output bytes or in logs."""
    names = set()
    for u in users:
        for part in (u["name"]["first"], u["name"]["last"]):
            if len(part) >= 4:
                names.add(part)
    return {
        "email": {u["email"] for u in users},
        "name": names,
        "username": {u["login"]["username"] for u in users},
        "phone": {u["phone"] for u in users} | {u["cell"] for u in users},
        "uuid": {u["login"]["uuid"] for u in users},
    }


# --------------------------------------------------------------------------------------------
# The expected report, computed independently
# --------------------------------------------------------------------------------------------

def _round_candidates(x: Fraction, ndigits: int) -> set[float]:
    """Round an exact value to `ndigits` decimals. At an exact tie both neighbours are accepted
    (half-up as DuckDB's round() does, and half-even as Python's does); elsewhere there is one answer."""
    scale = Fraction(10) ** ndigits
    scaled = x * scale
    floor = scaled.numerator // scaled.denominator
    frac = scaled - floor
    if frac > Fraction(1, 2):
        ints = {floor + 1}
    elif frac < Fraction(1, 2):
        ints = {floor}
    else:
        ints = {floor, floor + 1}
    return {float(Fraction(i) / scale) for i in ints}


@dataclass(frozen=True)
class Rounded:
    """An expected float: the exact value and the decimals it is rounded to."""

    exact: Fraction
    ndigits: int

    def matches(self, got) -> bool:
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        return any(abs(float(got) - c) <= 1e-9 for c in _round_candidates(self.exact, self.ndigits))

    def __repr__(self) -> str:
        return f"≈{sorted(_round_candidates(self.exact, self.ndigits))}"


class Sentences:
    """An expected `answers` object: one non-empty sentence per question. The sentences
    themselves are checked word for word by test_report_answers.py on a dataset built for it."""

    KEYS = ("registration", "age_gender", "places")

    def matches(self, got) -> bool:
        return (isinstance(got, dict) and set(got) == set(self.KEYS)
                and all(isinstance(got[k], str) and got[k].endswith(".") for k in self.KEYS))

    def __repr__(self) -> str:
        return "<one sentence per question>"


def expected_leaders(counts: Counter) -> dict | None:
    """The largest count of a Counter and how many keys have it (q3_leaders.sql)."""
    if not counts:
        return None
    top = max(counts.values())
    return {"users": top, "tied": sum(1 for v in counts.values() if v == top)}


def _median(values: list[int]) -> Fraction:
    s = sorted(values)
    n = len(s)
    if n % 2:
        return Fraction(s[n // 2])
    return Fraction(s[n // 2 - 1] + s[n // 2], 2)


DEFAULT_QI = ["gender", "age_band", "country", "city"]
NO_GENERALISATION = {"exact_age_removed": 0, "widened_bands": [], "city_other": 0, "country_other": 0}


def expected_risk(records: list[dict], qi: list[str] = DEFAULT_QI, generalised: dict | None = None) -> dict:
    """The risk section, computed in plain Python from `records` (dicts with the QI columns):
    equivalence classes = records sharing every QI value."""
    sizes = Counter(tuple(r[c] for c in qi) for r in records)
    n = len(records)
    k = min(sizes.values()) if sizes else None
    return {
        "quasi_identifiers": list(qi),
        "records": n,
        "classes": len(sizes),
        "k": k,
        "smallest_classes": sum(1 for s in sizes.values() if s == k),
        "unique_share": Rounded(Fraction(sum(1 for s in sizes.values() if s == 1), n), 4) if n else None,
        "below": {str(t): sum(s for s in sizes.values() if s < t) for t in (2, 5, 10)},
        "generalised": generalised if generalised is not None else NO_GENERALISATION,
    }


def expected_report(runs: list[tuple[list[dict], str]], as_of_report: str = AS_OF, top: int = 10) -> dict:
    """`runs`: one (users, as_of_load) per load in the destination."""
    rows: list[Row] = []
    for users, as_of_load in runs:
        rows.extend(expected_rows(users, as_of_load))
    n = len(rows)
    report_day = parse_ts(as_of_report).date()
    days = [(report_day - r.registered_date).days for r in rows]
    mean_days = Fraction(sum(days), n)
    ages = [r.age for r in rows]

    genders = Counter(r.gender for r in rows)
    gender = [{"gender": g, "users": c} for g, c in sorted(genders.items(), key=lambda kv: (-kv[1], kv[0]))]

    bands: dict[str, dict] = {}
    for r in rows:
        b = bands.setdefault(r.age_band, {"band": r.age_band, "female": 0, "male": 0, "users": 0})
        if r.gender in ("female", "male"):
            b[r.gender] += 1
        b["users"] += 1
    age_bands = [bands[k] for k in sorted(bands)]

    countries = Counter(r.country for r in rows)
    top_countries = [
        {"country": c, "users": k} for c, k in sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))
    ][:top]
    locations = Counter((r.country, r.city) for r in rows)
    top_locations = [
        {"country": c, "city": city, "users": k}
        for (c, city), k in sorted(locations.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
    ][:top]

    return {
        "users": n,
        "as_of": as_of_report,
        "registration": {
            "avg_days": Rounded(mean_days, 1),
            "avg_years": Rounded(mean_days / Fraction(36525, 100), 2),
        },
        "gender": gender,
        "age": {
            "min": min(ages),
            "max": max(ages),
            "avg": Rounded(Fraction(sum(ages), n), 1),
            "median": Rounded(_median(ages), 1),
        },
        "age_bands": age_bands,
        "top_countries": top_countries,
        "top_locations": top_locations,
        "risk": expected_risk([r.__dict__ for r in rows]),
        "leaders": {"country": expected_leaders(countries), "location": expected_leaders(locations)},
        "answers": Sentences(),
    }


def report_mismatches(got, want, path: str = "report") -> list[str]:
    """Every difference between duckpipe's report and the expected one (empty when they agree)."""
    out: list[str] = []
    if isinstance(want, (Rounded, Sentences)):
        if not want.matches(got):
            out.append(f"{path}: got {got!r}, expected {want!r}")
    elif isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: got {type(got).__name__} {got!r}, expected an object"]
        missing = sorted(set(want) - set(got))
        extra = sorted(set(got) - set(want))
        if missing:
            out.append(f"{path}: missing keys {missing}")
        if extra:
            out.append(f"{path}: unexpected keys {extra}")
        for k in want:
            if k in got:
                out.extend(report_mismatches(got[k], want[k], f"{path}.{k}"))
    elif isinstance(want, list):
        if not isinstance(got, list):
            return [f"{path}: got {got!r}, expected a list"]
        if len(got) != len(want):
            out.append(f"{path}: got {len(got)} entries, expected {len(want)}:\n    got  {got}\n    want {want}")
        for i, (g, w) in enumerate(zip(got, want)):
            out.extend(report_mismatches(g, w, f"{path}[{i}]"))
    else:
        if isinstance(want, int) and not isinstance(want, bool):
            ok = isinstance(got, (int, float)) and not isinstance(got, bool) and got == want
        else:
            ok = got == want
        if not ok:
            out.append(f"{path}: got {got!r}, expected {want!r}")
    return out


def assert_report(got, want) -> None:
    problems = report_mismatches(got, want)
    assert not problems, "report differs from the independent computation:\n  " + "\n  ".join(problems)


def assert_analytics_match_report(got: dict[str, list[dict]], report: dict) -> None:
    """The rows each sql/analytics/*.sql file gave (by file stem, from whichever client ran them)
    are the answers `duckpipe report --format json` printed for the same lake and flags: the files
    are the documented way to get the report's numbers without duckpipe."""
    [q1] = got["q1_registration"]
    assert q1 == {"users": report["users"], **report["registration"]}, (q1, report)
    assert got["q2_gender"] == report["gender"]
    [age] = got["q2_age"]
    assert age == report["age"]
    assert got["q2_age_bands"] == report["age_bands"]
    assert got["q3_top_countries"] == report["top_countries"]
    assert got["q3_top_locations"] == report["top_locations"]
    assert {r["what"]: {"users": r["users"], "tied": r["tied"]} for r in got["q3_leaders"]} == report["leaders"]
    # The report has no tenure histogram: it must at least count every user once.
    assert sum(r["users"] for r in got["q1_tenure"]) == report["users"]


# --------------------------------------------------------------------------------------------
# Reading the Parquet output with an independent engine (the Python duckdb package)
# --------------------------------------------------------------------------------------------

def httpfs_extension_path() -> str:
    deps = os.environ.get("DUCKPIPE_DEPS_DIR") or str(Path.home() / ".cache/duckpipe/duckdb-v1.5.5")
    p = Path(deps) / "httpfs.duckdb_extension"
    if p.is_file():
        return str(p)
    import duckdb_extension_httpfs  # the wheel pinned in requirements.txt

    found = sorted(Path(duckdb_extension_httpfs.__file__).parent.glob("extensions/*/httpfs.duckdb_extension"))
    assert found, "no httpfs.duckdb_extension found (run scripts/fetch-duckdb.sh)"
    return str(found[-1])


def connect(load_httpfs: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    if load_httpfs:
        con.execute(f"LOAD '{httpfs_extension_path()}'")
    return con


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class ParquetReader:
    """Reads one encrypted duckpipe Parquet file (local path or s3:// URL)."""

    def __init__(self, location: str, parquet_key: str | None, s3: dict | None = None):
        self.location = location
        self.con = connect(load_httpfs=s3 is not None)
        if s3 is not None:
            self.con.execute(
                "CREATE SECRET e2e_s3 (TYPE s3, KEY_ID {}, SECRET {}, REGION 'us-east-1', ENDPOINT {}, "
                "URL_STYLE 'path', USE_SSL false)".format(
                    sql_str(s3["access_key"]), sql_str(s3["secret_key"]), sql_str(s3["endpoint_hostport"])
                )
            )
        self.source = f"read_parquet({sql_str(location)})"
        if parquet_key is not None:
            self.con.execute(f"PRAGMA add_parquet_key({sql_str(KEY_NAME)}, {sql_str(parquet_key)})")
            self.source = f"read_parquet({sql_str(location)}, encryption_config = {{footer_key: {sql_str(KEY_NAME)}}})"

    def columns(self) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in self.con.execute(f"DESCRIBE SELECT * FROM {self.source}").fetchall()]

    def query(self, select: str) -> list[tuple]:
        return self.con.execute(select.replace("{src}", self.source)).fetchall()

    def rows(self) -> list[dict]:
        cur = self.con.execute(
            "SELECT user_id, email_pseudonym, gender, age, age_band, registered_date, country, city, nat, run_id, "
            f"CAST(loaded_at AS VARCHAR) AS loaded_at FROM {self.source}"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def check_table(reader: ParquetReader, users: list[dict], as_of_load: str, run_id: str) -> list[dict]:
    """Everything the output table must be, for one run over `users`. Returns the rows."""
    cols = reader.columns()
    assert cols == EXPECTED_COLUMNS, f"columns differ:\n  got      {cols}\n  expected {EXPECTED_COLUMNS}"
    for name, typ in cols:
        assert not any(t in typ.upper() for t in ("STRUCT", "[]", "MAP", "LIST", "UNION")), f"{name} is nested: {typ}"

    rows = reader.rows()
    assert len(rows) == len(users), f"{len(rows)} rows, expected one per input user ({len(users)})"

    got = Counter(
        Row(r["gender"], r["age"], r["age_band"], r["registered_date"], r["country"], r["city"], r["nat"]) for r in rows
    )
    want = Counter(expected_rows(users, as_of_load))
    if got != want:
        raise AssertionError(
            "row values differ from the input (multiset of gender, age, age_band, registered_date, country, city, nat):\n"
            f"  only in output:   {sorted(map(repr, (got - want).elements()))[:10]}\n"
            f"  only in expected: {sorted(map(repr, (want - got).elements()))[:10]}"
        )

    for r in rows:
        assert r["user_id"] and HEX64.match(r["user_id"]), f"user_id is not 64 lowercase hex: {r['user_id']!r}"
        assert r["email_pseudonym"] and HEX64.match(r["email_pseudonym"]), (
            f"email_pseudonym is not 64 lowercase hex: {r['email_pseudonym']!r}"
        )
        assert r["run_id"] == run_id, f"run_id column {r['run_id']!r} != the run's id {run_id!r}"
        assert r["loaded_at"], "loaded_at is NULL"

    distinct_uuids = len({u["login"]["uuid"] for u in users})
    distinct_emails = len({u["email"].lower() for u in users})
    assert len({r["user_id"] for r in rows}) == distinct_uuids, "user_id is not one pseudonym per login.uuid"
    assert len({r["email_pseudonym"] for r in rows}) == distinct_emails, "email_pseudonym is not one per e-mail"

    # Keyed pseudonyms, not bare hashes of the identifiers.
    import hashlib

    bare = set()
    for u in users:
        for v in (u["login"]["uuid"], u["email"], u["email"].lower()):
            bare.add(hashlib.sha256(v.encode()).hexdigest())
    assert not bare & {r["user_id"] for r in rows}, "user_id is an unkeyed SHA-256 of an identifier"
    assert not bare & {r["email_pseudonym"] for r in rows}, "email_pseudonym is an unkeyed SHA-256 of the e-mail"

    # No identifier leaks into any column.
    pii = pii_values(users)
    leaked = set()
    for r in rows:
        for k, v in r.items():
            if isinstance(v, str):
                for kind in ("email", "username", "uuid", "phone"):
                    if v in pii[kind]:
                        leaked.add((k, kind, v))
    assert not leaked, f"identifiers found in output columns: {sorted(leaked)[:10]}"
    return rows


CREDENTIALS = ("password", "salt", "md5", "sha1", "sha256")


def without_credentials(user: dict) -> dict:
    """A user as the quarantine keeps it: the credential fields of `login` removed."""
    user = json.loads(json.dumps(user))
    if isinstance(user.get("login"), dict):
        for name in CREDENTIALS:
            user["login"].pop(name, None)
    return user


def assert_no_pii_bytes(data: bytes, users: list[dict]) -> None:
    found = []
    for kind, values in pii_values(users).items():
        for v in values:
            if v.encode("utf-8") in data:
                found.append((kind, v))
    assert not found, f"{len(found)} input values found in the Parquet bytes, e.g. {sorted(found)[:10]}"


def assert_unreadable_without_key(path: str) -> None:
    con = connect()
    try:
        con.execute(f"SELECT count(*) FROM read_parquet({sql_str(path)})").fetchall()
    except duckdb.Error as e:
        assert "encrypt" in str(e).lower(), f"reading without the key failed, but not because of encryption: {e}"
    else:
        raise AssertionError(f"{path} is readable without the key: it is not encrypted")


def assert_counts_balanced(run: dict) -> None:
    """The accounting invariant of every load: received = written + quarantined + suppressed, and
    the objects named by the run record hold exactly the written and quarantined rows."""
    c = run["counts"]
    assert c["received"] == c["written"] + c["quarantined"] + c["suppressed"], c
    assert sum(o["rows"] for o in run["objects"] if o["kind"] == "data") == c["written"], run["objects"]
    assert sum(o["rows"] for o in run["objects"] if o["kind"] == "quarantine") == c["quarantined"], run["objects"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
