#!/usr/bin/env bash
# Usage: tshark-vgen.sh DISSECTOR LOG [TSHARK-OPTION...]
# Runs Debian's tshark on a vgen trace log with vgen's Lua dissector loaded
# (tshark -X lua_script:DISSECTOR -r LOG OPTION...), for lit tests.
#
# Root: tshark runs Lua scripts given with -X lua_script as root only when its init.lua sets
# run_user_scripts_when_superuser (Debian 12's tshark 4.0 does, and prints a warning about
# running as root, which is left out here). Where it does not, tshark runs as the user
# "nobody" (setpriv) on a copy of the log that user can read. Either way the dissector must
# have registered the "vgen" protocol, or this fails saying so: a test never passes on a
# dissector that did not load.
set -euo pipefail
dissector=$1 log=$2
shift 2
run=(tshark)
work=
if [[ $(id -u) == 0 ]] && grep -Eq '^\s*run_user_scripts_when_superuser\s*=\s*false' \
     /usr/share/wireshark/init.lua 2>/dev/null; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/vgen-tshark.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  cp "$dissector" "$work/vgen.lua"
  cp "$log" "$work/log.pcapng"
  chmod 755 "$work" && chmod 644 "$work/vgen.lua" "$work/log.pcapng"
  dissector=$work/vgen.lua log=$work/log.pcapng
  run=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$work" tshark)
fi
# The dissector's fields exist only when it loaded.
if ! "${run[@]}" -X lua_script:"$dissector" -r "$log" -c 1 -T fields -e vgen.version >/dev/null 2>&1; then
  echo "tshark-vgen.sh: the vgen dissector ($dissector) did not load into tshark" >&2
  exit 1
fi
"${run[@]}" -X lua_script:"$dissector" -r "$log" "$@" 2> >(grep -v '^Running as user "root"' >&2)
