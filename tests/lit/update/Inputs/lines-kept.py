"""lines-kept.py BEFORE AFTER: every line of BEFORE is in AFTER, byte for byte, as often as in
BEFORE (moving code keeps its lines; losing or changing one fails). Prints the missing ones."""
import collections
import sys

with open(sys.argv[1], "rb") as file:
    before = collections.Counter(file.read().split(b"\n"))
with open(sys.argv[2], "rb") as file:
    after = collections.Counter(file.read().split(b"\n"))
missing = before - after
for line, count in missing.items():
    print(f"{sys.argv[2]}: missing {count}x: {line.decode(errors='replace')!r}")
sys.exit(1 if missing else 0)
