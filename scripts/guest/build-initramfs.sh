#!/usr/bin/env bash
# Builds a guest initramfs: scripts/guest/build-initramfs.sh OUT.cpio MODROOT KVER BODY MODULE...
#   MODROOT/KVER  the unpacked kernel tree of fetch-kernel.sh (depmod'ed)
#   BODY          a busybox sh fragment: the test, which prints its result lines
#   MODULE...     drivers to load (e.g. virtio_pci virtio_blk); their dependencies are resolved
#                 from modules.dep and loaded first, in the order modprobe would use
# The init script mounts /proc, /sys and /dev, insmods the modules, runs BODY, prints
# "VGEN-GUEST-DONE" and powers the machine off.
set -euo pipefail
out=$1 modroot=$2 kver=$3 body=$4
shift 4
moddir="$modroot/lib/modules/$kver"
busybox=$(command -v busybox) || { echo "build-initramfs: busybox (busybox-static) is missing" >&2; exit 1; }
file "$busybox" 2>/dev/null | grep -q "dynamically" && { echo "build-initramfs: $busybox is not static" >&2; exit 1; }
command -v cpio >/dev/null || { echo "build-initramfs: cpio is missing" >&2; exit 1; }

# The module files to load, dependencies first (modprobe loads a dependency list from its end).
resolve() {
  awk -v want="$1" '
    { sub(":", "", $1); deps[$1] = ""; for (i = NF; i >= 2; --i) deps[$1] = deps[$1] " " $i }
    function base(p) { n = split(p, parts, "/"); m = parts[n]; sub(/\.ko.*$/, "", m); gsub("-", "_", m); return m }
    function visit(p,   list, n, i) {
      if (p in done) return
      n = split(deps[p], list, " ")
      for (i = 1; i <= n; ++i) visit(list[i])
      done[p] = 1; order[++count] = p
    }
    END {
      for (p in deps) byname[base(p)] = p
      k = split(want, names, " ")
      for (i = 1; i <= k; ++i) {
        m = names[i]; gsub("-", "_", m)
        if (!(m in byname)) { print "missing module " names[i] > "/dev/stderr"; exit 1 }
        visit(byname[m])
      }
      for (i = 1; i <= count; ++i) print order[i]
    }' "$moddir/modules.dep"
}
mapfile -t modules < <(resolve "$*")
[ ${#modules[@]} -gt 0 ] || { echo "build-initramfs: no modules resolved for: $*" >&2; exit 1; }

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging"/{bin,dev,proc,sys,tmp,modules}
cp "$busybox" "$staging/bin/busybox"
: > "$staging/modules/order"
for m in "${modules[@]}"; do
  cp "$moddir/$m" "$staging/modules/"
  basename "$m" >> "$staging/modules/order"
done
{
  echo '#!/bin/busybox sh'
  echo '/bin/busybox --install -s /bin'
  echo 'export PATH=/bin'
  echo 'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev'
  echo 'for m in $(cat /modules/order); do insmod /modules/$m || echo "VGEN-RESULT FAIL insmod $m"; done'
  cat "$body"
  echo 'echo VGEN-GUEST-DONE'
  echo 'poweroff -f'
} > "$staging/init"
chmod +x "$staging/init"
( cd "$staging" && find . | cpio -o -H newc --quiet ) > "$out"
printf '%s\n' "${modules[@]##*/}"
