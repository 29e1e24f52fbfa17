#!/usr/bin/env bash
# The documented long fuzz run: each target until 10 million executions or 10 minutes,
# whichever comes first, then a table of executions and exec/s per target (from libFuzzer's
# final stats). Figures go in SECURITY.md.
#
# Usage: scripts/fuzz-long.sh [target …]      (no target = all of them)
#   FUZZ_RUNS  executions per target (default 10000000)
#   FUZZ_SECS  time cap per target in seconds (default 600)
#   FUZZ_REPORT  where to write the markdown table (default target/fuzz-logs/long-<time>.md)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

RUNS=${FUZZ_RUNS:-10000000}
SECS=${FUZZ_SECS:-600}
FUZZ=(cargo +nightly fuzz)

CARGO_FUZZ_VERSION=0.13.2
if ! rustup toolchain list | grep -q '^nightly'; then
  step rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  step cargo install cargo-fuzz@"$CARGO_FUZZ_VERSION" --locked ||
    step cargo install cargo-fuzz@"$CARGO_FUZZ_VERSION"
fi
step "${FUZZ[@]}" build -s none   # every target, so no run below includes a build

dict_for() {
  case "$1" in
    regex) echo fuzz/dict/regex.dict ;;
    encoding | retry) echo fuzz/dict/http.dict ;;
    *) echo fuzz/dict/json.dict ;;
  esac
}

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <("${FUZZ[@]}" list); fi
mkdir -p target/fuzz-logs
report=${FUZZ_REPORT:-target/fuzz-logs/long-$(date -u +%Y%m%dT%H%M%SZ).md}
{
  echo "Long fuzz run, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), cargo-fuzz $(cargo fuzz --version | awk '{print $2}'), $(rustc +nightly --version | awk '{print $1, $2}')"
  echo "Cap: ${RUNS} executions or ${SECS} s per target, no sanitizer, overflow checks on."
  echo
  echo "| target | executions | seconds | exec/s | corpus | peak RSS MB | slowest unit s | result |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
} | tee "$report"
status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t"
  log="target/fuzz-logs/long-$t.log"
  start=$(date +%s)
  result=ok
  "${FUZZ[@]}" run -s none "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -runs="$RUNS" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -dict="$(dict_for "$t")" -print_final_stats=1 >"$log" 2>&1 || { result="CRASH (see $log)"; status=1; }
  # Fuzzing seconds as libFuzzer counts them ("Done N runs in S second(s)"), build excluded.
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  secs=${secs:-$(($(date +%s) - start))}
  stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  echo "| $t | $(stat number_of_executed_units) | $secs | $(stat average_exec_per_sec) | $corpus | $(stat peak_rss_mb) | $(stat slowest_unit_time_sec) | $result |" | tee -a "$report"
done
echo
echo "fuzz-long: report in $report"
exit $status
