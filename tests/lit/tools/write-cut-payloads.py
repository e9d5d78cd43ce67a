#!/usr/bin/env python3
"""Writes a vgen trace log of virtqueue chains whose payloads do not match a message's size,
for `vgen trace show --spec`'s decoding of what fits (docs/trace.md):

  write-cut-payloads.py blk|net|gpio|xen|rpmsg OUT

- blk (devices/virtio-blk): a request header made available with 12 of its 16 bytes, one cut
  at the snap length, and a used chain whose status comes after 512 data bytes;
- net (devices/virtio-net): receiveq used chains of 6 bytes (half a header), of a header and
  a 42-byte frame, and of a header and frame cut at the snap length after 8 bytes; a controlq
  used chain of 8 bytes (its chain has no data after the ack);
- gpio (devices/virtio-gpio): requestq used chains of the status and 4 data bytes, of 0 bytes
  and of 8 bytes (the request's size, which a device never writes), and a request made
  available with 4 bytes more than its size (its chain has no readable data);
- xen (devices/xen-netif, rings tx and rx): ring requests and responses on xen-ring0 (tx),
  xen-ring1 (rx) and xen-ring3 (device 1's rx): a tx request of 6 of its 12 bytes, an rx
  request whole, a tx response cut at the snap length after 2 bytes, an rx response in a
  12-byte slot, a tx request of 6 bytes cut after 2, and an empty request;
- rpmsg (devices/rpmsg-sensor): the announcement of rpmsg-sensor at 0x406, then messages from
  the host's 0x400 to the command endpoint (10 of its 16 bytes; none), to samples (40 bytes,
  more than sensor_sample's 32), to status (cut after 8 bytes) and to log (raw by the spec);
  a second announcement of the name at 0x420, which no endpoint has, and a message from it;
  and a record cut inside its rpmsg header (12 of its 16 bytes).
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


XEN_RING, XEN_REQUEST, XEN_RESPONSE = 5, 18, 19
RPMSG, RPMSG_MESSAGE = 10, 26


def xen(ring, kind, side, index, payload, whole=None):
    return ring, records.record(XEN_RING, kind, queue=ring, head=side, index=index, payload=payload, whole=whole)


def rpmsg(head, src, dst, body, whole=None):
    data = struct.pack("<IIIHH", src, dst, 0, whole if whole is not None else len(body), 0) + body
    return 0, records.record(RPMSG, RPMSG_MESSAGE, head=head, payload=data,
                             whole=None if whole is None else 16 + whole)


def announce(address):
    return rpmsg(0, address, 0x35, b"rpmsg-sensor".ljust(32, b"\0") + struct.pack("<II", address, 0))


def write_log(path, interfaces, entries):
    out = bytearray(records.section())
    for name, description in interfaces:
        out += records.interface(name, description)
    t = 1_800_000_000 * 10**9
    for number, (interface_id, (data, original)) in enumerate(entries):
        out += records.packet(interface_id, t + 1000 * number, data, original)
    with open(path, "wb") as log:
        log.write(out)


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
    elif which == "xen":
        tx = struct.pack("<IHHHH", 7, 0, 0, 1, 60)
        entries = [xen(0, XEN_REQUEST, 0, 0, tx[:6]), xen(1, XEN_REQUEST, 0, 0, struct.pack("<HHI", 5, 0, 9)),
                   xen(0, XEN_RESPONSE, 0, 0, struct.pack("<Hh", 1, 0)[:2], whole=4),
                   xen(3, XEN_RESPONSE, 0, 0, struct.pack("<HHHh", 5, 0, 0, 60) + b"\xff" * 4),
                   xen(0, XEN_REQUEST, 0, 1, tx[:2], whole=6), xen(0, XEN_REQUEST, 0, 2, b"")]
        interfaces = [("xen-ring0", "Xen shared ring of device 0"), ("xen-ring1", "Xen shared ring of device 1"),
                      ("xen-ring3", "Xen shared ring of device 3")]
        write_log(path, interfaces, [(min(ring, 2), record) for ring, record in entries])
        return
    elif which == "rpmsg":
        command = struct.pack("<HBBIQ", 1, 2, 0, 10, 7)
        entries = [announce(0x406), rpmsg(0, 0x400, 0x406, command[:10]), rpmsg(0, 0x400, 0x406, b""),
                   rpmsg(0, 0x400, 0x407, bytes(range(40))), rpmsg(0, 0x400, 0x408, struct.pack("<Q", 5), whole=24),
                   rpmsg(0, 0x400, 0x409, b"log line"), announce(0x420), rpmsg(0, 0x420, 0x400, command),
                   (0, (rpmsg(0, 0x400, 0x406, command)[1][0][:32 + 12], 32 + 32))]
        write_log(path, [("rpmsg", "rpmsg links, channels and messages")], entries)
        return
    else:
        sys.exit("write-cut-payloads.py: blk, net, gpio, xen or rpmsg, not " + which)
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
