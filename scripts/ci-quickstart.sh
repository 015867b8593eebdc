#!/usr/bin/env bash
# Runs `make run` on its own (the embedded quick start, no DATABASE_URL nor REDIS_URL) until
# /healthz answers 200, then stops it. Fails when it does not answer within the time allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${QUICKSTART_CHECK_PORT:-8000}"
log="$(mktemp)"
setsid env -u DATABASE_URL -u REDIS_URL make run PORT="$port" >"$log" 2>&1 &
pid=$!
stop() { kill -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 600); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    grep -q "buyer@demo.test" "$log" || { echo "make run printed no demo logins"; cat "$log"; exit 1; }
    echo "make run: /healthz answered 200 and the demo logins were printed"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "make run stopped before /healthz answered:"; cat "$log"; exit 1
  fi
  sleep 1
done
echo "make run: /healthz did not answer within 10 minutes:"; cat "$log"; exit 1
