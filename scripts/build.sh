#!/usr/bin/env bash
# Configures and builds one build tree: scripts/build.sh default|asan|tsan [ninja targets...]
#   default  g++, RelWithDebInfo with line tables only (-O2 -g1), everything including benchmarks
#   asan     clang 14, AddressSanitizer + UBSan, libFuzzer targets
#   tsan     clang 14, ThreadSanitizer (the "threaded" tests only)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
config=${1:-default}
shift || true
common=(-G Ninja -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
clang=(-DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DVGEN_BENCH=OFF)
# Sanitizer trees: -O1 with line tables only, the usual sanitizer setting; it keeps stack
# traces exact and compiles far faster than full debug info.
light=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only"
       "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only")
# The default tree: -O2 as RelWithDebInfo, but line tables only (-g1), so that stack traces and
# perf keep their lines while the cold build takes about a third less time than with full
# debug info (-g). For a tree to debug in: cmake -B build/debug -DCMAKE_BUILD_TYPE=Debug.
lines=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
       "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
case "$config" in
  default) flags=("${lines[@]}") ;;
  asan) flags=("${clang[@]}" "${light[@]}" -DVGEN_SANITIZE=address -DVGEN_FUZZ=ON) ;;
  tsan) flags=("${clang[@]}" "${light[@]}" -DVGEN_SANITIZE=thread) ;;
  *) echo "build.sh: unknown configuration '$config' (default, asan, tsan)" >&2; exit 2 ;;
esac
build="$root/build/$config"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" "${common[@]}" "${flags[@]}" >/dev/null
fi
ninja -C "$build" "$@"
