#!/usr/bin/env bash
# A local MinIO server for development and the end-to-end tests (no Docker needed).
#
#   scripts/minio.sh install               find `minio`, or build it with `go install` (Go module proxy)
#   scripts/minio.sh path                  print the path of the minio binary (fails if there is none)
#   scripts/minio.sh start PORT DATA_DIR   start on 127.0.0.1:PORT and wait until it is ready
#   scripts/minio.sh stop DATA_DIR         stop the server started with that DATA_DIR
#
# Layout of DATA_DIR (made by `start`):  data/ (the object store), minio.pid, minio.log, minio.console-port
#
# Environment:
#   MINIO_BIN                              use this binary (else: `minio` on PATH, $GOBIN/minio, $(go env GOPATH)/bin/minio, ~/go/bin/minio)
#   MINIO_VERSION                          module version for `install` (default: latest)
#   MINIO_ROOT_USER / MINIO_ROOT_PASSWORD  credentials (default: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when set,
#                                          e.g. after `set -a; . ./.env; set +a`, else duckpipe / duckpipe-secret —
#                                          the local credentials of .env.example and docker-compose.yml)
#   MINIO_CONSOLE_PORT                     console port (default: a free port on 127.0.0.1; the console UI is disabled anyway)
#   MINIO_START_TIMEOUT                    seconds to wait for /minio/health/ready (default: 60)
set -euo pipefail

die() { echo "minio.sh: $*" >&2; exit 1; }

find_minio() {
  local c gopath
  if [[ -n "${MINIO_BIN:-}" ]]; then
    [[ -x "$MINIO_BIN" ]] || die "MINIO_BIN=$MINIO_BIN is not an executable"
    echo "$MINIO_BIN"; return 0
  fi
  if c="$(command -v minio 2>/dev/null)" && [[ -n "$c" ]]; then echo "$c"; return 0; fi
  if [[ -n "${GOBIN:-}" && -x "$GOBIN/minio" ]]; then echo "$GOBIN/minio"; return 0; fi
  if command -v go >/dev/null 2>&1; then
    gopath="$(go env GOPATH 2>/dev/null || true)"
    gopath="${gopath%%:*}"
    if [[ -n "$gopath" && -x "$gopath/bin/minio" ]]; then echo "$gopath/bin/minio"; return 0; fi
  fi
  if [[ -x "$HOME/go/bin/minio" ]]; then echo "$HOME/go/bin/minio"; return 0; fi
  return 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

http_ok() { # url -> 0 when it answers 2xx
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null
  else
    python3 - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)
PY
  fi
}

cmd_install() {
  local bin start end version
  if bin="$(find_minio)"; then
    echo "minio.sh: using existing $bin" >&2
    echo "$bin"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "no minio binary and no Go toolchain to build one (install Go, or set MINIO_BIN)"
  if pgrep -f "go install github.com/minio/minio" >/dev/null 2>&1; then
    echo "minio.sh: a 'go install github.com/minio/minio' is already running; waiting for it" >&2
    while pgrep -f "go install github.com/minio/minio" >/dev/null 2>&1; do sleep 5; done
    if bin="$(find_minio)"; then echo "$bin"; return 0; fi
  fi
  version="${MINIO_VERSION:-latest}"
  echo "minio.sh: building minio with 'go install github.com/minio/minio@$version' (this takes several minutes on 2 cores)" >&2
  start=$(date +%s)
  go install "github.com/minio/minio@$version" >&2
  end=$(date +%s)
  echo "minio.sh: go install took $((end - start))s" >&2
  bin="$(find_minio)" || die "go install finished but no minio binary was found (GOBIN=${GOBIN:-}, GOPATH=$(go env GOPATH))"
  echo "$bin"
}

cmd_path() {
  find_minio || die "no minio binary found; run: scripts/minio.sh install"
}

# Alive = exists and is not a zombie (a killed server whose parent never reaped it is gone).
pid_alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null || return 1
  [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "Z" ]]
}

cmd_start() {
  [[ $# -eq 2 ]] || die "usage: minio.sh start PORT DATA_DIR"
  local port="$1" dir="$2" bin cport pid timeout deadline
  [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
  bin="$(cmd_path)"
  mkdir -p "$dir/data"
  dir="$(cd "$dir" && pwd)"
  if [[ -f "$dir/minio.pid" ]] && pid_alive "$(cat "$dir/minio.pid")"; then
    die "a minio server (pid $(cat "$dir/minio.pid")) already runs for $dir; stop it first"
  fi
  cport="${MINIO_CONSOLE_PORT:-$(free_port)}"
  # One set of local credentials: the ones duckpipe is given (.env), else .env.example's.
  export MINIO_ROOT_USER="${MINIO_ROOT_USER:-${AWS_ACCESS_KEY_ID:-duckpipe}}"
  export MINIO_ROOT_PASSWORD="${MINIO_ROOT_PASSWORD:-${AWS_SECRET_ACCESS_KEY:-duckpipe-secret}}"
  export MINIO_BROWSER=off              # no web console
  export MINIO_UPDATE=off               # never phone home
  export MINIO_CI_CD=1                  # relaxed checks for test/CI use
  echo "$cport" >"$dir/minio.console-port"
  nohup "$bin" server "$dir/data" \
    --address "127.0.0.1:$port" \
    --console-address "127.0.0.1:$cport" \
    --quiet >"$dir/minio.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/minio.pid"
  timeout="${MINIO_START_TIMEOUT:-60}"
  deadline=$(( $(date +%s) + timeout ))
  until http_ok "http://127.0.0.1:$port/minio/health/ready"; do
    if ! pid_alive "$pid"; then
      echo "minio.sh: minio exited during start-up; its log:" >&2
      cat "$dir/minio.log" >&2 || true
      rm -f "$dir/minio.pid"
      exit 1
    fi
    if (( $(date +%s) >= deadline )); then
      echo "minio.sh: minio not ready after ${timeout}s; its log:" >&2
      cat "$dir/minio.log" >&2 || true
      kill "$pid" 2>/dev/null || true
      rm -f "$dir/minio.pid"
      exit 1
    fi
    sleep 0.3
  done
  echo "minio.sh: ready on http://127.0.0.1:$port (pid $pid, data $dir/data, log $dir/minio.log)" >&2
}

cmd_stop() {
  [[ $# -eq 1 ]] || die "usage: minio.sh stop DATA_DIR"
  local dir="$1" pid i
  if [[ ! -f "$dir/minio.pid" ]]; then
    echo "minio.sh: no pid file in $dir; nothing to stop" >&2
    return 0
  fi
  pid="$(cat "$dir/minio.pid")"
  if pid_alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      pid_alive "$pid" || break
      sleep 0.2
    done
    if pid_alive "$pid"; then
      echo "minio.sh: pid $pid did not stop on TERM; sending KILL" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/minio.pid"
  echo "minio.sh: stopped (pid $pid)" >&2
}

case "${1:-}" in
  install) shift; cmd_install "$@" ;;
  path)    shift; cmd_path "$@" ;;
  start)   shift; cmd_start "$@" ;;
  stop)    shift; cmd_stop "$@" ;;
  *) sed -n '2,18p' "$0" >&2; exit 2 ;;
esac
