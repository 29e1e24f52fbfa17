#!/usr/bin/env bash
# Runs the Worker in a real workerd (`wrangler dev --config wrangler.test.toml`) and drives it
# over HTTP with node:test. Builds the Worker first when build/ is missing or older than the
# sources (scripts/build-worker.sh). Then runs the official SDKs (tests/sdk/run.sh) against the
# same Worker under `wrangler dev` (WORKERD_SDK=0 skips them).
# Usage: scripts/test-workerd.sh [test files…]   (default: every tests/workerd test, then the SDKs)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

if [ ! -x node_modules/.bin/wrangler ]; then
  step npm install --no-audit --no-fund --loglevel=error
fi
bash scripts/build-worker.sh # no-op when build/ is up to date
# The plain-HTTP emulator that production.test.mjs uses as the "real" upstream.
step cargo build -q --example emulator_server

if [ $# -gt 0 ]; then
  files=("$@")
else
  files=(tests/workerd/shell.test.mjs tests/workerd/flow.test.mjs tests/workerd/production.test.mjs tests/workerd/idtoken.test.mjs
    tests/workerd/faults.test.mjs)
fi
# Each wrangler/workerd run's whole output lands in target/workerd-logs (for failures).
export WORKERD_TEST_LOGS="${WORKERD_TEST_LOGS:-$ROOT/target/workerd-logs}"
rm -rf "$WORKERD_TEST_LOGS"
# One file at a time keeps the two cores for workerd; each file starts its own wrangler dev.
step node --test --test-concurrency=1 "${files[@]}"

if [ $# -eq 0 ] && [ "${WORKERD_SDK:-1}" = 1 ] && [ -f tests/sdk/run.sh ]; then
  # The official TypeScript and Python SDKs, with their base URL on the Worker (emulator mode).
  step node tests/workerd/with-worker.mjs bash tests/sdk/run.sh
fi
