#!/usr/bin/env bash
# The main job: build vgen, scaffold a default virtio device with `vgen new-device`, build the
# generated pair against this build of vgen, run it (two threads, then two processes), printing
# what crossed between the halves, and run the device's own tests (its GoogleTest and lit suite).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" default vgen vgen_runtime vgen_testing >/dev/null
project="$root/build/demo/my-device"
rm -rf "$project"
"$root/build/default/bin/vgen" new-device my-device --kind virtio --dir "$project"
cmake -S "$project" -B "$project/build" -G Ninja -Dvgen_DIR="$root/build/default" >/dev/null
cmake --build "$project/build" >/dev/null
"$project/build/my-device-demo"
ctest --test-dir "$project/build" --output-on-failure
