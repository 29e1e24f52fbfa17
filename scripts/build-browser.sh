#!/usr/bin/env bash
# Builds the browser package into pkg/ (web target) and pkg/bundler/ (bundler target), optimizes
# the wasm with binaryen's wasm-opt (npm binaryen, see TOOLCHAIN.md W2), adds the hand-written
# JS wrapper, TypeScript declarations, README and a generated package.json, mirrors pkg/ into
# www/pkg/, and prints raw and gzip sizes against the 60 KB gzip budget (wasm + JS glue).
# Usage: scripts/build-browser.sh [--no-bundler]   (STRICT_SIZE=1: fail when over budget)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

BUNDLER=1
for a in "$@"; do
  case "$a" in
    --no-bundler) BUNDLER=0 ;;
    *) echo "unknown option: $a" >&2; exit 2 ;;
  esac
done

CRATE=composio_edge
WASM="target/wasm32-unknown-unknown/release/$CRATE.wasm"
BUDGET=$((60 * 1024))

step cargo build --lib --release --target wasm32-unknown-unknown --features browser

rm -rf pkg
step wasm-bindgen --target web --out-dir pkg "$WASM"
if [ "$BUNDLER" = 1 ]; then
  step wasm-bindgen --target bundler --out-dir pkg/bundler "$WASM"
fi

if [ ! -x "${WASM_OPT_BIN:-}" ] && [ -f package.json ]; then
  bash scripts/setup.sh npm || true
fi
# `--flatten --rereloop` first, then -Oz to a fixed point: about -0.5 KB gzip over a plain -Oz
# (binaryen passes, semantics-preserving; js/test and the Chromium tests run on this output).
optimize() {
  "$WASM_OPT_BIN" "$1" --flatten --rereloop -Oz --converge -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$1.opt" && mv "$1.opt" "$1"
}
if [ -x "${WASM_OPT_BIN:-}" ]; then
  # Panic-reporting code only formats messages no one can see here (panic = "abort", no hook):
  # replace it by a trap so wasm-opt drops the formatting it keeps alive (scripts/wasm_snip.py).
  step python3 scripts/wasm_snip.py "pkg/${CRATE}_bg.wasm" "pkg/${CRATE}_bg.wasm"
  step optimize "pkg/${CRATE}_bg.wasm"
  if [ "$BUNDLER" = 1 ]; then
    cp "pkg/${CRATE}_bg.wasm" "pkg/bundler/${CRATE}_bg.wasm"
  fi
else
  echo "warning: wasm-opt not found at ${WASM_OPT_BIN:-<unset>}; the package is NOT optimized" >&2
fi

# Hand-written sources: the public module, its types, the npm README.
cp js/index.js js/index.d.ts js/README.md pkg/
if [ "$BUNDLER" = 1 ]; then
  # The bundler glue instantiates the wasm when imported and has no init function.
  sed -e 's#^import initWasm, { edge } from "./composio_edge.js";#import { edge } from "./composio_edge.js";\
const initWasm = async () => {};#' js/index.js > pkg/bundler/index.js
  grep -q '^const initWasm = async' pkg/bundler/index.js
  cp js/index.d.ts pkg/bundler/
fi
VERSION=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
sed "s/@VERSION@/$VERSION/" js/package.json.in > pkg/package.json
rm -f pkg/.gitignore pkg/bundler/.gitignore

# The package must never learn to take a Composio key.
if grep -rail 'x-api-key\|apikey\|api_key\|composio_api_key' pkg/ | grep -v README.md; then
  echo "error: the browser package mentions an API key header or option" >&2
  exit 1
fi

# Minify the JS (about -4.5 KB gzip); NO_MINIFY=1 keeps it readable.
if [ "${NO_MINIFY:-0}" != 1 ] && [ -x "${ESBUILD_BIN:-}" ]; then
  for f in pkg/${CRATE}.js pkg/index.js pkg/bundler/index.js pkg/bundler/${CRATE}.js pkg/bundler/${CRATE}_bg.js; do
    [ -f "$f" ] || continue
    "$ESBUILD_BIN" "$f" --minify --format=esm --log-level=warning --outfile="$f.min" && mv "$f.min" "$f"
  done
elif [ "${NO_MINIFY:-0}" != 1 ]; then
  echo "note: esbuild not found at ${ESBUILD_BIN:-<unset>}; JS left unminified" >&2
fi

mkdir -p www
rm -rf www/pkg
cp -r pkg www/pkg

size_of() { wc -c < "$1" | tr -d ' '; }
gz_of() { gzip -9 -c "$1" | wc -c | tr -d ' '; }
total_gz=0
printf '%-28s %10s %10s\n' file raw gzip-9
for f in pkg/${CRATE}_bg.wasm pkg/${CRATE}.js pkg/index.js; do
  raw=$(size_of "$f"); gz=$(gz_of "$f"); total_gz=$((total_gz + gz))
  printf '%-28s %10s %10s\n' "${f#pkg/}" "$raw" "$gz"
done
printf '%-28s %10s %10s (budget %s)\n' "total (wasm + JS)" "" "$total_gz" "$BUDGET"
if [ "$total_gz" -gt "$BUDGET" ]; then
  echo "warning: browser package is over the 60 KB gzip budget (set STRICT_SIZE=1 to fail)" >&2
  if [ "${STRICT_SIZE:-0}" = 1 ]; then exit 1; fi
fi
