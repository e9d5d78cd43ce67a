#!/usr/bin/env bash
# Usage: chromium-page.sh dom URL
#        chromium-page.sh screenshot PNG URL
# Loads URL in headless Chromium (Debian's chromium) with a fresh profile and prints the DOM as
# it stands after the page's scripts ran, or writes a 1200x900 screenshot to PNG. Chromium's
# own chatter goes to a log that is printed only when it fails (exit status: Chromium's, 124
# when it took over 120 seconds).
set -u
mode=$1; shift
dir=$(mktemp -d "${TMPDIR:-/tmp}/vgen-chromium.XXXXXX")
trap 'rm -rf "$dir"' EXIT
# Runs as root in CI, where Chromium's sandbox cannot start; the page is one of vgen's own.
args=(--headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check
      --disable-extensions --disable-background-networking --user-data-dir="$dir/profile")
case "$mode" in
  dom) timeout 120 chromium "${args[@]}" --dump-dom "$1" 2>"$dir/log" ;;
  screenshot) timeout 120 chromium "${args[@]}" --window-size=1200,900 --hide-scrollbars --screenshot="$1" "$2" \
                2>"$dir/log" >/dev/null ;;
  *) echo "chromium-page.sh: unknown mode '$mode' (dom, screenshot)" >&2; exit 2 ;;
esac
status=$?
if [[ $status -ne 0 ]]; then
  echo "chromium-page.sh: chromium exited with status $status:" >&2; cat "$dir/log" >&2
fi
exit $status
