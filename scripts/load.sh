#!/usr/bin/env bash
# Load run: starts an example server offline (its built-in Clerk emulator
# stands in for Clerk), drives it with wrk over loopback with a valid,
# refreshed session token, and reports requests/s, p50/p99 latency, the
# non-2xx count and the server's RSS early in the run and at its end.
#
# Scenarios, each on a fresh server process:
#   get-token, cache off   GET /api/get-token-example  (mints from the template "test")
#   get-token, cache on    the same with TOKEN_CACHE_SIZE=1024
#   authenticate only      GET /api/session
#
# Settings (environment):
#   LOAD_SECONDS      length of each wrk run (default 60)
#   LOAD_RSS_AT       when the early RSS sample is taken, seconds (default 10)
#   LOAD_THREADS      wrk threads (default 2)
#   LOAD_CONNECTIONS  wrk connections (default 16)
#   LOAD_EXAMPLE      gin, echo, echov5, fiber or fiberv3 (default gin)
#   LOAD_CHECK        1: fail on any non-2xx or socket error, or on RSS
#                     growth from the early sample to the end above
#                     LOAD_MAX_RSS_GROWTH_KB (default 16384)
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${LOAD_SECONDS:-60}
rss_at=${LOAD_RSS_AT:-10}
threads=${LOAD_THREADS:-2}
conns=${LOAD_CONNECTIONS:-16}
example=${LOAD_EXAMPLE:-gin}
check=${LOAD_CHECK:-0}
max_growth_kb=${LOAD_MAX_RSS_GROWTH_KB:-16384}

if ! command -v wrk >/dev/null; then
  echo "load: wrk is not installed (Debian package wrk; make load installs it)" >&2
  exit 1
fi

work=$(mktemp -d)
server_pid=""
refresher_pid=""
cleanup() {
  [ -n "$refresher_pid" ] && kill "$refresher_pid" 2>/dev/null || true
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/server" "./examples/$example"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# start_server CACHE_SIZE: starts the example offline on a free loopback
# port and sets server_pid and base.
start_server() {
  env -u CLERK_SECRET_KEY -u CLERK_JWT_KEY -u CLERK_PUBLISHABLE_KEY -u CLERK_API_URL -u REDIS_URL \
    PORT=0 TOKEN_CACHE_SIZE="$1" "$work/server" >"$work/banner" 2>/dev/null &
  server_pid=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's|^Listening on http://[^:]*:\([0-9]*\).*|\1|p' "$work/banner")
    [ -n "$port" ] && break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "load: the $example example did not start" >&2
    exit 1
  fi
  base="http://127.0.0.1:$port"
  # Session tokens live 60 s: keep a fresh one where load.lua reads it.
  (while kill -0 "$server_pid" 2>/dev/null; do
    curl -fsS "$base/offline/session-token" -o "$work/token.next" && mv "$work/token.next" "$work/token"
    sleep 10
  done) &
  refresher_pid=$!
  for _ in $(seq 50); do [ -s "$work/token" ] && break; sleep 0.1; done
}

stop_server() {
  kill "$refresher_pid" 2>/dev/null || true
  wait "$refresher_pid" 2>/dev/null || true
  refresher_pid=""
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  rm -f "$work/token"
}

failed=0
# scenario NAME CACHE_SIZE PATH
scenario() {
  local name=$1 cache=$2 path=$3
  start_server "$cache"
  # A one-second warm-up, so the first key set fetch and connection set-up
  # are not in the figures.
  TOKEN_FILE="$work/token" wrk -t"$threads" -c"$conns" -d1s -s scripts/load.lua "$base$path" >/dev/null
  TOKEN_FILE="$work/token" wrk -t"$threads" -c"$conns" -d"${secs}s" -s scripts/load.lua "$base$path" >"$work/wrk.out" &
  local wrk_pid=$!
  sleep "$rss_at"
  local rss_early rss_end
  rss_early=$(rss_kb "$server_pid")
  wait "$wrk_pid"
  rss_end=$(rss_kb "$server_pid")
  local line
  line=$(grep '^LOAD ' "$work/wrk.out") || { cat "$work/wrk.out" >&2; exit 1; }
  printf '%-26s %s rss_%ss_kb=%s rss_end_kb=%s\n' "$name" "${line#LOAD }" "$rss_at" "$rss_early" "$rss_end"
  stop_server
  if [ "$check" = 1 ]; then
    local non2xx socket growth
    non2xx=$(sed -n 's/.* non2xx=\([0-9]*\).*/\1/p' <<<"$line")
    socket=$(sed -n 's/.* socket_errors=\([0-9]*\).*/\1/p' <<<"$line")
    growth=$((rss_end - rss_early))
    if [ "$non2xx" != 0 ] || [ "$socket" != 0 ]; then
      echo "load: $name: $non2xx non-2xx answers, $socket socket errors" >&2
      failed=1
    fi
    if [ "$growth" -gt "$max_growth_kb" ]; then
      echo "load: $name: RSS grew by ${growth} KiB, above ${max_growth_kb} KiB" >&2
      failed=1
    fi
  fi
}

echo "load: $example example offline, wrk -t$threads -c$conns for ${secs}s per scenario on $(nproc) CPUs, $(date -u +%F)"
scenario "get-token, cache off" 0 /api/get-token-example
scenario "get-token, cache on" 1024 /api/get-token-example
scenario "authenticate only" 0 /api/session
exit "$failed"
