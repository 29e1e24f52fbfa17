#!/usr/bin/env bash
# Builds the Cloudflare Worker into build/ (index.js + index_bg.wasm) with worker-build, using the
# pinned local wasm-bindgen, npm's binaryen wasm-opt and npm's esbuild (nothing is downloaded).
# Prints the wasm size (raw and gzip -9). Needs scripts/setup.sh to have run.
# Skips the build when build/ is newer than every source; FORCE=1 always rebuilds.
# worker-build keeps the wasm name section (`wasm-opt --debuginfo`, ~20% of the file); it is
# stripped afterwards unless KEEP_NAMES=1 (function names in Worker stack traces).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
for bin in worker-build wasm-bindgen "$WASM_OPT_BIN" "$ESBUILD_BIN"; do
  if ! command -v "$bin" >/dev/null; then
    echo "build-worker: $bin is missing; run: bash scripts/setup.sh" >&2
    exit 1
  fi
done
wasm=build/index_bg.wasm
if [ "${FORCE:-0}" != 1 ] && [ -f build/index.js ] && [ -f "$wasm" ] &&
  [ -z "$(find src Cargo.toml Cargo.lock -newer "$wasm" -print -quit)" ]; then
  echo "build-worker: build/ is up to date (FORCE=1 rebuilds)"
else
  step worker-build --release --features worker
  if [ "${KEEP_NAMES:-0}" != 1 ]; then
    # worker-build's explicit feature list (not --all-features: newer binaryen encodings, e.g.
    # compact imports, make workerd fail with "unknown import kind").
    "$WASM_OPT_BIN" "$wasm" --enable-mutable-globals --enable-sign-ext \
      --enable-nontrapping-float-to-int --enable-bulk-memory --enable-multivalue \
      --enable-reference-types --enable-exception-handling \
      --strip-debug --strip-producers -o "$wasm.stripped"
    mv "$wasm.stripped" "$wasm"
  fi
fi
raw=$(wc -c < "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "build-worker: $wasm is $raw bytes, $gz bytes gzipped (budget 153600)"
