#!/usr/bin/env bash
# Usage: with-xenstored.sh [DAEMON-OPTION...] -- COMMAND [ARG...]
# Starts vgen-xenstored on a fresh socket, runs COMMAND with XENSTORED_PATH pointing at it,
# stops the daemon and exits with COMMAND's status (70 if the daemon failed or died; its log
# then goes to stderr).
set -u
daemon_args=()
while [[ $# -gt 0 && $1 != -- ]]; do daemon_args+=("$1"); shift; done
[[ ${1:-} == -- ]] && shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/vgen-xs.XXXXXX")
trap 'rm -rf "$dir"' EXIT
vgen-xenstored --socket "$dir/socket" "${daemon_args[@]}" 2>"$dir/log" &
pid=$!
# The socket file appears only once the daemon listens.
for _ in $(seq 400); do [[ -S $dir/socket ]] && break; sleep 0.025; done
if [[ ! -S $dir/socket ]]; then
  echo "vgen-xenstored did not start:" >&2; cat "$dir/log" >&2; exit 70
fi
XENSTORED_PATH=$dir/socket "$@"
status=$?
if ! kill -0 "$pid" 2>/dev/null; then
  echo "vgen-xenstored died during the test:" >&2; cat "$dir/log" >&2; exit 70
fi
kill -TERM "$pid"
wait "$pid"
daemon_status=$?
if [[ $daemon_status -ne 0 ]]; then
  echo "vgen-xenstored exited with $daemon_status:" >&2; cat "$dir/log" >&2; exit 70
fi
exit $status
