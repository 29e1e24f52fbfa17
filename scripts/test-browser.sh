#!/usr/bin/env bash
# The browser proofs of issue 5 in real Chromium: the www demo (Playwright), the Vite app, the Vercel AI SDK
# loop and the no-key grep. Builds the Worker and the browser package first (when their scripts exist); every
# test starts and stops its own `wrangler dev` on free loopback ports. Bounded in time.
# Usage: scripts/test-browser.sh [test files…]   (default: all, in the order below)
# Env: SKIP_BUILD=1 reuses build/ and pkg/; BROWSER_TEST_TIMEOUT (seconds, default 900).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  [ -x node_modules/.bin/wrangler ] || bash scripts/setup.sh npm
  if [ -f scripts/build-worker.sh ]; then step bash scripts/build-worker.sh; fi
  if [ -f scripts/build-browser.sh ]; then step bash scripts/build-browser.sh; fi
fi

cd tests/browser
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/vite ] || [ ! -d node_modules/ai ]; then
  # Not `npm ci` (see TOOLCHAIN.md W5).
  step npm install --no-audit --no-fund --loglevel=error
fi
mkdir -p "$ROOT/target"

run_tests() {
  timeout --signal=INT --kill-after=20 "${BROWSER_TEST_TIMEOUT:-900}" \
    node --test --test-concurrency=1 --test-timeout=180000 --test-reporter=spec "$@"
}
if [ $# -gt 0 ]; then
  step run_tests "$@"
else
  step run_tests demo.spec.mjs vite.test.mjs ai-sdk.test.mjs
  # after vite.test.mjs, so the grep also covers the built Vite apps
  step run_tests no-key.test.mjs
fi
echo "screenshots: $ROOT/target/demo.png $ROOT/target/demo-375.png"
