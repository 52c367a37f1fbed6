#!/usr/bin/env bash
# The test command: installs what a fresh Debian machine lacks, builds edged twice (plain, and
# AddressSanitizer + UndefinedBehaviorSanitizer), and runs the unit and integration tests in both;
# then builds the libFuzzer targets with clang-14 and runs each for FUZZ_SECONDS (default 15).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/setup.sh"

# Layering rule (STYLE.md §c.1): policies/ stays free of I/O headers.
if grep -rnE '#include *[<"](uv\.h|curl/|sys/socket\.h|llhttp\.h)' "$root/policies"; then
  echo "policies/ must not include uv, curl, llhttp or socket headers" >&2
  exit 1
fi

status=0
for flavour in release asan; do
  dir="$root/build-test-$flavour"
  echo "== build ($flavour)"
  "$root/scripts/build.sh" "$flavour" "$dir"
  echo "== tests ($flavour)"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  if ! (cd "$dir" && ctest --output-on-failure --timeout 300 -j1); then status=1; fi
done

# Bounded fuzzing (issue 8): every tests/fuzz target for a few seconds on its seed corpus.
echo "== fuzz (${FUZZ_SECONDS:-15} s per target)"
if ! "$root/scripts/fuzz.sh" "${FUZZ_SECONDS:-15}"; then status=1; fi
exit $status
