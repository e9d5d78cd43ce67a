#!/usr/bin/env python3
"""Writes a vgen trace log of virtqueue chains whose payloads do not match a message's size,
for `vgen trace show --spec`'s decoding of what fits (docs/trace.md):

  write-cut-payloads.py blk|net|gpio OUT

- blk (devices/virtio-blk): a request header made available with 12 of its 16 bytes, one cut
  at the snap length, and a used chain whose status comes after 512 data bytes;
- net (devices/virtio-net): receiveq used chains of 6 bytes (half a header), of a header and
  a 42-byte frame, and of a header and frame cut at the snap length after 8 bytes; a controlq
  used chain of 8 bytes (its chain has no data after the ack);
- gpio (devices/virtio-gpio): requestq used chains of the status and 4 data bytes, of 0 bytes
  and of 8 bytes (the request's size, which a device never writes), and a request made
  available with 4 bytes more than its size (its chain has no readable data).
"""
import importlib.util
import os
import struct
import sys

_spec = importlib.util.spec_from_file_location(
    "write_vgen_records", os.path.join(os.path.dirname(os.path.abspath(__file__)), "write-vgen-records.py"))
records = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(records)

CHAIN_ADDED, USED_PUSHED = 0, 3
READ, WRITE = 1, 2  # descriptor flags: NEXT, WRITE


def added(head, readable, payload, whole=None):
    return records.record(1, CHAIN_ADDED, head=head, index=head + 1, a=readable,
                          descriptors=[(0x40001000 + 0x100 * head, readable, 0)], payload=payload, whole=whole)


def used(head, length, room, payload, whole=None, queue=0):
    return records.record(1, USED_PUSHED, queue=queue, head=head, index=head + 1, a=length,
                          descriptors=[(0x40010000 + 0x1000 * head, room, WRITE)], payload=payload, whole=whole)


def net_header(flags, gso_size, num_buffers):
    return struct.pack("<BBHHHHH", flags, 0, 0, gso_size, 0, 0, num_buffers)


def main():
    which, path = sys.argv[1], sys.argv[2]
    if which == "blk":
        header = struct.pack("<IIQ", 1, 0, 3)  # OUT, ioprio 0, sector 3
        chains = [added(0, 12, header[:12]), added(1, 528, header[:8], whole=528),
                  used(2, 513, 513, b"d" * 512 + b"\0")]
    elif which == "net":
        frame = bytes(range(42))
        chains = [used(0, 6, 1530, net_header(2, 0, 1)[:6]), used(1, 54, 1530, net_header(2, 0, 1) + frame),
                  used(2, 54, 1530, net_header(2, 0x1234, 1)[:8], whole=54),
                  used(3, 8, 8, b"\0" * 8, queue=2)]
    elif which == "gpio":
        chains = [used(0, 5, 50, b"\0" + b"abcd"), used(1, 0, 2, b""), used(2, 8, 50, b"\0" * 8),
                  added(3, 12, struct.pack("<HHI", 4, 3, 0) + b"more")]
    else:
        sys.exit("write-cut-payloads.py: blk, net or gpio, not " + which)
    out = bytearray(records.section())
    out += records.interface("vq0", "split virtqueue")
    out += records.interface("vq2", "split virtqueue")
    t = 1_800_000_000 * 10**9
    for number, (data, original) in enumerate(chains):
        queue = struct.unpack_from("<H", data, 4)[0]
        out += records.packet(1 if queue == 2 else 0, t + 1000 * number, data, original)
    with open(path, "wb") as log:
        log.write(out)


if __name__ == "__main__":
    main()
