#!/usr/bin/env bash
# The test command: installs what a fresh Debian machine lacks, builds edged twice (plain, and
# AddressSanitizer + UndefinedBehaviorSanitizer) and runs the unit and integration tests in both,
# then builds the multi-worker tests with ThreadSanitizer and runs them (ctest -L multiworker);
# then builds the libFuzzer targets with clang-14 and runs each for FUZZ_SECONDS (default 15).
# FLAVOURS="release asan tsan fuzz" (the default) selects flavours, e.g. FLAVOURS=tsan scripts/test.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"

# Layering rule (STYLE.md §c.1): policies/ stays free of I/O headers.
if grep -rnE '#include *[<"](uv\.h|curl/|sys/socket\.h|llhttp\.h)' "$root/policies"; then
  echo "policies/ must not include uv, curl, llhttp or socket headers" >&2
  exit 1
fi

status=0
for flavour in ${FLAVOURS:-release asan tsan fuzz}; do
  dir="$root/build-test-$flavour"
  start=$SECONDS
  if [ "$flavour" = fuzz ]; then
    # Bounded fuzzing (issue 8): every tests/fuzz target on a copy of its seed corpus
    # (clang-14 + libFuzzer, build-test-fuzz), FUZZ_RUNS inputs from a fixed seed so the
    # verdict is reproducible (scripts/fuzz.sh), at most FUZZ_SECONDS each.
    echo "== fuzz"
    if ! FUZZ_RUNS="${FUZZ_RUNS:-30000}" "$root/scripts/fuzz.sh" "${FUZZ_SECONDS:-60}"; then status=1; fi
  elif [ "$flavour" = tsan ]; then
    # ThreadSanitizer: only the multi-worker tests (ctest label `multiworker`, see
    # tests/CMakeLists.txt), so only their programs are built.
    echo "== build ($flavour: multi-worker tests only)"
    "$root/scripts/build.sh" tsan "$dir" edged test_origin edged_integration_tests engine_tests \
      registration_tests
    echo "== tests ($flavour: ctest -L multiworker)"
    # Reports fail the run: exit status 66 at exit (test binaries and edged), and the harness
    # checks edged's stderr. Suppressions (third-party code only) are in tests/tsan.supp.
    export TSAN_OPTIONS="suppressions=$root/tests/tsan.supp:second_deadlock_stack=1:history_size=4"
    if ! (cd "$dir" && ctest --output-on-failure --timeout 300 -j1 -L multiworker); then status=1; fi
  else
    echo "== build ($flavour)"
    "$root/scripts/build.sh" "$flavour" "$dir"
    echo "== tests ($flavour)"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    if ! (cd "$dir" && ctest --output-on-failure --timeout 300 -j1); then status=1; fi
  fi
  echo "== $flavour: $((SECONDS - start)) s"
done
exit $status
