#!/usr/bin/env bash
# Runs every libFuzzer target for N seconds each (default 60): scripts/fuzz.sh [seconds]
# Corpora persist in build/asan/corpus/<target>; a crash leaves its input in build/asan/crashes/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
"$root/scripts/build.sh" asan fuzzers >/dev/null
mkdir -p "$root/build/asan/crashes"
mapfile -t targets < "$root/build/asan/fuzzers.txt"   # written by CMake: every vgen_add_fuzzer target
for target in "${targets[@]}"; do
  corpus="$root/build/asan/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: $target for ${seconds}s"
  "$root/build/asan/bin/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$root/build/asan/crashes/$target-" "$corpus" 2>&1 | grep -E '^(stat::number_of_executed_units|#[0-9]+ +DONE)|ERROR|SUMMARY' || true
  if ls "$root/build/asan/crashes/$target-"* >/dev/null 2>&1; then
    echo "fuzz: $target found a failing input in build/asan/crashes/" >&2
    exit 1
  fi
done
