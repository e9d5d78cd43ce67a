# Guest side of the virtio-rng test: read 64 KiB from the device through /dev/hwrng and report
# its first 32 bytes and its digest; the runner finds them in the seeded stream.
if [ ! -c /dev/hwrng ]; then echo "VGEN-RESULT FAIL no /dev/hwrng"; else
  echo "VGEN-RNG-CURRENT $(cat /sys/class/misc/hw_random/rng_current)"
  dd if=/dev/hwrng of=/tmp/rng bs=4096 count=16 iflag=fullblock 2>/dev/null
  echo "VGEN-RNG-BYTES $(wc -c < /tmp/rng)"
  echo "VGEN-RNG-HEAD $(head -c 32 /tmp/rng | od -An -tx1 -v | tr -d ' \n')"
  echo "VGEN-RNG-SHA256 $(sha256sum /tmp/rng | cut -d' ' -f1)"
  echo "VGEN-RESULT DONE"
fi
