"""Prints a valid virtio spec of about N MiB (argument 1): structs of eight fields each."""
import sys

target = int(sys.argv[1]) << 20
lines = ["kind: virtio", "name: large", "device_id: 4",
         "queues:", "  - {name: q, size: 8, direction: driver-to-device, messages: [s0]}", "types:"]
size = sum(len(line) + 1 for line in lines)
index = 0
while size < target:
    entry = [f"  - name: s{index}", "    kind: struct", "    description: a struct with a field of every integer type",
             "    fields:"]
    for number, kind in enumerate(["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"]):
        entry.append(f"      - {{name: field_{number}, type: {kind}, description: field number {number}}}")
    lines += entry
    size += sum(len(line) + 1 for line in entry)
    index += 1
print("\n".join(lines))
