#!/usr/bin/env bash
# The benchmark: size, start-up, subrequests, edge overhead and throughput, core micro-benchmarks,
# side by side with the official @composio/core SDK. Prints one table, writes
# target/bench/results.json (+ table.md) and bench/chart.svg. Takes about 5–8 minutes.
#
#   bash scripts/bench.sh                 # everything
#   BENCH_DURATION=5 BENCH_ROUNDS=9 bash scripts/bench.sh
#   BENCH_SKIP="load wasm" bash scripts/bench.sh   # skip parts: size startup subrequests load native wasm
#   BENCH_SERVER=wrangler bash scripts/bench.sh    # load test through `wrangler dev` instead of Miniflare
#
# Timings are reported as ratios to a baseline measured in the same run (an empty Worker, the
# upstream called directly, serde_json parsing the same bytes); they never fail. The deterministic
# budgets (sizes, subrequests) are enforced by the test command, not here.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

OUT=target/bench
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-9}
CONNECTIONS=${BENCH_CONNECTIONS:-4}
SKIP=" ${BENCH_SKIP:-} "
skip() { [[ "$SKIP" == *" $1 "* ]]; }
mkdir -p "$OUT"
T0=$(date +%s)
cut -d' ' -f1-3 /proc/loadavg > "$OUT/loadavg-start" # other work on the machine skews every timing
echo "bench: load average at the start $(cat "$OUT/loadavg-start")" >&2
WRANGLER=bench/baseline/node_modules/.bin/wrangler

# Set-up: the toolchain (cached when present) and the baseline's own npm project.
bash scripts/setup.sh rust tools npm >&2
if [ ! -x "$WRANGLER" ] || [ bench/baseline/package.json -nt bench/baseline/node_modules/.package-lock.json ]; then
  (cd bench/baseline && npm install --no-audit --no-fund --loglevel=error) >&2
fi
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }

# Builds (each skips what is up to date). The Worker last, so cargo's own output (with function
# names, before wasm-opt) is the Worker's when budgets.sh names the largest contributors.
RAW=target/wasm32-unknown-unknown/release/composio_edge.wasm
if [ -f scripts/build-browser.sh ]; then step bash scripts/build-browser.sh --no-bundler >&2; fi
# The production Worker (no embedded emulator, into build-prod/) is the budgeted one when the
# build script makes it; the default build last.
if grep -q PRODUCTION scripts/build-worker.sh; then step env PRODUCTION=1 bash scripts/build-worker.sh >&2; fi
step bash scripts/build-worker.sh >&2
if ! grep -aq '8platform6worker' "$RAW" 2>/dev/null; then
  step cargo build --lib --release --target wasm32-unknown-unknown --features worker,emulator >&2
fi
step cargo build --release --example emulator_server --example bench_core >&2

dry_run() { # dir config outdir [wrangler flags]
  local dir=$1 config=$2 outdir=$3
  shift 3
  (cd "$dir" && "$ROOT/$WRANGLER" deploy --dry-run --outdir "$outdir" --config "$config" "$@" 2>&1) |
    grep -o 'Total Upload: .*' || true
}
DRY=$(mktemp -d -t bench-dry.XXXXXX)
trap 'rm -rf "$DRY"' EXIT
mkdir -p www

# 1. Size: the budgets (measured, not enforced here) and the baseline Worker bundle.
if ! skip size; then
  echo "::: size" >&2
  NO_BUILD=1 bash scripts/budgets.sh > "$OUT/budgets.txt" 2>&1 || echo "bench: over a size budget (see $OUT/budgets.txt)" >&2
  base_min=$(dry_run bench/baseline wrangler.toml "$DRY/baseline" --minify)
  base_def=$(dry_run bench/baseline wrangler.toml "$DRY/baseline-default")
  python3 - "$base_min" "$base_def" > "$OUT/baseline-size.json" <<'PY'
import json, re, sys
def parse(s):
    m = re.search(r"Total Upload: ([\d.]+) KiB / gzip: ([\d.]+) KiB", s)
    return (round(float(m.group(1)) * 1024), round(float(m.group(2)) * 1024)) if m else (None, None)
a, b = parse(sys.argv[1]), parse(sys.argv[2])
print(json.dumps({"minified_raw": a[0], "minified_gzip": a[1], "default_raw": b[0], "default_gzip": b[1],
                  "what": "bench/baseline: a Worker importing @composio/core 0.21.0 and creating a client"}))
PY
fi

# 2. Start-up: interleaved rounds of fresh workerd instances (Miniflare), ours/baseline/empty.
if ! skip startup; then
  echo "::: start-up ($ROUNDS rounds)" >&2
  dry_run . wrangler.test.toml "$DRY/ours" >/dev/null
  [ -d "$DRY/baseline" ] || dry_run bench/baseline wrangler.toml "$DRY/baseline" --minify >/dev/null
  dry_run bench/empty wrangler.toml "$DRY/empty" >/dev/null
  node bench/startup.mjs --rounds "$ROUNDS" --out "$OUT/startup.json" \
    --worker "ours=$DRY/ours" --worker "baseline=$DRY/baseline" --worker "empty=$DRY/empty" >&2
fi

# 3. Subrequests: the budget tests (also part of the test command).
SUB=skipped
if ! skip subrequests; then
  echo "::: subrequests" >&2
  if cargo test -q --test subrequests >"$OUT/subrequests.txt" 2>&1; then SUB="pass"; else SUB="FAIL"; fi
fi

# 4. Core micro-benchmarks, native and wasm32 under Node.
if ! skip native; then
  echo "::: core micro-benchmarks (native)" >&2
  ./target/release/examples/bench_core --json > "$OUT/core-native.json"
fi
if ! skip wasm; then
  echo "::: core micro-benchmarks (wasm32 under Node)" >&2
  cargo test --release --target wasm32-unknown-unknown --test wasm_bench -- --include-ignored --nocapture \
    > "$OUT/core-wasm.txt" 2>&1 || { tail -20 "$OUT/core-wasm.txt" >&2; echo "bench: wasm micro-benchmarks failed" >&2; }
  grep -o 'BENCH_JSON .*' "$OUT/core-wasm.txt" | head -1 | sed 's/^BENCH_JSON //' > "$OUT/core-wasm.json" || true
  [ -s "$OUT/core-wasm.json" ] || rm -f "$OUT/core-wasm.json"
fi

# 5. Edge overhead and throughput (wrk, bounded: 6 runs of $DURATION s).
if ! skip load; then
  echo "::: load (${DURATION}s per case, $CONNECTIONS connections)" >&2
  python3 bench/load.py --duration "$DURATION" --connections "$CONNECTIONS" --server "${BENCH_SERVER:-miniflare}" \
    --out "$OUT/load.json" >&2
fi

echo >&2
python3 bench/report.py --dir "$OUT" --chart bench/chart.svg --subrequests "$SUB"
echo "bench: done in $(($(date +%s) - T0)) s; load average at the start $(cat "$OUT/loadavg-start"), at the end $(cut -d' ' -f1-3 /proc/loadavg)"
