#!/usr/bin/env bash
# Fetches Debian's guest kernel once into a build tree: scripts/guest/fetch-kernel.sh DIR
# The package linux-image-amd64 points at is downloaded with `apt-get download` (never
# installed), its vmlinuz and virtio modules are unpacked under DIR, and `depmod -b` indexes
# them. Prints DIR/kernel.env (KVER=..., VMLINUZ=..., MODROOT=..., absolute paths). Fetches
# again only when DIR/kernel.env is missing or names files that are gone. Fails with a clear
# message when the package cannot be had.
set -euo pipefail
mkdir -p "$1"
dir=$(cd "$1" && pwd)
env_file="$dir/kernel.env"
if [ -f "$env_file" ] && ( . "$env_file" && [ -f "$VMLINUZ" ] && [ -f "$MODROOT/lib/modules/$KVER/modules.dep" ] ); then
  cat "$env_file"
  exit 0
fi
for tool in apt-get apt-cache dpkg-deb depmod; do
  command -v "$tool" >/dev/null || { echo "fetch-kernel: $tool is missing (install kmod/apt)" >&2; exit 1; }
done
package_of() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'; }
package=$(package_of)
if [ -z "$package" ]; then
  apt-get update -qq >&2 || true
  package=$(package_of)
fi
if [ -z "$package" ]; then
  echo "fetch-kernel: cannot resolve linux-image-amd64 to a kernel package (apt lists missing? run apt-get update)" >&2
  exit 1
fi
mkdir -p "$dir/download"
rm -rf "$dir/root"
( cd "$dir/download" && ls "$package"_*.deb >/dev/null 2>&1 || apt-get download -qq "$package" 2>&1 | grep -v "unsandboxed" >&2 || true; ls "$package"_*.deb >/dev/null 2>&1 ) || {
  echo "fetch-kernel: apt-get download $package failed" >&2; exit 1; }
deb=$(ls "$dir/download/$package"_*.deb | head -1)
kver=${package#linux-image-}
mkdir -p "$dir/root"
# Only the kernel image, the module indexes' inputs and the virtio drivers are unpacked.
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir/root" --wildcards \
  "./boot/vmlinuz-$kver" "./lib/modules/$kver/modules.order" "./lib/modules/$kver/modules.builtin*" \
  "./lib/modules/$kver/kernel/drivers/virtio/*" "./lib/modules/$kver/kernel/drivers/block/virtio_blk.ko" \
  "./lib/modules/$kver/kernel/drivers/char/hw_random/virtio-rng.ko"
depmod -b "$dir/root" "$kver"
cat > "$env_file" <<ENV
KVER=$kver
VMLINUZ=$dir/root/boot/vmlinuz-$kver
MODROOT=$dir/root
ENV
cat "$env_file"
