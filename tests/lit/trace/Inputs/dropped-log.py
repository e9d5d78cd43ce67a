#!/usr/bin/env python3
"""Writes a vgen trace log in which the recorder lost records, as a full buffer leaves it: on vq0
a chain added (head 0) and used 10 us later, then on the recorder's interface a Dropped record
saying 7 were lost (7 in all), then a second chain (head 1) added and used 4 us later, then
another Dropped record, 5 more (12 in all). Usage: dropped-log.py OUT"""
import struct
import sys

START = 1_700_000_000_000_000_000


def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    total = len(body) + 12
    return struct.pack("<II", kind, total) + body + struct.pack("<I", total)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def interface(name):
    return block(1, struct.pack("<HHI", 147, 0, 0) + option(2, name) + option(9, b"\x09") + option(0, b""))


def packet(iface, us, channel, kind, head=0, index=0, a=0, b=0):
    record = struct.pack("<BBBBHHIHHQQ", 1, channel, kind, 0, 0, head, index, 0, 0, a, b)
    ns = START + us * 1000
    return block(6, struct.pack("<IIIII", iface, ns >> 32, ns & 0xFFFFFFFF, len(record), len(record)) + record)


def main(out):
    log = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + option(0, b""))
    log += interface(b"vq0") + interface(b"recorder")
    log += packet(0, 0, 1, 0, head=0, index=1, a=64)   # ChainAdded
    log += packet(0, 10, 1, 3, head=0, index=1, a=64)  # UsedPushed
    log += packet(1, 12, 12, 28, a=7, b=7)             # Dropped
    log += packet(0, 20, 1, 0, head=1, index=2, a=64)
    log += packet(0, 24, 1, 3, head=1, index=2, a=64)
    log += packet(1, 30, 12, 28, a=5, b=12)
    with open(out, "wb") as f:
        f.write(log)


if __name__ == "__main__":
    main(sys.argv[1])
