#!/usr/bin/env bash
# Configures and builds one flavour of edged. Usage: scripts/build.sh [release|asan] [BUILD_DIR]
# Under CI (CI=true) warnings are errors.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
flavour="${1:-release}"
dir="${2:-$root/build}"
args=(-S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
[ "$flavour" = asan ] && args+=(-DEDGED_SANITIZE=ON -DEDGED_BENCH=OFF)
[ "${CI:-}" = true ] && args+=(-DEDGED_WERROR=ON)
command -v ninja >/dev/null && args+=(-G Ninja)
if [ -f "$dir/CMakeCache.txt" ] && ! grep -q "CMAKE_GENERATOR:INTERNAL=$(command -v ninja >/dev/null && echo Ninja || echo 'Unix Makefiles')" "$dir/CMakeCache.txt"; then
  rm -rf "$dir"
fi
cmake "${args[@]}" >/dev/null
cmake --build "$dir" -j"${JOBS:-2}"
