#!/usr/bin/env bash
# Runs a command with a throwaway redis-server on loopback, its address in
# CLERKKIT_REDIS_ADDR, for the Redis token cache's tests. Installs the
# Debian package redis-server when it is missing, starts the server on a
# free port without persistence, and stops it when the command ends,
# whatever its outcome. Outside CI, a machine that cannot install it runs
# the command without Redis (those tests then skip); in CI that is an error.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi
  echo "with-redis: installing redis-server" >&2
  if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } >&2; then
    if [ "${CI:-}" = true ]; then
      echo "with-redis: cannot install redis-server" >&2
      exit 1
    fi
    echo "with-redis: cannot install redis-server; running without Redis" >&2
    exec "$@"
  fi
fi

dir=$(mktemp -d)
stop() {
  if [ -s "$dir/redis.pid" ]; then
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$dir"
}
trap stop EXIT

port=""
for _ in $(seq 20); do
  try=$((20000 + RANDOM % 40000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$try") 2>/dev/null; then continue; fi # taken
  redis-server --bind 127.0.0.1 --port "$try" --save '' --appendonly no \
    --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 50); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$try" ping 2>/dev/null)" = PONG ]; then port=$try; break; fi
    sleep 0.1
  done
  [ -n "$port" ] && break
  stop; dir=$(mktemp -d)
done
if [ -z "$port" ]; then
  echo "with-redis: redis-server did not start" >&2
  exit 1
fi

echo "with-redis: redis-server on 127.0.0.1:$port" >&2
export CLERKKIT_REDIS_ADDR="127.0.0.1:$port"
"$@"
