#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh machine. Idempotent and cheap when
# already done. Usage: scripts/setup.sh [rust] [tools] [npm] [chromium] [python]  (no args = all)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

want() { [ $# -eq 0 ] || return 0; }
parts=("$@")
has() { [ ${#parts[@]} -eq 0 ] && return 0; local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

if has rust; then
  step rustup target add wasm32-unknown-unknown
fi
if has tools; then
  step cargo install worker-build@"$WORKER_BUILD_VERSION" --locked
  # Not --locked: its lockfile pins a webpki-roots the registry here does not serve.
  step cargo install wasm-bindgen-cli@"$WASM_BINDGEN_VERSION"
  [ "$(wasm-bindgen --version)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ]
fi
if has chromium; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    step apt-get update -qq
    step env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
if has npm && [ -f package.json ]; then
  # Not `npm ci`: the registry here lacks some platform builds the lockfile would name.
  step npm install --no-audit --no-fund --loglevel=error
fi
if has python && [ -f tests/sdk/requirements.txt ]; then
  if [ ! -x target/venv/bin/python ]; then
    step python3 -m venv target/venv
  fi
  step target/venv/bin/pip install -q -r tests/sdk/requirements.txt
  step target/venv/bin/pip install -q --no-deps composio==0.30.0 composio-client==2.0.0rc19
fi
