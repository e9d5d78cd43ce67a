#!/usr/bin/env bash
# The main job: build vgen and run a driver and a device as two processes that exchange
# buffers over a split virtqueue in shared memory, printing what crossed the ring.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" default vgen-ring-demo >/dev/null
"$root/build/default/bin/vgen-ring-demo" --messages 100000 --show 4 --notifier eventfd
"$root/build/default/bin/vgen-ring-demo" --messages 100000 --show 0 --notifier mailbox
