#!/usr/bin/env bash
# Bounded fuzzing for CI (issue 8, item 1): builds the libFuzzer targets of tests/fuzz with
# clang-14 (ASan + UBSan, EDGED_FUZZ=ON, nothing else: no tests, no benchmarks, no libuv/curl
# layers) in build-test-fuzz/, then runs each target for SECONDS_PER_TARGET seconds (default 20)
# over a scratch copy of its seed corpus, so the repository is never modified.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      JOBS=n to build with n jobs (default 2)
#
# Exit 1 when a target crashes, leaks, times out (-timeout, per input) or fails an assertion;
# the failing input is kept in build-test-fuzz/fuzz-findings/. Prints executions and coverage
# per target.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-20}"
jobs="${JOBS:-2}"
dir="$root/build-test-fuzz"

for tool in clang-14 clang++-14; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool missing (scripts/setup.sh installs it)" >&2; exit 1; }
done

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
start=$(date +%s)
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEDGED_FUZZ=ON -DEDGED_TESTS=OFF -DEDGED_BENCH=OFF -DEDGED_WERROR=ON "${launcher[@]}" >/dev/null
ninja -C "$dir" -j "$jobs" fuzz_targets
echo "fuzz: build took $(($(date +%s) - start)) s"

work="$dir/fuzz-work"
findings="$dir/fuzz-findings"
rm -rf "$work"
mkdir -p "$work" "$findings"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# FUZZ_RUNS=N: a reproducible run instead of an exploring one: N inputs per target from a fixed
# seed (FUZZ_SEED, default 1), SECONDS_PER_TARGET only as a cap. scripts/test.sh (CI) runs this
# way, so a commit's CI verdict does not depend on what a random walk happened to reach; the
# exploring runs (no FUZZ_RUNS) are the long local ones in tests/fuzz/README.md.
mode=()
[ -n "${FUZZ_RUNS:-}" ] && mode=(-seed="${FUZZ_SEED:-1}" -runs="$FUZZ_RUNS")
status=0
for src in "$root"/tests/fuzz/*_fuzz.cc; do
  name="$(basename "$src" .cc)"
  exe="$dir/tests/fuzz/$name"
  corpus="$work/$name"
  mkdir -p "$corpus"
  [ -d "$root/tests/fuzz/corpus/$name" ] && cp -r "$root/tests/fuzz/corpus/$name/." "$corpus/"
  log="$work/$name.log"
  echo "== fuzz $name (${FUZZ_RUNS:+$FUZZ_RUNS runs from seed ${FUZZ_SEED:-1}, at most }${seconds} s, $(ls "$corpus" | wc -l) seeds)"
  if "$exe" "$corpus" "${mode[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$findings/$name-" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  # "#123 DONE cov: 456 ft: 789 corp: …" and the final stats.
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(echo "$done_line" | grep -oE 'cov: [0-9]+' || true)"
  ft="$(echo "$done_line" | grep -oE 'ft: [0-9]+' || true)"
  echo "   $result: ${execs:-?} execs, ${speed:-?} exec/s, ${cov:-cov: ?}, ${ft:-ft: ?}"
  if [ "$result" = FAILED ]; then
    grep -E 'ERROR|FUZZ_CHECK|SUMMARY|runtime error|Test unit written' "$log" | head -20 >&2 || true
  fi
done
echo "fuzz: total $(($(date +%s) - start)) s"
exit $status
