#!/usr/bin/env python3
"""Usage: png-colours.py PNG

Prints what a screenshot shows, for tests that check a page drew something: its size, the
number of distinct colours, and the pixels of each colour family the trace page draws with
(blue chains, orange notifications, green states), counted as "blue N", ... A blank page has one
or two colours and no such pixels. Reads 8-bit RGB and RGBA PNGs (what Chromium writes) with the
standard library only."""
import struct
import sys
import zlib


def rows(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("png-colours: %s is not a PNG" % path)
    at, idat, width, height, channels = 8, b"", 0, 0, 0
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        at += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace != 0:
                sys.exit("png-colours: only 8-bit RGB/RGBA, not interlaced (depth %d, colour %d)" % (depth, colour))
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        yield [tuple(line[x * channels:x * channels + 3]) for x in range(width)]
        previous = line
    print("size %dx%d" % (width, height))


def main(path):
    colours = {}
    families = {"blue": 0, "orange": 0, "green": 0}
    for line in rows(path):
        for r, g, b in line:
            colours[(r, g, b)] = colours.get((r, g, b), 0) + 1
            if b > 150 and b > r + 80 and b > g + 50:
                families["blue"] += 1
            elif r > 180 and 80 < g < 160 and b < 60:
                families["orange"] += 1
            elif g > 120 and g > r + 60 and g > b + 40:
                families["green"] += 1
    print("colours %d" % len(colours))
    for name, count in families.items():
        print("%s %d" % (name, count))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
