#!/usr/bin/env bash
# Regenerates the goldens: the code vgen generates for every spec in devices/ it can generate,
# in tests/golden/<spec name>/ (tests/lit/gen/goldens.test compares them with fresh output).
#   scripts/update-goldens.sh [BUILD [OUT]]
# BUILD is the build folder whose vgen runs (default build/default); OUT the folder written
# (default tests/golden). Run it after changing a template or a spec, review the diff, commit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/default}
out=${2:-$root/tests/golden}
vgen="$build/bin/vgen"
[ -x "$vgen" ] || { echo "update-goldens.sh: no vgen at $vgen (build it first)" >&2; exit 2; }
cd "$root"
mkdir -p "$out"
for spec in devices/*/*.yaml; do
  kind=$(sed -n 's/^kind: *\([a-z]*\).*/\1/p' "$spec")
  case "$kind" in virtio | split | rpmsg) ;; *) continue ;; esac
  name=$(basename "$spec" .yaml)
  rm -rf "${out:?}/$name"
  "$vgen" generate "$spec" -o "$out/$name" --quiet
done
