#!/usr/bin/env bash
# The browser package's wasm-bindgen tests in the three hosts: Node, a Chromium page and a
# dedicated Web Worker (no `window`), plus the page-only tests. See TOOLCHAIN.md §4.5 and §8.
# `js` runs the public ES module's tests (js/test/*.test.mjs) in Node against pkg/ (built first).
# Usage: scripts/test-browser-wasm.sh [node|browser|worker|page|js]...  (no args = all)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

modes=("$@")
[ ${#modes[@]} -eq 0 ] && modes=(node browser worker page js)

# A fresh Chromium profile per run (TOOLCHAIN.md §4.5).
PROFILE_DIR=$(mktemp -d -t wbt-chromium.XXXXXX)
trap 'rm -rf "$PROFILE_DIR" webdriver.json' EXIT
cat > webdriver.json <<JSON
{ "goog:chromeOptions": { "binary": "/usr/bin/chromium",
  "args": ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--user-data-dir=$PROFILE_DIR"] } }
JSON

run() { step cargo test --target wasm32-unknown-unknown --features browser "$@"; }
for m in "${modes[@]}"; do
  case "$m" in
    node) run --test wasm_shared ;;
    browser) WASM_BINDGEN_USE_BROWSER=1 run --test wasm_shared ;;
    worker) WASM_BINDGEN_USE_DEDICATED_WORKER=1 run --test wasm_shared ;;
    page) run --test wasm_browser ;;
    js)
      [ -f pkg/index.js ] || step bash scripts/build-browser.sh --no-bundler
      step node --test js/test/wrapper.test.mjs
      if command -v tsc >/dev/null; then
        step tsc --noEmit --strict --target es2022 --module es2022 --moduleResolution bundler \
          --lib es2022,dom js/test/usage.ts
      else
        echo "note: tsc not installed; skipping the type-level test of js/index.d.ts"
      fi
      ;;
    *) echo "unknown mode: $m" >&2; exit 2 ;;
  esac
done
