#!/usr/bin/env bash
# The lake lifecycle benchmark (issue 14): `report` over many small daily runs on MinIO before
# and after `compact`, against one run of the same users; `forget` of one person in a large lake
# (time, bytes read and written). Prints Markdown rows for docs/benchmarks.md. No assertions.
#
#   bash bench/lifecycle.sh [RUNS (default 1000; 0 skips compaction)] [USERS_FOR_FORGET (default 1000000)]
#
# Needs DUCKPIPE_BIN (else target/release/duckpipe under CARGO_TARGET_DIR) and MINIO_BIN (else
# scripts/minio.sh install), and a Python with the `minio` package (PYTHON, else the test venv
# that scripts/test.sh creates) to copy the daily lake into MinIO.
#
# The daily runs are loaded into a local directory, then copied to MinIO file by file: every load
# reads every record and object before it, so 1,000 loads straight into MinIO take hours here; the
# lake's files are the same either way. DAILY_LAKE=DIR reuses a local lake built earlier (with
# the same keys: ENV_FILE=FILE names the .env that holds them; without it fresh keys are made).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-1000}"
BIG="${2:-1000000}"
BIN="${DUCKPIPE_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/duckpipe/target}/release/duckpipe}"
MINIO_BIN="${MINIO_BIN:-$(bash "$ROOT/scripts/minio.sh" install)}"
export MINIO_BIN
WORK="$(mktemp -d)"
trap 'bash "$ROOT/scripts/minio.sh" stop "$WORK/minio" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export AWS_ACCESS_KEY_ID=duckpipe AWS_SECRET_ACCESS_KEY=duckpipe-secret AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
bash "$ROOT/scripts/minio.sh" start "$PORT" "$WORK/minio" >/dev/null
cd "$WORK"
if [[ -n "${ENV_FILE:-}" ]]; then install -m 600 "$ENV_FILE" .env; else "$BIN" keygen --out .env >/dev/null; fi
set -a; . ./.env; set +a

# Median of three wall-clock seconds of a command.
median3() {
  local times=()
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null || { echo "failed: $*" >&2; return 1; }; t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}

DAILY="s3://bench/daily" SINGLE="s3://bench/single"
PYTHON="${PYTHON:-$HOME/.cache/duckpipe/venv/bin/python}"
"$BIN" load --source synthetic --count 1 --dest s3://bench/probe --create-bucket -q >/dev/null
if (( RUNS > 0 )); then
LOCAL="${DAILY_LAKE:-$WORK/daily}"
if [[ -z "${DAILY_LAKE:-}" ]]; then
  t0=$(date +%s)
  for i in $(seq 1 "$RUNS"); do
    "$BIN" load --source synthetic --count 100 --seed "d$i" --run-id "day-$i" --dest "$LOCAL" -q --format json >/dev/null
  done
  echo "built $RUNS daily runs locally in $(( $(date +%s) - t0 )) s" >&2
fi
"$PYTHON" - "$LOCAL" <<'PY'
import os, sys
from pathlib import Path
from minio import Minio
root = Path(sys.argv[1])
client = Minio(os.environ["AWS_ENDPOINT_URL"].split("//", 1)[1], access_key=os.environ["AWS_ACCESS_KEY_ID"],
               secret_key=os.environ["AWS_SECRET_ACCESS_KEY"], secure=False)
files = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]
for p in files:
    client.fput_object("bench", "daily/" + p.relative_to(root).as_posix(), str(p))
print(f"copied {len(files)} files to s3://bench/daily", file=sys.stderr)
PY
"$BIN" runs --dest "$DAILY" --verify >/dev/null
"$BIN" load --source synthetic --count $((RUNS * 100)) --seed single --dest "$SINGLE" -q --format json >/dev/null

before=$(median3 "$BIN" report --dest "$DAILY" --format json)
single=$(median3 "$BIN" report --dest "$SINGLE" --format json)
c0=$(date +%s.%N); "$BIN" compact --dest "$DAILY" --format json >/dev/null; c1=$(date +%s.%N)
after=$(median3 "$BIN" report --dest "$DAILY" --format json)
echo "| $RUNS runs of 100 users on MinIO | report before compact ${before} s | compact $(echo "$c1 - $c0" | bc) s | report after ${after} s | one run of the same count ${single} s |"
fi

# forget: one person of a large lake, by the uuid of a generated user (the generator is seeded).
person=$("$BIN" generate --count 1 --seed big --ndjson | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["login"]["uuid"])')
"$BIN" load --source synthetic --count "$BIG" --seed big --dest s3://bench/big -q --format json >/dev/null
f0=$(date +%s.%N)
out=$("$BIN" forget --uuid "$person" --dest s3://bench/big --format json)
f1=$(date +%s.%N)
echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)["forget"]
print("| forget 1 person in %s users on MinIO | %s s | rows removed %s | bytes read %s | bytes written %s |"
      % (sys.argv[1], sys.argv[2], d.get("rows_removed"), d.get("bytes_read"), d.get("bytes_written")))
' "$BIG" "$(echo "$f1 - $f0" | bc)"
