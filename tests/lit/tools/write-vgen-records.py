#!/usr/bin/env python3
"""Writes a vgen trace log (docs/trace.md: pcapng, link type 147, record format 1) holding the
record kinds the runtime's capture paths do not all emit yet, so the Wireshark dissector's
decoding of each can be checked: XenStore messages (xs_wire), rpmsg messages (a name-service
announcement and data), a Xenbus state change, a back-end channel vhost-user notice and a
virtqueue chain whose payload was cut at the snap length.

  write-vgen-records.py OUT [--damaged]

With --damaged the log holds instead a record shorter than its header, one of a newer format
version, one whose descriptor count runs past its end and a group whose second record runs past
the group's end (what a reader must refuse).
"""
import struct
import sys

LINKTYPE_USER0 = 147


def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", kind, length) + body + struct.pack("<I", length)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def section():
    body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + option(4, b"write-vgen-records.py") + option(0, b"")
    return block(0x0A0D0D0A, body)


def interface(name, description):
    body = struct.pack("<HHI", LINKTYPE_USER0, 0, 0)
    body += option(2, name.encode()) + option(3, description.encode()) + option(9, b"\x09") + option(0, b"")
    return block(1, body)


def record(channel, kind, queue=0, head=0, index=0, a=0, b=0, descriptors=(), payload=b"", whole=None):
    """One record; `whole` is the payload's uncut length when `payload` was cut."""
    header = struct.pack("<BBBBHHIHHQQ", 1, channel, kind, 0, queue, head, index, len(descriptors),
                         len(descriptors), a, b)
    stored = b"".join(struct.pack("<QIHH", addr, length, flags, 0) for addr, length, flags in descriptors)
    data = header + stored + payload
    original = len(header) + len(stored) + (whole if whole is not None else len(payload))
    return data, original


def group(channel, queue, members):
    """A group record (version 2, kind 29) holding `members`, records made by record()."""
    body = b""
    for data, original in members:
        body += struct.pack("<II", len(data), original) + data + b"\0" * (-len(data) % 8)
    header = struct.pack("<BBBBHHIHHQQ", 2, channel, 29, 0, queue, 0, len(members), 0, 0, 0, 0)
    cut = sum(original - len(data) for data, original in members)
    return header + body, len(header) + len(body) + cut


def packet(interface_id, nanoseconds, data, original):
    body = struct.pack("<IIIII", interface_id, nanoseconds >> 32, nanoseconds & 0xFFFFFFFF, len(data), original)
    return block(6, body + data)


def xs(kind, req_id, tx_id, text):
    return struct.pack("<IIII", kind, req_id, tx_id, len(text)) + text


def rpmsg(src, dst, data):
    return struct.pack("<IIIHH", src, dst, 0, len(data), 0) + data


def main():
    out = bytearray(section())
    out += interface("xenstore1", "XenStore messages")
    out += interface("rpmsg", "rpmsg links, channels and messages")
    out += interface("xenbus5", "Xenbus states")
    out += interface("vhost-user", "vhost-user messages")
    out += interface("vq0", "split virtqueue")
    t = 1_800_000_000 * 10**9
    records = [
        (0, record(8, 25, queue=1, head=0, index=1, a=1, payload=xs(11, 7, 0, b"data/greeting\0hello"))),
        (0, record(8, 25, queue=1, head=1, index=1, a=1, payload=xs(11, 7, 0, b"OK\0"))),
        (0, record(8, 25, queue=1, head=1, index=1, a=1, payload=xs(15, 0, 0, b"data/greeting\0tok\0"))),
        # Raw bytes a hostile client wrote (b = 1): a WRITE whose header says 100 bytes, 5 follow.
        (0, record(8, 25, queue=1, head=0, b=1, payload=struct.pack("<IIII", 11, 1, 0, 100) + b"/half")),
        (1, record(10, 26, head=0, payload=rpmsg(0x400, 0x35, b"rpmsg-echo".ljust(32, b"\0") +
                                                 struct.pack("<II", 0x400, 0)))),
        (1, record(10, 26, head=1, payload=rpmsg(0x401, 0x400, b"ping"))),
        (2, record(9, 9, queue=5, index=1, a=2, b=4)),
        (3, record(11, 27, head=1, index=0, payload=struct.pack("<III", 2, 1, 0))),
        (4, record(1, 0, head=3, index=1, a=16, b=512,
                   descriptors=[(0x40001000, 16, 1), (0x40002000, 512, 2)], payload=b"\x01\0\0\0\0\0\0\0",
                   whole=16)),
        (4, group(1, 0, [record(1, 0, head=5, index=2, a=4, descriptors=[(0x40003000, 4, 0)], payload=b"abcd"),
                         record(1, 0, head=6, index=3, a=4, descriptors=[(0x40004000, 4, 0)], payload=b"efgh"),
                         record(1, 1, index=3)])),
    ]
    if "--damaged" in sys.argv[2:]:
        short = b"\x01\x01\x00\x00" + b"\0" * 16
        future = b"\x03" + record(1, 0)[0][1:]
        overlong = record(1, 0)[0][:12] + struct.pack("<HH", 3, 3) + record(1, 0)[0][16:]
        cut_group = group(1, 0, [record(1, 0), record(1, 1)])[0][:-8]  # its second record runs past it
        records = [(4, (short, len(short))), (4, (future, len(future))), (4, (overlong, len(overlong))),
                   (4, (cut_group, len(cut_group)))]
    for number, (interface_id, (data, original)) in enumerate(records):
        out += packet(interface_id, t + 1000 * number, data, original)
    with open(sys.argv[1], "wb") as log:
        log.write(out)


if __name__ == "__main__":
    main()
