#!/usr/bin/env bash
# Builds the Cloudflare Worker into build/ (index.js + index_bg.wasm) with worker-build, using the
# pinned local wasm-bindgen, npm's binaryen wasm-opt and npm's esbuild (nothing is downloaded).
# Prints the wasm size (raw and gzip -9). Needs scripts/setup.sh to have run.
# Skips the build when no source changed since the last good build started; FORCE=1 rebuilds.
# worker-build keeps the wasm name section (`wasm-opt --debuginfo`, ~20% of the file); it is
# stripped afterwards unless KEEP_NAMES=1 (function names in Worker stack traces), in a second
# wasm-opt pass that also optimizes once more (`--gufa -Oz`: about -1.8 KB gzip) and drops the code
# of the exports scripts/worker_prune.py removed.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
for bin in worker-build wasm-bindgen "$WASM_OPT_BIN" "$ESBUILD_BIN"; do
  if ! command -v "$bin" >/dev/null; then
    echo "build-worker: $bin is missing; run: bash scripts/setup.sh" >&2
    exit 1
  fi
done
# PRODUCTION=1 builds the Worker users deploy with a key (no embedded emulator) into build-prod/;
# the default build (dev, tests, demo) embeds the emulator. OUT=dir writes elsewhere (wrangler.toml's
# [build] command: `npx wrangler deploy` ships exactly the production build measured here).
if [ "${PRODUCTION:-0}" = 1 ]; then
  out=${OUT:-build-prod}
  features=worker
else
  out=${OUT:-build}
  features=worker,emulator
fi
wasm=$out/index_bg.wasm
# The stamp records when the last good build *started* (an edit made during a build still counts
# as newer than the build) and holds the features it was built with.
mkdir -p target
stamp=target/worker-build-$out.stamp
if [ "${FORCE:-0}" != 1 ] && [ -f "$out/index.js" ] && [ -f "$wasm" ] && [ -f "$stamp" ] &&
  [ "$(cat "$stamp")" = "$features" ] &&
  [ -z "$(find src Cargo.toml Cargo.lock scripts/build-worker.sh scripts/worker_prune.py scripts/wasm_snip.py \
    -newer "$stamp" -print -quit)" ]; then
  echo "build-worker: $out/ is up to date (FORCE=1 rebuilds)"
else
  echo "$features" >"$stamp.next"
  # Unminified, so scripts/worker_prune.py can drop the wasm-bindgen classes of dependencies this
  # Worker never uses (R2Range, MinifyConfig, ContainerStartupOptions, wasm-streams' sources and
  # sinks: about 4.4 KB gzip) from the JS and the wasm; esbuild minifies afterwards.
  NO_MINIFY=1 step worker-build --release --out-dir "$out" --features "$features"
  python3 scripts/worker_prune.py "$out/index.js" "$wasm" --keep UserObject,EmulatorObject
  (cd "$out" && "$ESBUILD_BIN" index.js --bundle --format=esm --minify --log-level=warning \
    --external:./index_bg.wasm '--external:cloudflare:*' --outfile=index.min.js)
  mv "$out/index.min.js" "$out/index.js"
  if [ "$features" = worker ] && [ "${KEEP_PANIC_MESSAGES:-0}" != 1 ]; then
    # Production: a panic traps without formatting its message (about 4.5 KB gzip of panic
    # machinery). It is still caught and the instance still reinitialized (worker-build's panic
    # recovery sees the trap), and workerd logs "Critical RuntimeError: unreachable" with the wasm
    # stack. To read the message, rebuild the same commit with KEEP_PANIC_MESSAGES=1 KEEP_NAMES=1.
    python3 scripts/wasm_snip.py "$wasm" "$wasm.snipped"
    mv "$wasm.snipped" "$wasm"
  fi
  strip=(--strip-debug --strip-producers)
  [ "${KEEP_NAMES:-0}" = 1 ] && strip=(--debuginfo)
  # worker-build's explicit feature list (not --all-features: newer binaryen encodings, e.g.
  # compact imports, make workerd fail with "unknown import kind").
  "$WASM_OPT_BIN" "$wasm" --enable-mutable-globals --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-bulk-memory --enable-multivalue \
    --enable-reference-types --enable-exception-handling \
    --gufa -Oz "${strip[@]}" -o "$wasm.stripped"
  mv "$wasm.stripped" "$wasm"
  mv "$stamp.next" "$stamp"
fi
raw=$(wc -c < "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
echo "build-worker: $wasm is $raw bytes, $gz bytes gzipped (features: $features)"
