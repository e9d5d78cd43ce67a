#!/usr/bin/env bash
# Runs the guest tests N times in a row and prints each run's timings and the blk throughput
# of vgen beside qemu-storage-daemon's from the same round:  scripts/guest/loop.sh [N] [build-dir]
# The vgen devices record their side with --trace, checked as ctest checks it. Exits non-zero
# if any run failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-10}
build=${2:-$root/build/default}
"$root/scripts/build.sh" "$(basename "$build")" virtio-rng-demo virtio-blk-demo vgen >/dev/null
failed=0
printf '%-4s %8s %8s %10s %10s %12s %10s\n' run rng_s blk_s control_s vgen_MB/s control_MB/s ratio
for i in $(seq 1 "$runs"); do
  declare -A seconds=() mbps=()
  for test in rng blk blk-control; do
    # As in ctest: the vgen devices record their side and the log is checked.
    trace=()
    [[ $test == blk-control ]] || trace=(--trace --vgen "$build/bin/vgen")
    line=$(python3 "$root/scripts/guest/run_guest_test.py" "$test" --work "$build/guest" \
             --rng-device "$build/bin/virtio-rng-demo" --blk-device "$build/bin/virtio-blk-demo" "${trace[@]}" | tee "$build/guest/last-$test.log" | grep '^GUEST-RESULT' || true)
    [[ "$line" == *status=PASS* ]] || { failed=$((failed + 1)); echo "run $i: $test failed (see $build/guest/last-$test.log)"; }
    seconds[$test]=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")
    mbps[$test]=$(sed -n 's/.*mbps=\([0-9.]*\).*/\1/p' <<<"$line")
  done
  ratio=$(awk -v a="${mbps[blk]:-0}" -v b="${mbps[blk-control]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '%-4s %8s %8s %10s %10s %12s %10s\n' "$i" "${seconds[rng]:--}" "${seconds[blk]:--}" \
    "${seconds[blk-control]:--}" "${mbps[blk]:--}" "${mbps[blk-control]:--}" "$ratio"
done
echo "guest loop: $runs rounds, $failed failed runs"
[ "$failed" -eq 0 ]
