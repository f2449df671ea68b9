"""Peer: dlt, the idiomatic row-wise way. A @dlt.resource generator reads the NDJSON line by line
and yields one de-identified dict per user; dlt extracts, normalises and loads them with its
filesystem destination to a local folder as Parquet. dlt's defaults are kept, as a first dlt
pipeline would have them; like every dlt table from dicts, the output carries dlt's own
`_dlt_load_id` and `_dlt_id` columns besides the nine. Not encrypted: dlt's filesystem
destination writes plain Parquet.

    python dlt_rows_pipeline.py INPUT.ndjson OUT_DIR AS_OF

The pseudonym key comes from DUCKPIPE_HMAC_KEY (rules in common.py). Prints one JSON line:
{"rows": N}, counted from the Parquet files dlt wrote.
"""

import json
import os
import sys
from pathlib import Path

from common import Pseudonymizer, age_band, completed_years, email_key, hmac_key, parquet_rows, parse_utc

# No usage reports from a benchmark run (dlt sends anonymous telemetry by default).
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402  (after the telemetry switch, which dlt reads on import)


def main() -> None:
    src, out_dir, as_of_text = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    pseudonym = Pseudonymizer(hmac_key())
    as_of = parse_utc(as_of_text)

    # dlt would infer age as a 64-bit integer; the hint makes it the 32-bit INTEGER the other
    # pipelines write.
    @dlt.resource(name="users", write_disposition="append", columns={"age": {"data_type": "bigint", "precision": 32}})
    def users():
        with open(src, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                u = json.loads(line)
                age = completed_years(parse_utc(u["dob"]["date"]), as_of)
                yield {
                    "user_id": pseudonym.one(u["login"]["uuid"]),
                    "email_pseudonym": pseudonym.one(email_key(u["email"])),
                    "gender": u["gender"],
                    "age": age,
                    "age_band": age_band(age),
                    "registered_date": parse_utc(u["registered"]["date"]).date(),
                    "country": u["location"]["country"],
                    "city": u["location"]["city"],
                    "nat": u["nat"],
                }

    lake = out_dir / "lake"
    pipeline = dlt.pipeline(
        pipeline_name="bench_dlt_rows",
        # dlt's working folder (extracted and normalised files, state) inside the output, so
        # every run starts from nothing and leaves nothing elsewhere.
        pipelines_dir=str(out_dir / "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=lake.resolve().as_uri()),
        dataset_name="bench",
    )
    pipeline.run(users(), loader_file_format="parquet")
    print(json.dumps({"rows": parquet_rows(lake / "bench" / "users")}))


if __name__ == "__main__":
    main()
