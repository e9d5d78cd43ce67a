#!/usr/bin/env bash
# Usage: with-broken-store.sh FLAW COMMAND [ARG...]
# Starts vgen-xenstored and, in front of it, vgen-conform-broken-store with FLAW; runs COMMAND
# with $XENSTORED_PATH pointing at the flawed store; stops both; exits with COMMAND's status
# (70 if a daemon did not start).
set -u
flaw=$1; shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/vgen-bs.XXXXXX")
vgen-xenstored --socket "$dir/socket" 2>"$dir/log" &
daemon=$!
trap 'kill $proxy $daemon 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 400); do [[ -S $dir/socket ]] && break; sleep 0.025; done
vgen-conform-broken-store --flaw "$flaw" --listen "$dir/broken" --upstream "$dir/socket" 2>>"$dir/log" &
proxy=$!
for _ in $(seq 400); do [[ -S $dir/broken ]] && break; sleep 0.025; done
if [[ ! -S $dir/broken ]]; then
  echo "the stores did not start:" >&2; cat "$dir/log" >&2; exit 70
fi
XENSTORED_PATH=$dir/broken "$@"
