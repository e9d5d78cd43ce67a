#!/usr/bin/env bash
# Usage: with-qemu-storage-daemon.sh COMMAND [ARG...]
# Starts Debian's qemu-storage-daemon exporting a fresh 4 MiB RAW image as vhost-user-blk on a
# new socket, runs COMMAND with $QSD_SOCKET pointing at it, stops the daemon and exits with
# COMMAND's status (70 if the daemon failed or died; its log then goes to stderr).
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/vgen-qsd.XXXXXX")
trap 'rm -rf "$dir"' EXIT
truncate -s 4M "$dir/disk.img"
qemu-storage-daemon --blockdev driver=file,node-name=f0,filename="$dir/disk.img" \
  --blockdev driver=raw,node-name=d0,file=f0 \
  --export type=vhost-user-blk,id=e0,node-name=d0,addr.type=unix,addr.path="$dir/blk.sock",writable=on,num-queues=1 \
  >"$dir/log" 2>&1 &
pid=$!
for _ in $(seq 400); do [[ -S $dir/blk.sock ]] && break; sleep 0.025; done
if [[ ! -S $dir/blk.sock ]]; then
  echo "qemu-storage-daemon did not start:" >&2; cat "$dir/log" >&2; exit 70
fi
QSD_SOCKET=$dir/blk.sock "$@"
status=$?
if ! kill -0 "$pid" 2>/dev/null; then
  echo "qemu-storage-daemon died during the test:" >&2; cat "$dir/log" >&2; exit 70
fi
kill -TERM "$pid"
wait "$pid" 2>/dev/null
exit $status
