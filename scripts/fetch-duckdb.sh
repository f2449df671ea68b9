#!/usr/bin/env bash
# Provide the DuckDB engine and its signed httpfs extension OFFLINE-READY, from package registries.
#
#   scripts/fetch-duckdb.sh [DIR]      (default: $DUCKPIPE_DEPS_DIR or ~/.cache/duckpipe/duckdb-v1.5.5)
#
# Puts two official, unmodified DuckDB v1.5.5 binaries into DIR:
#   libduckdb.so               from the npm package @duckdb/node-bindings-linux-x64@1.5.5-r.5
#   httpfs.duckdb_extension    from the PyPI wheel duckdb-extension-httpfs==1.5.5 (signed by DuckDB)
# Both archives are checked against pinned SHA-256 sums. build.rs calls this when the files are
# missing, so `cargo build` works on a fresh machine; at run time duckpipe downloads nothing.
set -euo pipefail

DIR="${1:-${DUCKPIPE_DEPS_DIR:-$HOME/.cache/duckpipe/duckdb-v1.5.5}}"
NPM_PKG="@duckdb/node-bindings-linux-x64@1.5.5-r.5"
NPM_SHA256="86d2bda909785550e8a14a57a8a4584827aff0e268d8f1a58c3fd48559f7020e"
WHEEL_REQ="duckdb-extension-httpfs==1.5.5"
WHEEL_SHA256="84913dbe172ccb54368de2c4a020c38ca8b0e76f99df548f7fac37934cc7826f"

if [[ -f "$DIR/libduckdb.so" && -f "$DIR/httpfs.duckdb_extension" ]]; then
  exit 0
fi
mkdir -p "$DIR"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

check_sum() { # file expected
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  if [[ "$got" != "$2" ]]; then
    echo "fetch-duckdb: checksum mismatch for $(basename "$1"): got $got, expected $2" >&2
    exit 1
  fi
}

if [[ ! -f "$DIR/libduckdb.so" ]]; then
  echo "fetch-duckdb: fetching libduckdb.so v1.5.5 ($NPM_PKG)" >&2
  (cd "$work" && npm pack --silent "$NPM_PKG" >/dev/null)
  tgz="$(ls "$work"/*.tgz)"
  check_sum "$tgz" "$NPM_SHA256"
  tar -xzf "$tgz" -C "$work" package/libduckdb.so
  mv "$work/package/libduckdb.so" "$DIR/libduckdb.so.part" && mv "$DIR/libduckdb.so.part" "$DIR/libduckdb.so"
fi

if [[ ! -f "$DIR/httpfs.duckdb_extension" ]]; then
  echo "fetch-duckdb: fetching signed httpfs v1.5.5 ($WHEEL_REQ)" >&2
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work" "$WHEEL_REQ"
  whl="$(ls "$work"/*.whl)"
  check_sum "$whl" "$WHEEL_SHA256"
  python3 - "$whl" "$DIR/httpfs.duckdb_extension.part" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("duckdb_extension_httpfs/extensions/v1.5.5/httpfs.duckdb_extension"))
PY
  mv "$DIR/httpfs.duckdb_extension.part" "$DIR/httpfs.duckdb_extension"
fi
echo "fetch-duckdb: ready in $DIR" >&2
