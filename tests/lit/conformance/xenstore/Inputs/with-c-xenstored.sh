#!/usr/bin/env bash
# Usage: with-c-xenstored.sh COMMAND [ARG...]
# Like with-xenstored.sh, but with Debian's C xenstored made to run without a hypervisor by
# $VGEN_FAKEXEN (LD_PRELOAD); $VGEN_C_XENSTORED is the daemon binary.
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/vgen-cxs.XXXXXX")
XENSTORED_RUNDIR=$dir LD_PRELOAD=$VGEN_FAKEXEN "$VGEN_C_XENSTORED" -N >"$dir/log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
ready=
for _ in $(seq 400); do
  if [[ -S $dir/socket ]] && XENSTORED_PATH=$dir/socket xenstore-exists / 2>/dev/null; then ready=1; break; fi
  sleep 0.025
done
if [[ -z $ready ]]; then
  echo "C xenstored did not start:" >&2; cat "$dir/log" >&2; exit 70
fi
XENSTORED_PATH=$dir/socket "$@"
