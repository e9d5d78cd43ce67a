#!/usr/bin/env bash
# Runs every libFuzzer target for N seconds each (default 60): scripts/fuzz.sh [seconds]
# Targets run side by side, one per core (VGEN_FUZZ_JOBS to choose), each its N seconds; their
# summaries print in the targets' order once all have run.
# Corpora persist in build/asan/corpus/<target>; a crash leaves its input in build/asan/crashes/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
jobs=${VGEN_FUZZ_JOBS:-$(nproc)}
"$root/scripts/build.sh" asan fuzzers >/dev/null
crashes="$root/build/asan/crashes"
logs="$root/build/asan/fuzz-logs"
mkdir -p "$crashes" "$logs"
mapfile -t targets < "$root/build/asan/fuzzers.txt"   # written by CMake: every vgen_add_fuzzer target

# fuzz_one TARGET: runs TARGET on its corpus, its output to fuzz-logs/TARGET.log.
fuzz_one() {
  local target=$1 corpus="$root/build/asan/corpus/$1"
  mkdir -p "$corpus"
  "$root/build/asan/bin/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$crashes/$target-" "$corpus" >"$logs/$target.log" 2>&1 || true
}

running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  fuzz_one "$target" &
  running=$((running + 1))
done
wait

failed=0
for target in "${targets[@]}"; do
  echo "fuzz: $target for ${seconds}s"
  grep -E '^(stat::number_of_executed_units|#[0-9]+ +DONE)|ERROR|SUMMARY' "$logs/$target.log" || true
  if ls "$crashes/$target-"* >/dev/null 2>&1; then
    echo "fuzz: $target found a failing input in build/asan/crashes/ (its output: build/asan/fuzz-logs/$target.log)" >&2
    failed=1
  fi
done
exit "$failed"
