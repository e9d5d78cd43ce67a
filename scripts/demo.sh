#!/usr/bin/env bash
# The main job: build vgen, scaffold a default virtio device with `vgen new-device`, build the
# generated pair against this build of vgen, run it (two threads, then two processes), printing
# what crossed between the halves, and run the device's own tests (its GoogleTest and lit suite).
# Last, one more run records its rings into a trace log, which `vgen trace` decodes and sums up.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
# VGEN_BUILD names a configured vgen build tree to use instead of build/default (the main_job
# test runs this script against the tree it tests); VGEN_DEMO_PROJECT where the device goes.
build=${VGEN_BUILD:-$root/build/default}
if [ -n "${VGEN_BUILD:-}" ]; then
  ninja -C "$build" vgen_package >/dev/null
else
  "$root/scripts/build.sh" default vgen_package >/dev/null
fi
project=${VGEN_DEMO_PROJECT:-$root/build/demo/my-device}
rm -rf "$project"
"$build/bin/vgen" new-device my-device --kind virtio --dir "$project"
cmake -S "$project" -B "$project/build" -G Ninja -Dvgen_DIR="$build" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build "$project/build" >/dev/null
"$project/build/my-device-demo"
ctest --test-dir "$project/build" --output-on-failure
log="$project/build/my-device.pcapng"
"$project/build/my-device-demo" --trace "$log" >/dev/null
echo "== decoded trace ($log), first 40 events"
"$build/bin/vgen" trace show "$log" >"$log.txt"
head -n 40 "$log.txt"
echo "== trace statistics"
"$build/bin/vgen" trace stats "$log"
