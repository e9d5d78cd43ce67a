#!/usr/bin/env python3
"""Writes a vgen trace log whose interface names try to break out of a web page: one named
</script><b id="injected">x</b>, one with a quote, a backslash, a control byte and bytes that
are not UTF-8. Each interface carries one StateChanged record. Usage: hostile-names.py OUT"""
import struct
import sys


def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    total = len(body) + 12
    return struct.pack("<II", kind, total) + body + struct.pack("<I", total)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def main(out):
    log = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + option(0, b""))
    names = [b'</script><b id="injected">x</b>', b'q"b\\c\x01\xff\xfe\xe2\x80\xa8']
    for number, name in enumerate(names):
        log += block(1, struct.pack("<HHI", 147, 0, 0) + option(2, name) + option(9, b"\x09") + option(0, b""))
        record = struct.pack("<BBBBHHIHHQQ", 1, 2, 9, 0, 0, 0, 0, 0, 0, 0, 1)
        ns = 1_700_000_000_000_000_000 + number * 1000
        log += block(6, struct.pack("<IIIII", number, ns >> 32, ns & 0xFFFFFFFF, len(record), len(record)) + record)
    with open(out, "wb") as f:
        f.write(log)


if __name__ == "__main__":
    main(sys.argv[1])
