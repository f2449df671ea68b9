"""Peer: polars. Scans the NDJSON lazily with only the fields the output needs, de-identifies
with polars expressions and streams the result to Parquet with sink_parquet (the streaming
engine), so the whole input is never held at once. Not encrypted: polars cannot write Parquet
Modular Encryption.

    python polars_pipeline.py INPUT.ndjson OUT_DIR AS_OF

The pseudonym key comes from DUCKPIPE_HMAC_KEY (rules in common.py). Prints one JSON line:
{"rows": N}.
"""

import json
import os
import sys

import polars as pl

from common import Pseudonymizer, hmac_key, parquet_rows, parse_utc

# Only these fields are parsed; every other field of a user is skipped by the reader.
SCHEMA = {
    "gender": pl.String,
    "email": pl.String,
    "nat": pl.String,
    "login": pl.Struct({"uuid": pl.String}),
    "dob": pl.Struct({"date": pl.String}),
    "registered": pl.Struct({"date": pl.String}),
    "location": pl.Struct({"city": pl.String, "country": pl.String}),
}
# randomuser.me writes every instant as UTC with milliseconds: "1997-07-19T12:53:07.825Z".
API_TIME = "%Y-%m-%dT%H:%M:%S%.fZ"
MICROS_PER_DAY = 86_400_000_000


def day_key(ts: pl.Expr) -> pl.Expr:
    """(month, day, time of day) as one integer that orders like the tuple."""
    time_us = ((ts.dt.hour().cast(pl.Int64) * 60 + ts.dt.minute()) * 60 + ts.dt.second()) * 1_000_000 + ts.dt.microsecond()
    return (ts.dt.month().cast(pl.Int64) * 32 + ts.dt.day()) * MICROS_PER_DAY + time_us


def main() -> None:
    src, out_dir, as_of_text = sys.argv[1], sys.argv[2], sys.argv[3]
    pseudonym = Pseudonymizer(hmac_key())
    as_of = parse_utc(as_of_text)
    as_of_key = ((as_of.month * 32 + as_of.day) * MICROS_PER_DAY
                 + ((as_of.hour * 60 + as_of.minute) * 60 + as_of.second) * 1_000_000 + as_of.microsecond)

    def hmac_batch(s: pl.Series) -> pl.Series:
        return pl.Series(pseudonym.many(s.to_list()), dtype=pl.String)

    dob = pl.col("dob").struct.field("date").str.to_datetime(API_TIME, time_zone="UTC")
    registered = pl.col("registered").struct.field("date").str.to_datetime(API_TIME, time_zone="UTC")
    # Completed years; birth after the as-of instant gives null, as in duckpipe.
    age = (as_of.year - dob.dt.year().cast(pl.Int32) - (pl.lit(as_of_key) < day_key(dob)).cast(pl.Int32))
    age = pl.when(dob <= pl.lit(as_of)).then(age)
    low = pl.col("age") // 10 * 10

    lf = (
        pl.scan_ndjson(src, schema=SCHEMA)
        .select(
            # The keyed hash is a Python callback per batch (polars has no HMAC); elementwise,
            # so the streaming engine can call it chunk by chunk.
            pl.col("login").struct.field("uuid").map_batches(hmac_batch, return_dtype=pl.String, is_elementwise=True).alias("user_id"),
            pl.col("email").str.strip_chars(" ").str.to_lowercase().map_batches(hmac_batch, return_dtype=pl.String, is_elementwise=True).alias("email_pseudonym"),
            pl.col("gender"),
            age.cast(pl.Int32).alias("age"),
            registered.dt.date().alias("registered_date"),
            pl.col("location").struct.field("country").alias("country"),
            pl.col("location").struct.field("city").alias("city"),
            pl.col("nat"),
        )
        .with_columns(pl.when(pl.col("age") >= 0).then(pl.format("{}-{}", low, low + 9)).alias("age_band"))
        .select("user_id", "email_pseudonym", "gender", "age", "age_band", "registered_date", "country", "city", "nat")
    )
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, "part-0.parquet")
    lf.sink_parquet(target, compression="zstd")
    print(json.dumps({"rows": parquet_rows(out_dir)}))


if __name__ == "__main__":
    main()
