"""Baseline (c): the naive pandas way — parse every line with json.loads, flatten with
pandas.json_normalize, hash identifiers with hashlib row by row, write Parquet with pyarrow into
memory and encrypt the whole file with AES-256-GCM (cryptography). The whole input is held in
memory several times over, which is the point of the comparison.

    python pandas_pipeline.py INPUT.ndjson OUT_DIR AS_OF

The key comes from DUCKPIPE_PARQUET_KEY. Prints one JSON line: {"rows": N}.
"""

import base64
import hashlib
import io
import json
import os
import sys

import pandas as pd
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def main() -> None:
    src, out_dir, as_of = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(src, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    df = pd.json_normalize(records)
    del records
    as_of_ts = pd.Timestamp(as_of)
    dob = pd.to_datetime(df["dob.date"], utc=True, format="ISO8601")
    age = as_of_ts.year - dob.dt.year
    # Birthday not reached yet in the as-of year: one year less.
    not_yet = (dob.dt.month > as_of_ts.month) | ((dob.dt.month == as_of_ts.month) & (dob.dt.day > as_of_ts.day))
    age = age - not_yet.astype(int)
    out = pd.DataFrame(
        {
            "user_id": df["login.uuid"].map(lambda v: hashlib.sha256(v.encode()).hexdigest()),
            "email_pseudonym": df["email"].map(lambda v: hashlib.sha256(v.strip().lower().encode()).hexdigest()),
            "gender": df["gender"],
            "age": age.astype("int32"),
            "age_band": (age // 10 * 10).astype(str) + "-" + (age // 10 * 10 + 9).astype(str),
            "registered_date": pd.to_datetime(df["registered.date"], utc=True, format="ISO8601").dt.date,
            "country": df["location.country"],
            "city": df["location.city"],
            "nat": df["nat"],
        }
    )
    del df
    buf = io.BytesIO()
    out.to_parquet(buf, engine="pyarrow", compression="zstd", index=False)
    key = base64.b64decode(os.environ["DUCKPIPE_PARQUET_KEY"])
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(key).encrypt(nonce, buf.getvalue(), None)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "part-0.parquet.enc"), "wb") as f:
        f.write(sealed)
    print(json.dumps({"rows": len(out)}))


if __name__ == "__main__":
    main()
