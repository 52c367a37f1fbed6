#!/usr/bin/env bash
# Configures and builds one flavour of edged.
# Usage: scripts/build.sh [release|asan|tsan] [BUILD_DIR] [TARGET...]
# Without targets everything is built. tsan is ThreadSanitizer (EDGED_TSAN); scripts/test.sh
# builds only the multi-worker tests' targets with it. Under CI (CI=true) warnings are errors.
# Extra CMake arguments (e.g. a compiler launcher) can be passed in CMAKE_ARGS.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
flavour="${1:-release}"
dir="${2:-$root/build}"
targets=("${@:3}")
args=(-S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# -g1 (line tables: backtraces and sanitizer reports keep file:line) instead of -g: full debug
# info was most of the compile time of the test files (signed_test.cc under ASan: 95 s of CPU
# at -O2 -g, 41 s at -O1 -g1). The sanitizers' usual -O1 for their flavours.
release_flags="-O2 -g1 -DNDEBUG"
sanitizer_flags="-O1 -g1 -DNDEBUG"
case "$flavour" in
  release) args+=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$release_flags" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$release_flags") ;;
  asan) args+=(-DEDGED_SANITIZE=ON -DEDGED_BENCH=OFF
               "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$sanitizer_flags" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$sanitizer_flags") ;;
  tsan) args+=(-DEDGED_TSAN=ON -DEDGED_BENCH=OFF
               "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$sanitizer_flags" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$sanitizer_flags") ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan or tsan)" >&2; exit 2 ;;
esac
[ "${CI:-}" = true ] && args+=(-DEDGED_WERROR=ON)
command -v ninja >/dev/null && args+=(-G Ninja)
# shellcheck disable=SC2206  # word splitting intended
[ -n "${CMAKE_ARGS:-}" ] && args+=(${CMAKE_ARGS})
if [ -f "$dir/CMakeCache.txt" ] && ! grep -q "CMAKE_GENERATOR:INTERNAL=$(command -v ninja >/dev/null && echo Ninja || echo 'Unix Makefiles')" "$dir/CMakeCache.txt"; then
  rm -rf "$dir"
fi
cmake "${args[@]}" >/dev/null
if [ ${#targets[@]} -gt 0 ]; then
  cmake --build "$dir" -j"${JOBS:-2}" --target "${targets[@]}"
else
  cmake --build "$dir" -j"${JOBS:-2}"
fi
