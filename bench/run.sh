#!/usr/bin/env bash
# The duckpipe benchmark (see docs/benchmarks.md). Builds duckpipe, prepares the bench venv and
# runs bench/bench.py.
#
#   bash bench/run.sh            full run: 1M and 5M users, 3 rounds, report over 10M stored users
#   bash bench/run.sh --smoke    20k users, 1 round, report over 40k: checks the benchmark works (CI)
#   bash bench/run.sh [bench.py options...]   e.g. --users 1000000 --rounds 2 --report-users 0
#
#   DUCKPIPE_BENCH_VENV   venv for the pipelines (default ~/.cache/duckpipe/bench-venv)
#   DUCKPIPE_BENCH_WORK   work dir: generated inputs are cached there (default ~/.cache/duckpipe/bench-work)
#   DUCKPIPE_BIN          an already built duckpipe (default: cargo build --release)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${DUCKPIPE_BENCH_VENV:-$HOME/.cache/duckpipe/bench-venv}"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt

if [[ -z "${DUCKPIPE_BIN:-}" ]]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/duckpipe/target}"
  cargo build --release --quiet
  DUCKPIPE_BIN="$CARGO_TARGET_DIR/release/duckpipe"
fi

WORK="${DUCKPIPE_BENCH_WORK:-$HOME/.cache/duckpipe/bench-work}"
if [[ "${1:-}" == "--smoke" ]]; then
  shift
  # A throw-away work dir: the smoke run must not depend on cached inputs.
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  set -- --users 20000 --rounds 1 --report-users 40000 --report-batch 20000 "$@"
fi
exec "$VENV/bin/python" bench/bench.py --duckpipe "$DUCKPIPE_BIN" --work "$WORK" "$@"
