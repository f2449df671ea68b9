"""Helpers shared by the benchmark scripts.

The peers that do duckpipe's job in Python (dlt, polars) use the same rules as duckpipe, written
once here so that every peer means the same thing by a pseudonym, an age and an age band:

- pseudonym(x) = lowercase hex of HMAC-SHA256(key, UTF-8 of x), the key being the 32 bytes whose
  base64 is DUCKPIPE_HMAC_KEY (src/masking.rs); the e-mail is trimmed of spaces and lower-cased
  first (sql/stage/masked_rows.sql);
- age = completed years from the birth instant to the as-of instant, both UTC: one year less
  while (month, day, time of day) of the as-of instant is before that of the birth
  (src/calendar.rs);
- age_band = "20-29" for 27: the decade and the decade + 9.
"""

import base64
import glob
import hashlib
import hmac
import os
from datetime import datetime, timezone
from pathlib import Path


def sql_quote(value: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def httpfs_extension_path() -> str:
    """The signed httpfs extension: DuckDB writes encrypted Parquet only with it loaded. Taken
    from DUCKPIPE_HTTPFS_EXTENSION, else from the pinned duckdb-extension-httpfs wheel."""
    path = os.environ.get("DUCKPIPE_HTTPFS_EXTENSION")
    if path:
        return path
    import duckdb_extension_httpfs

    found = sorted(glob.glob(os.path.join(os.path.dirname(duckdb_extension_httpfs.__file__), "extensions", "*", "httpfs.duckdb_extension")))
    if not found:
        raise SystemExit("no httpfs.duckdb_extension in the duckdb-extension-httpfs wheel")
    return found[0]


def hmac_key() -> bytes:
    """The pseudonym key, decoded as duckpipe decodes DUCKPIPE_HMAC_KEY. Error messages name the
    variable, never its value."""
    try:
        key = base64.b64decode(os.environ["DUCKPIPE_HMAC_KEY"].strip(), validate=True)
    except (KeyError, ValueError):
        raise SystemExit("DUCKPIPE_HMAC_KEY is not set or not base64") from None
    if len(key) != 32:
        raise SystemExit("DUCKPIPE_HMAC_KEY must be the base64 of 32 bytes")
    return key


class Pseudonymizer:
    """pseudonym() with the key schedule done once. HMAC-SHA256 (RFC 2104) is
    SHA-256((key ^ opad) || SHA-256((key ^ ipad) || value)); the two SHA-256 states after the
    padded key are built here and copied per value, as src/masking.rs clones its keyed state.
    Measured on this machine: about 1.5-2x faster per value than hmac.digest, which re-keys on
    every call. Neither pyarrow.compute nor polars has a keyed hash, so every Python peer hashes
    through this, value by value."""

    def __init__(self, key: bytes):
        block = key.ljust(64, b"\0")  # a 32-byte key fits SHA-256's 64-byte block: no pre-hash
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        # The hand-made construction must agree with the standard library's.
        if self.one("check") != hmac.new(key, b"check", "sha256").hexdigest():
            raise SystemExit("HMAC self-check failed")

    def one(self, value: str | None) -> str | None:
        if value is None:
            return None
        inner = self._inner.copy()
        inner.update(value.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def many(self, values: list) -> list:
        """one() over a batch of a column's values."""
        one = self.one
        return [one(v) for v in values]


def email_key(email: str | None) -> str | None:
    """What the e-mail pseudonym is taken of: DuckDB's lower(trim(email)) (trim strips spaces)."""
    return None if email is None else email.strip(" ").lower()


def parse_utc(text: str) -> datetime:
    """An API timestamp ("1997-07-19T12:53:07.825Z", or another offset) as an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def completed_years(birth: datetime, as_of: datetime) -> int | None:
    if as_of < birth:
        return None
    age = as_of.year - birth.year
    if (as_of.month, as_of.day, as_of.time()) < (birth.month, birth.day, birth.time()):
        age -= 1
    return age


def age_band(age: int | None) -> str | None:
    if age is None or age < 0:
        return None
    low = age // 10 * 10
    return f"{low}-{low + 9}"


def parquet_rows(folder: str | Path) -> int:
    """Rows in every Parquet file under `folder`, from the footers: what a peer really wrote."""
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in Path(folder).rglob("*.parquet"))
