#!/usr/bin/env bash
# Short, bounded fuzz run of every cargo-fuzz target in fuzz/ (installs what it needs first).
# Fails if any target crashes, panics, times out or runs out of memory.
#
# Usage: scripts/fuzz-smoke.sh [target …]      (no target = all of them)
#   FUZZ_SECS   seconds per target (default 6)
# Crash inputs land in fuzz/artifacts/<target>/; turn each into a tests/regressions_*.rs test.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

CARGO_FUZZ_VERSION=0.13.2
SECS=${FUZZ_SECS:-6}

# Tools: nightly (for sanitizer coverage) and cargo-fuzz. Both are no-ops when present.
if ! rustup toolchain list | grep -q '^nightly'; then
  step rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  step cargo install cargo-fuzz@"$CARGO_FUZZ_VERSION" --locked ||
    step cargo install cargo-fuzz@"$CARGO_FUZZ_VERSION"
fi

# No sanitizer: the crate forbids unsafe code, so ASan adds cost, not findings. Overflow checks
# and debug assertions stay on (cargo-fuzz's default).
FUZZ=(cargo +nightly fuzz)
step "${FUZZ[@]}" build -s none

dict_for() {
  case "$1" in
    regex) echo fuzz/dict/regex.dict ;;
    encoding | retry) echo fuzz/dict/http.dict ;;
    *) echo fuzz/dict/json.dict ;;
  esac
}

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <("${FUZZ[@]}" list); fi
failed=()
mkdir -p target/fuzz-logs
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"
  log="target/fuzz-logs/smoke-$t.log"
  start=$(date +%s)
  if "${FUZZ[@]}" run -s none "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -dict="$(dict_for "$t")" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "fuzz-smoke: $t ok (${runs:-?} runs in $(($(date +%s) - start))s)"
  else
    echo "fuzz-smoke: $t FAILED (log: $log)"
    grep -E "panicked at|ERROR: libFuzzer|^thread|Failing input|artifacts/" "$log" | head -12 || true
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}"
  exit 1
fi
echo "fuzz-smoke: all ${#targets[@]} targets ok (${SECS}s each)"
