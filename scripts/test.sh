#!/usr/bin/env bash
# THE test command: builds duckpipe and runs every test (Rust unit/integration + end-to-end against MinIO).
#
#   bash scripts/test.sh [extra pytest args...]
#
# Works on a fresh machine: installs what it needs from package registries.
#   DUCKPIPE_VENV      Python venv for the test tools (default ~/.cache/duckpipe/venv)
#   DUCKPIPE_DUCKDB2_VENV  venv with the newest duckdb release (default ~/.cache/duckpipe/venv-duckdb2)
#   CARGO_TARGET_DIR   cargo's target dir (default ~/.cache/duckpipe/target, outside the clone so reruns are incremental)
#   MINIO_BIN          an existing minio binary (else scripts/minio.sh install finds or builds one)
#   CHROMIUM_BIN       a Chromium binary (else Debian's `chromium` package is installed with apt-get)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

section() { printf '\n==================== %s ====================\n' "$*"; }
t0=$(date +%s)
elapsed() { echo "($(( $(date +%s) - t0 ))s elapsed)"; }

section "1/7 DuckDB v1.5.5 (libduckdb.so + signed httpfs extension)"
bash scripts/fetch-duckdb.sh
export DUCKPIPE_DEPS_DIR="${DUCKPIPE_DEPS_DIR:-$HOME/.cache/duckpipe/duckdb-v1.5.5}"
ls -l "$DUCKPIPE_DEPS_DIR"
elapsed

section "2/7 Python venv with the pinned test tools"
VENV="${DUCKPIPE_VENV:-$HOME/.cache/duckpipe/venv}"
if [[ ! -x "$VENV/bin/python" ]]; then
  echo "creating venv $VENV"
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt
"$VENV/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -E -i '^(duckdb|minio|pytest) ' || true
# The newest DuckDB release, for the stock-client check (tests/e2e/test_stock_shells.py).
VENV2="${DUCKPIPE_DUCKDB2_VENV:-$HOME/.cache/duckpipe/venv-duckdb2}"
if [[ ! -x "$VENV2/bin/python" ]]; then
  echo "creating venv $VENV2"
  python3 -m venv "$VENV2"
fi
"$VENV2/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/e2e/requirements-duckdb2.txt
export DUCKPIPE_DUCKDB2_PYTHON="$VENV2/bin/python"
echo "newest duckdb: $("$VENV2/bin/python" -c 'import duckdb; print(duckdb.__version__)')"
elapsed

section "3/7 MinIO server binary"
MINIO_BIN="$(bash scripts/minio.sh install)"
export MINIO_BIN
echo "minio: $MINIO_BIN"
"$MINIO_BIN" --version 2>/dev/null | head -1 || true
elapsed

section "3b/7 headless Chromium (renders the HTML report in tests/e2e/test_report_page.py)"
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium package"
  if [[ $(id -u) -eq 0 ]]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq chromium >/dev/null
fi
export CHROMIUM_BIN="${CHROMIUM_BIN:-$(command -v chromium)}"
"$CHROMIUM_BIN" --version 2>/dev/null | head -1 || true
elapsed

section "3c/7 strace (tests/e2e/test_lake_faults.py checks the fsyncs of a commit with it)"
if ! command -v strace >/dev/null 2>&1; then
  echo "installing Debian's strace package"
  if [[ $(id -u) -eq 0 ]]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq strace >/dev/null
fi
strace -V 2>/dev/null | head -1 || true
elapsed

section "4/7 cargo fmt --check, clippy -D warnings, cargo build --release --all-targets"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/duckpipe/target}"
echo "CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
cargo fmt --check
cargo clippy --release --all-targets -- -D warnings
cargo build --release --all-targets
elapsed

section "5/7 cargo test --release"
cargo test --release
elapsed

section "6/7 end-to-end tests (pytest tests/e2e)"
export DUCKPIPE_BIN="$CARGO_TARGET_DIR/release/duckpipe"
[[ -x "$DUCKPIPE_BIN" ]] || { echo "test.sh: $DUCKPIPE_BIN was not built" >&2; exit 1; }
echo "DUCKPIPE_BIN=$DUCKPIPE_BIN"
"$VENV/bin/python" -m pytest tests/e2e -ra "$@"
elapsed

section "7/7 benchmark smoke run (bench/run.sh --smoke: 20k users, no timing assertions)"
DUCKPIPE_BIN="$DUCKPIPE_BIN" bash bench/run.sh --smoke
elapsed

section "all tests passed"
