#!/usr/bin/env bash
# Usage: with-c-xenstored.sh COMMAND [ARG...]
# Like with-xenstored.sh, but with Debian's C xenstored ($VGEN_C_XENSTORED) made to run without
# a hypervisor by vgen's shim ($VGEN_XENSTORED_SHIM, LD_PRELOAD). COMMAND also gets
# VGEN_XENSTORED_SHIM_DIR, the folder where it may create guest ring pages (shim README).
set -u
if [[ ! -f ${VGEN_XENSTORED_SHIM:-} ]]; then
  echo "with-c-xenstored.sh: shim not found at '${VGEN_XENSTORED_SHIM:-}' (build target vgen-xenstored-shim)" >&2
  exit 70
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/vgen-cxs.XXXXXX")
XENSTORED_RUNDIR=$dir VGEN_XENSTORED_SHIM_DIR=$dir LD_PRELOAD=$VGEN_XENSTORED_SHIM "$VGEN_C_XENSTORED" -N >"$dir/log" 2>&1 &
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
XENSTORED_PATH=$dir/socket VGEN_C_XENSTORED_SOCKET=$dir/socket VGEN_XENSTORED_SHIM_DIR=$dir "$@"
