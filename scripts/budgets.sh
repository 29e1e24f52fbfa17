#!/usr/bin/env bash
# Deterministic size budgets, enforced by the test command (timings never are; see scripts/bench.sh).
#
#   bash scripts/budgets.sh            # builds what is missing or stale, measures, exits 1 if over
#   NO_BUILD=1 bash scripts/budgets.sh # measure the existing build/ and pkg/ only
#
# Budgets (gzip, 1 KB = 1024 bytes):
#   browser package: pkg/*.wasm + pkg/*.js (the JS glue; .d.ts and package.json are not shipped)  ≤ 60 KB
#   Worker bundle:   what `wrangler deploy --dry-run` would upload (its own "gzip:" figure)         ≤ 150 KB
# Both are met and enforced: over budget exits 1, even under REPORT_ONLY=1 (see below).
# Prints a table and the largest contributors (wasm name-section breakdown, bench/wasm_sizes.py),
# writes target/bench/budgets.json. The subrequest budgets are native tests (tests/subrequests.rs).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

BROWSER_BUDGET=$((60 * 1024))
WORKER_BUDGET=$((150 * 1024))
# Ratchets, which fail even with REPORT_ONLY=1. Both budgets are met, so both ratchets are the
# budgets themselves: REPORT_ONLY=1 (for a local look at a build over budget) cannot hide a size
# that grew past one.
BROWSER_CEILING=$BROWSER_BUDGET
WORKER_CEILING=$WORKER_BUDGET
OUT=target/bench
mkdir -p "$OUT"

if [ "${NO_BUILD:-0}" != 1 ]; then
  [ -f scripts/build-worker.sh ] && bash scripts/build-worker.sh >&2
  [ -f scripts/build-worker.sh ] && PRODUCTION=1 bash scripts/build-worker.sh >&2
  [ -f scripts/build-browser.sh ] && bash scripts/build-browser.sh >&2
fi

WRANGLER="$ROOT/node_modules/.bin/wrangler"
[ -x "$WRANGLER" ] || WRANGLER="$ROOT/bench/baseline/node_modules/.bin/wrangler"
CONFIG=wrangler.test.toml
[ -f "$CONFIG" ] || CONFIG=wrangler.toml

# Measure what exists; anything missing fails the check (and is reported as MISSING).
fail=0
have_worker=1
if ! { [ -f build/index.js ] && [ -f build/index_bg.wasm ]; }; then
  echo "budgets: missing build/ (bash scripts/build-worker.sh)" >&2
  have_worker=0
fi
if ! [ -x "$WRANGLER" ]; then
  echo "budgets: missing wrangler (bash scripts/setup.sh npm)" >&2
  have_worker=0
fi
compgen -G "pkg/*.wasm" >/dev/null || echo "budgets: missing pkg/ (bash scripts/build-browser.sh)" >&2

# The Worker bundle exactly as `wrangler deploy` would upload it (no login needed).
DRY=$(mktemp -d -t budgets-dry.XXXXXX)
trap 'rm -rf "$DRY"' EXIT
mkdir -p "$DRY/out"
UPLOAD=""
if [ $have_worker = 1 ]; then
  mkdir -p www # the assets directory named by the config must exist (assets are not in the bundle)
  "$WRANGLER" deploy --dry-run --outdir "$DRY/out" --config "$CONFIG" >"$DRY/log" 2>&1 || {
    cat "$DRY/log" >&2
    echo "budgets: wrangler deploy --dry-run failed" >&2
    exit 1
  }
  UPLOAD=$(grep -o 'Total Upload: .*' "$DRY/log" | head -1)
fi

# A production build without the embedded emulator, when the build provides one (a directory
# like build/, default build-prod/): then that is the budgeted Worker and the default build is
# reported beside it.
PROD_DIR=${WORKER_PROD_DIR:-build-prod}
UPLOAD_PROD=""
if [ $have_worker = 1 ] && [ -f "$PROD_DIR/index.js" ]; then
  TMPCONF=".budgets-prod.wrangler.toml"
  sed "s|^main = .*|main = \"$PROD_DIR/index.js\"|" "$CONFIG" >"$TMPCONF"
  "$WRANGLER" deploy --dry-run --outdir "$DRY/prod" --config "$TMPCONF" >"$DRY/log-prod" 2>&1 || {
    rm -f "$TMPCONF"
    cat "$DRY/log-prod" >&2
    echo "budgets: wrangler deploy --dry-run of $PROD_DIR failed" >&2
    exit 1
  }
  rm -f "$TMPCONF"
  UPLOAD_PROD=$(grep -o 'Total Upload: .*' "$DRY/log-prod" | head -1)
fi

status=0
CEILINGS="$BROWSER_CEILING $WORKER_CEILING" \
python3 - "$DRY/out" "$UPLOAD" "$BROWSER_BUDGET" "$WORKER_BUDGET" "$OUT/budgets.json" "$UPLOAD_PROD" <<'PY' || status=$?
import glob, gzip, json, os, re, sys
outdir, upload, browser_budget, worker_budget, out, upload_prod = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]

def gz(path):
    data = open(path, "rb").read()
    return len(data), len(gzip.compress(data, 9, mtime=0))

def kib(s):
    return round(float(s) * 1024)

rows = []
# Browser package: wasm + JS glue.
files = sorted(glob.glob("pkg/*.wasm") + [f for f in glob.glob("pkg/*.js")])
b_raw = b_gz = 0
for f in files:
    r, g = gz(f)
    b_raw += r
    b_gz += g
    rows.append(("  " + f, r, g, None))
rows.insert(0, ("browser package (pkg: wasm + JS glue)", b_raw, b_gz, browser_budget))

# Worker: wrangler's own figure is the budgeted one; per-file gzip -9 for the breakdown.
def upload_sizes(line):
    m = re.search(r"Total Upload: ([\d.]+) KiB / gzip: ([\d.]+) KiB", line)
    return (kib(m.group(1)), kib(m.group(2))) if m else (0, 0)

w_raw, w_gz = upload_sizes(upload)
wrows = []
for f in sorted(glob.glob(os.path.join(outdir, "**", "*"), recursive=True)):
    if os.path.isfile(f) and not f.endswith(".map") and not f.endswith("README.md"):
        r, g = gz(f)
        wrows.append(("  " + os.path.relpath(f, outdir), r, g, None))
if upload_prod:
    p_raw, p_gz = upload_sizes(upload_prod)
    rows.append(("Worker bundle, production (no emulator)", p_raw, p_gz, worker_budget))
    rows.append(("Worker bundle, default (with the emulator)", w_raw, w_gz, None))
else:
    rows.append(("Worker bundle (wrangler deploy --dry-run)", w_raw, w_gz, worker_budget))
rows.extend(wrows)

print(f"{'size budget':<48} {'raw bytes':>10} {'gzip bytes':>10} {'budget':>10} {'status':>7}")
ok = True
result = {"browser": {"raw": b_raw, "gzip": b_gz, "budget_gzip": browser_budget, "files": {}},
          "worker": {"raw": w_raw, "gzip": w_gz, "budget_gzip": worker_budget, "wrangler": upload, "files": {}}}
for name, r, g, budget in rows:
    status = ""
    if budget is not None:
        good = g <= budget and g > 0
        ok &= good
        status = "ok" if good else "MISSING" if g == 0 else "OVER"
    print(f"{name:<48} {r:>10} {g:>10} {budget if budget else '':>10} {status:>7}")
    if budget is None:
        if name.startswith("  "):
            key = "browser" if name.strip().startswith("pkg/") else "worker"
            result[key]["files"][name.strip()] = {"raw": r, "gzip": g}
print(f"(wrangler: {upload or 'no size line'})")
if upload_prod:
    result["worker_production"] = {"raw": p_raw, "gzip": p_gz, "budget_gzip": worker_budget, "wrangler": upload_prod}
    result["worker"]["budget_gzip"] = None
result["ok"] = ok
# The ratchets: never larger than the sizes already reached.
b_ceil, w_ceil = (int(x) for x in os.environ["CEILINGS"].split())
w_budgeted = p_gz if upload_prod else w_gz
regressed = []
if b_gz > b_ceil:
    regressed.append(f"browser package {b_gz} B gzip > ceiling {b_ceil} B")
if w_budgeted > w_ceil:
    regressed.append(f"Worker {w_budgeted} B gzip > ceiling {w_ceil} B")
print(f"ratchets (no regression while over budget): browser ≤ {b_ceil} B, Worker ≤ {w_ceil} B: "
      + ("REGRESSED: " + "; ".join(regressed) if regressed else "ok"))
result["ceilings"] = {"browser_gzip": b_ceil, "worker_gzip": w_ceil, "regressed": regressed}
json.dump(result, open(out, "w"), indent=1)
sys.exit(4 if regressed else 0 if ok else 3)
PY
[ $status -eq 0 ] || fail=1
regressed=0
[ $status -eq 4 ] && regressed=1

# Largest contributors, so a regression has a cause. The shipped wasm has no name section
# (wasm-opt drops it), so function names come from cargo's own output when it is the matching
# build (same path for both builds: whichever ran last); proportions carry over to the final file.
RAW=target/wasm32-unknown-unknown/release/composio_edge.wasm
echo
[ $have_worker = 1 ] && python3 bench/wasm_sizes.py build/index_bg.wasm --top 0 --json "$OUT/worker-wasm-final.json"
if [ $have_worker = 1 ] && [ -f "$RAW" ] && grep -aq '8platform6worker' "$RAW"; then
  echo "contributors (cargo output before wasm-bindgen/wasm-opt, $RAW):"
  python3 bench/wasm_sizes.py "$RAW" --top 15 --share composio_edge::emulator --share composio_edge::gateway \
    --share composio_edge::platform --share composio_edge::tools --share composio_edge::provider \
    --json "$OUT/worker-wasm.json"
else
  echo "(for the Worker's contributors, run scripts/build-worker.sh with FORCE=1 just before this script)"
fi
echo
for w in $(compgen -G "pkg/*.wasm" || true); do
  python3 bench/wasm_sizes.py "$w" --top 0 --json "$OUT/browser-wasm-final.json"
done
if [ -f "$RAW" ] && grep -aq '8platform7browser' "$RAW"; then
  echo "contributors (cargo output before wasm-bindgen/wasm-opt, $RAW):"
  python3 bench/wasm_sizes.py "$RAW" --top 10 --json "$OUT/browser-wasm.json"
fi

if [ $fail -ne 0 ]; then
  echo "budgets: over budget (see the table above); find the cause, do not move the budget" >&2
  # REPORT_ONLY=1 prints the figures without failing, except past a ratchet (today: the budgets).
  if [ "${REPORT_ONLY:-0}" = 1 ] && [ $regressed = 1 ]; then
    echo "budgets: a size grew past its ratchet; REPORT_ONLY does not cover a regression" >&2
    exit 1
  fi
  if [ "${REPORT_ONLY:-0}" = 1 ]; then
    echo "budgets: REPORT_ONLY=1, not failing" >&2
    exit 0
  fi
  exit 1
fi
echo "budgets: ok"
