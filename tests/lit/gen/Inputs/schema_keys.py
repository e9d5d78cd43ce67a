# Compares the keys docs/schema/vgen-spec.schema.json allows with the keys vgen accepts:
# for each kind of mapping, vgen is given a spec with an unknown key and lists the valid
# keys in its error. Prints one "<mapping>: same" line per mapping, or the differences.
import json
import os
import re
import subprocess
import sys
import tempfile

schema_path, vgen = sys.argv[1], sys.argv[2]
definitions = json.load(open(schema_path))["definitions"]

QUEUES = "queues: [{name: q, size: 8, direction: bidirectional}]\n"
TYPES = "types: [{name: t, kind: struct, fields: [{name: a, type: u8}]}]\n"
CASES = {
    "virtioSpec": ("kind: virtio\nname: x\ndevice_id: 1\n" + QUEUES, None),
    "splitSpec": ("kind: split\nname: x\ndevice_type: x\nflavour: xenbus\nring: {request: t, response: t}\n" + TYPES, None),
    "rpmsgSpec": ("kind: rpmsg\nname: x\nservice: x\nendpoints: [{name: e}]\n", None),
    "topology": ("kind: topology\nname: x\ncomponents: []\ninstances: []\nconnections: []\n", None),
    "field": ("kind: virtio\nname: x\ndevice_id: 1\n" + QUEUES + "config: [{name: a, type: u8, UNKNOWN: 1}]\n", "field"),
    "padding": ("kind: virtio\nname: x\ndevice_id: 1\n" + QUEUES + "config: [{pad: 1, UNKNOWN: 1}]\n", "padding"),
    "structType": ("kind: virtio\nname: x\ndevice_id: 1\n" + QUEUES +
                   "types: [{name: t, kind: struct, fields: [{name: a, type: u8}], UNKNOWN: 1}]\n", "struct"),
    "unionType": ("kind: virtio\nname: x\ndevice_id: 1\n" + QUEUES +
                  "types: [{name: t, kind: union, fields: [{name: a, type: u8}], UNKNOWN: 1}]\n", "union"),
    "enumType": ("kind: virtio\nname: x\ndevice_id: 1\n" + QUEUES +
                 "types: [{name: t, kind: enum, type: u8, values: [{name: A, value: 0}], UNKNOWN: 1}]\n", "enum"),
    "flagsType": ("kind: virtio\nname: x\ndevice_id: 1\n" + QUEUES +
                  "types: [{name: t, kind: flags, type: u8, flags: [{name: A, bit: 0}], UNKNOWN: 1}]\n", "flags"),
    "connectionEnd": ("kind: topology\nname: x\ncomponents: []\ninstances: []\nconnections: [{name: c, instance: i, "
                      "driver: {component: a, channel: 1, UNKNOWN: 1}}]\n", "driver"),
    "splitSpec/ring": ("kind: split\nname: x\ndevice_type: x\nflavour: xenbus\nring: {request: t, response: t, UNKNOWN: 1}\n" +
                       TYPES, "ring"),
    "splitSpec/rings": ("kind: split\nname: x\ndevice_type: x\nflavour: xenbus\n"
                        "rings: [{name: r, request: t, response: t, UNKNOWN: 1}]\n" + TYPES, "ring entry"),
}

def vgen_keys(text):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as spec:
        spec.write(text if "UNKNOWN" in text else text + "UNKNOWN: 1\n")
    result = subprocess.run([vgen, "check", spec.name], capture_output=True, text=True)
    os.unlink(spec.name)
    match = re.search(r"unknown key 'UNKNOWN' in [^(]*\(expected one of: ([^)]*)\)", result.stderr)
    return set(match.group(1).split(", ")) if match else {"<no key list in: " + result.stderr.strip() + ">"}

status = 0
for name, (text, _) in CASES.items():
    definition = definitions[name.split("/")[0]]
    for part in name.split("/")[1:]:  # a mapping defined inline: splitSpec/ring, a list's items: splitSpec/rings
        definition = definition["properties"][part]
        definition = definition.get("items", definition)
    schema_keys = set(definition["properties"])
    accepted = vgen_keys(text)
    if schema_keys == accepted:
        print(name + ": same")
    else:
        status = 1
        print(name + ": schema only " + str(sorted(schema_keys - accepted)) + ", vgen only " + str(sorted(accepted - schema_keys)))
sys.exit(status)
