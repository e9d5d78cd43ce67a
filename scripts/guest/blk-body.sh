# Guest side of the virtio-blk test: read the whole disk and compare its digest with the one
# the host put on the kernel command line; time a direct read with dd; write 264 KiB of a
# known pattern at 1 MiB with fsync (so a FLUSH follows the writes) for the host to find; then
# reset the device (driver unbind and bind: the front end stops and restarts the rings) and
# read the pattern back.
if [ ! -b /dev/vda ]; then echo "VGEN-RESULT FAIL no /dev/vda"; else
  want=$(sed -n 's/.*vgen.digest=\([0-9a-f]*\).*/\1/p' /proc/cmdline)
  got=$(sha256sum /dev/vda | cut -d' ' -f1)
  echo "VGEN-BLK-DIGEST $got"
  [ "$got" = "$want" ] && echo "VGEN-BLK-DIGEST-MATCH"
  echo "VGEN-BLK-CACHE $(cat /sys/block/vda/queue/write_cache)"
  q=/sys/block/vda/queue
  echo "VGEN-BLK-QUEUE segments $(cat $q/max_segments) max_kb $(cat $q/max_sectors_kb) hw_kb $(cat $q/max_hw_sectors_kb)"
  echo 3 > /proc/sys/vm/drop_caches
  # busybox dd prints no rate: time eight direct passes over the disk with /proc/uptime.
  t0=$(cut -d' ' -f1 /proc/uptime)
  for pass in 1 2 3 4 5 6 7 8; do dd if=/dev/vda of=/dev/null bs=1M iflag=direct 2>/dev/null; done
  t1=$(cut -d' ' -f1 /proc/uptime)
  bytes=$((8 * $(cat /sys/block/vda/size) * 512))
  echo "VGEN-BLK-READ $bytes bytes in $(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.2f", b - a }') s"
  awk 'BEGIN { for (i = 0; i < 4096; i++) printf "vgen-guest-write %08d ---------------------------------------\n", i }' > /tmp/w
  dd if=/tmp/w of=/dev/vda bs=4096 seek=256 conv=fsync 2>/dev/null && echo "VGEN-BLK-WROTE $(sha256sum /tmp/w | cut -d' ' -f1)"
  dev=$(basename "$(readlink /sys/block/vda/device)")
  echo "$dev" > /sys/bus/virtio/drivers/virtio_blk/unbind
  echo "$dev" > /sys/bus/virtio/drivers/virtio_blk/bind
  i=0; while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do usleep 50000; i=$((i + 1)); done
  echo "VGEN-BLK-REREAD $(dd if=/dev/vda bs=4096 skip=256 count=66 iflag=direct 2>/dev/null | sha256sum | cut -d' ' -f1)"
  echo "VGEN-RESULT DONE"
fi
