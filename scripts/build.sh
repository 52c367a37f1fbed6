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
case "$flavour" in
  release) ;;
  asan) args+=(-DEDGED_SANITIZE=ON -DEDGED_BENCH=OFF) ;;
  tsan) args+=(-DEDGED_TSAN=ON -DEDGED_BENCH=OFF) ;;
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
