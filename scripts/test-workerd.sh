#!/usr/bin/env bash
# Runs the Worker in a real workerd (`wrangler dev --config wrangler.test.toml`) and drives it
# over HTTP with node:test. Builds the Worker first when build/ is missing or older than the
# sources (scripts/build-worker.sh). Usage: scripts/test-workerd.sh [test files…]   (default: every tests/workerd test)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

if [ ! -x node_modules/.bin/wrangler ]; then
  step npm install --no-audit --no-fund --loglevel=error
fi
bash scripts/build-worker.sh # no-op when build/ is up to date

if [ $# -gt 0 ]; then
  files=("$@")
else
  files=(tests/workerd/shell.test.mjs tests/workerd/flow.test.mjs)
fi
# Each wrangler/workerd run's whole output lands in target/workerd-logs (for failures).
export WORKERD_TEST_LOGS="${WORKERD_TEST_LOGS:-$ROOT/target/workerd-logs}"
rm -rf "$WORKERD_TEST_LOGS"
# One file at a time keeps the two cores for workerd; each file starts its own wrangler dev.
step node --test --test-concurrency=1 "${files[@]}"
