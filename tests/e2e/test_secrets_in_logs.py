"""Deliverable (d): nothing secret in the output, even at the highest verbosity."""

from __future__ import annotations

import base64
import re

import pytest

import support
from support import AS_OF


def _forbidden(users, secrets_: dict[str, str]):
    """(kind, value, matcher) triples. Names (>= 4 chars) match as whole words, case-sensitively, and are
    skipped when they are also part of a country or city name (those are reported on purpose)."""
    places = [u["location"]["country"] for u in users] + [u["location"]["city"] for u in users]
    pii = support.pii_values(users)
    out = []
    for e in pii["email"]:
        out.append(("email", e, re.compile(re.escape(e), re.IGNORECASE)))
    for n in pii["name"]:
        rx = re.compile(r"(?<!\w)" + re.escape(n) + r"(?!\w)")
        if any(rx.search(p) for p in places):
            continue
        out.append(("name", n, rx))
    for kind in ("username", "uuid"):
        for v in pii[kind]:
            out.append((kind, v, re.compile(re.escape(v))))
    for name, value in secrets_.items():
        out.append((name, value, re.compile(re.escape(value))))
        if name.startswith("DUCKPIPE_"):
            raw = base64.b64decode(value)
            out.append((name + " (hex)", raw.hex(), re.compile(re.escape(raw.hex()), re.IGNORECASE)))
    return out


ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def _assert_clean(text: str, forbidden) -> None:
    # Colour codes would hide a name from the whole-word match ("\x1b[0mBates"): strip them first.
    text = ANSI.sub("", text)
    hits = sorted({(kind, value) for kind, value, rx in forbidden if rx.search(text)})
    assert not hits, f"{len(hits)} secret/PII values in duckpipe's output: {hits[:10]}"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_max_verbosity_load_logs_no_pii_or_keys(fmt, dp_s3, minio, bucket, fixture_users):
    path, users = fixture_users
    r = dp_s3("load", "-vv", "--source", "file", "--input", str(path), "--dest", f"s3://{bucket}/lake",
              "--as-of", AS_OF, "--format", fmt)
    assert r.returncode == 0, r.describe()
    assert r.stderr.strip(), "-vv produced no log output at all"
    secrets_ = {
        "DUCKPIPE_PARQUET_KEY": dp_s3.keys["DUCKPIPE_PARQUET_KEY"],
        "DUCKPIPE_HMAC_KEY": dp_s3.keys["DUCKPIPE_HMAC_KEY"],
        "AWS_SECRET_ACCESS_KEY": minio.secret_key,
    }
    _assert_clean(r.output, _forbidden(users, secrets_))
    # The run worked (so the check above saw a real run's logs).
    parquet = [k for k in minio.keys(bucket) if k.endswith(".parquet")]
    assert len(parquet) == 1, parquet


def test_max_verbosity_report_logs_no_keys(dp_s3, minio, bucket, fixture_users):
    path, users = fixture_users
    dp_s3.ok("load", "--source", "file", "--input", str(path), "--dest", f"s3://{bucket}/lake",
             "--as-of", AS_OF, "--format", "json")
    r = dp_s3.ok("report", "-vv", "--dest", f"s3://{bucket}/lake", "--as-of", AS_OF)
    secrets_ = {
        "DUCKPIPE_PARQUET_KEY": dp_s3.keys["DUCKPIPE_PARQUET_KEY"],
        "DUCKPIPE_HMAC_KEY": dp_s3.keys["DUCKPIPE_HMAC_KEY"],
        "AWS_SECRET_ACCESS_KEY": minio.secret_key,
    }
    _assert_clean(r.output, _forbidden(users, secrets_))


def test_refused_credentials_are_exit_2_named_and_do_not_leak_the_secret(dp_s3, minio, bucket, fixture_users):
    """Wrong credentials are a configuration error found before any work: exit 2, a sentence
    naming the variables, no secret in the output, nothing written."""
    path, users = fixture_users
    wrong_secret = "wrong-secret-" + "x7" * 10
    env = dp_s3.env(AWS_SECRET_ACCESS_KEY=wrong_secret)
    r = dp_s3("load", "-vv", "--source", "file", "--input", str(path), "--dest", f"s3://{bucket}/lake",
              "--as-of", AS_OF, "--format", "json", env=env)
    assert r.returncode == 2, r.describe()
    assert "refused the credentials" in r.output and "AWS_SECRET_ACCESS_KEY" in r.output, r.describe()
    secrets_ = {
        "DUCKPIPE_PARQUET_KEY": dp_s3.keys["DUCKPIPE_PARQUET_KEY"],
        "DUCKPIPE_HMAC_KEY": dp_s3.keys["DUCKPIPE_HMAC_KEY"],
        "AWS_SECRET_ACCESS_KEY": wrong_secret,
    }
    _assert_clean(r.output, _forbidden(users, secrets_))
    assert minio.keys(bucket) == []
