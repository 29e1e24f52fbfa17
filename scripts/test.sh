#!/usr/bin/env bash
# Runs every test of composio-edge on a fresh machine (does its own set-up).
#   1. gates: formatting, clippy natively and for wasm32 with each feature, docs
#   2. native tests: unit, integration (tests/), doc tests; includes the subrequest budgets
#   3. the Worker in a real workerd (wrangler dev): shell, whole OAuth flow, attacks, restart,
#      concurrency, production mode, and the official TypeScript and Python SDKs against it
#   4. the browser package: wasm-bindgen tests in Node, a Chromium page and a Web Worker
#   5. the demo and the package in Chromium: Playwright, Vite app, Vercel AI SDK loop, no-key grep
#   6. size budgets; 7. a short fuzz run of every target
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
mkdir -p target
# Everything is also kept in target/test-output.log, from which the closing line is counted.
exec > >(tee target/test-output.log) 2>&1
T0=$(date +%s)

step bash scripts/setup.sh

step cargo fmt --all -- --check
step cargo clippy --all-targets -- -D warnings
step cargo clippy --lib --target wasm32-unknown-unknown --features worker -- -D warnings
step cargo clippy --lib --target wasm32-unknown-unknown --features worker,emulator -- -D warnings
step cargo clippy --lib --target wasm32-unknown-unknown --features browser -- -D warnings
RUSTDOCFLAGS="-D warnings" step cargo doc --no-deps --lib

step cargo test

step bash scripts/test-workerd.sh
step bash scripts/build-browser.sh
step bash scripts/test-browser-wasm.sh
step cargo test --target wasm32-unknown-unknown --features browser --test wasm_platform
SKIP_BUILD=1 step bash scripts/test-browser.sh
PRODUCTION=1 step bash scripts/build-worker.sh
# Size budgets (browser package <= 60 KB, production Worker <= 150 KB gzip) are enforced.
# Subrequest budgets are native tests (tests/subrequests.rs).
NO_BUILD=1 step bash scripts/budgets.sh
step bash scripts/fuzz-smoke.sh

echo "all test stages passed in $(( $(date +%s) - T0 ))s"
python3 scripts/summary.py target/test-output.log
