# Random specs over vgen's spec format: virtio, split and rpmsg, from one seed.
#
# Each spec is meant to be valid by the rules of docs/spec-format.md: layouts, offsets and
# sizes are computed here the way vgen lays structs out, references point at types that
# exist, bits and addresses are unique. Names are drawn mostly from plain words and now and
# then from names that generated code or the C library also uses (`len`, `reset`, `EOF`,
# `class_`, `std`, ...): the checker may refuse such a spec, and whatever it accepts must
# compile. Spec text (descriptions, the rpmsg service, vbus compatible strings) is sometimes
# hostile to C++ (quotes, backslashes, trigraphs, comment markers, multi-line blocks).
import json
import random

SCALARS = {"u8": (1, False), "u16": (2, False), "u32": (4, False), "u64": (8, False),
           "i8": (1, True), "i16": (2, True), "i32": (4, True), "i64": (8, True)}
UNSIGNED = ["u8", "u16", "u32", "u64"]

TRANSPORT_FEATURES = {"VIRTIO_F_INDIRECT_DESC": 28, "VIRTIO_F_EVENT_IDX": 29, "VIRTIO_F_VERSION_1": 32,
                      "VIRTIO_F_ACCESS_PLATFORM": 33, "VIRTIO_F_RING_PACKED": 34, "VIRTIO_F_IN_ORDER": 35,
                      "VIRTIO_F_ORDER_PLATFORM": 36, "VIRTIO_F_SR_IOV": 37, "VIRTIO_F_NOTIFICATION_DATA": 38,
                      "VIRTIO_F_NOTIF_CONFIG_DATA": 39, "VIRTIO_F_RING_RESET": 40}

WORDS = ["id", "len", "length", "data", "value", "status", "flags", "kind", "mode", "sector", "count", "index",
         "offset", "size", "type", "level", "event", "request", "response", "reply", "message", "header", "payload",
         "buffer", "entry", "key", "code", "port", "rows", "cols", "rate", "slot", "handle", "ring", "page", "vector",
         "config", "state", "queue", "feature", "result", "time", "clock", "signal", "name", "node", "link", "frame",
         "mac", "mtu", "speed", "duplex", "reserved", "padding", "bits", "mask", "word", "byte", "min", "max"]

# Names generated code, the runtime or the C and C++ libraries also use: the checker refuses
# some of them, and generated code must compile with every one it accepts.
TRICKY = ["class_", "len_", "std", "vgen", "wire", "main", "log", "hex", "pattern", "describe", "reset", "started",
          "bytes", "queue", "feature", "buffers", "bound", "start", "stop", "poll", "core", "spec", "kSpec",
          "config", "malformed", "members", "kNames", "EOF", "EINVAL", "errno", "assert", "offsetof",
          "major", "minor", "stdin", "size_t", "uint8_t", "int32_t", "string", "array", "span", "memcpy", "printf",
          "exit", "abort", "signal", "time", "clock", "stat", "index", "Message", "DeviceModel", "Direction",
          "kQueueCount", "kDeviceId", "message", "request", "reply", "data_in", "data_out", "written", "options",
          "on_reset", "set_x", "x_", "send", "receive", "channel", "address", "this_", "new_", "delete_", "and_",
          "final", "override", "import", "module", "I", "L", "A", "B", "Z", "_x", "x__y", "e", "i", "n", "v",
          "value_", "value", "id_", "set_value", "get", "set"]

PLAIN_TEXT = ["A field.", "Echoed in the response.", "Sector number, 512-byte units.", "VirtIO 1.2 §5.2",
              "Größe in Bytes", "日本語の説明", "tabs\tand spaces"]
HOSTILE_TEXT = ["ends in a backslash \\", "holds */ a comment end", "trigraph ??/", "/* opens a comment",
                "a \"quoted\" word", "int not_code = 0;", "line one\nline two\n\nline four", "\\\nspliced",
                "#define X 1", "{{name}} is not a tag", "50% ok", "back\\slash\\", "é\u2028separator"]


class Spec:
    """One random spec: its YAML text and its name."""

    def __init__(self, name, kind, text):
        self.name = name
        self.kind = kind
        self.text = text


def quoted(text):
    # JSON strings are YAML double-quoted scalars.
    return json.dumps(text, ensure_ascii=False)


class Generator:
    def __init__(self, seed):
        self.random = random.Random(seed)

    # --- names and text -----------------------------------------------------------------------

    def word(self):
        r = self.random
        if r.random() < 0.05:
            return r.choice(TRICKY)  # never NULL: YAML reads a plain NULL as no value
        parts = [r.choice(WORDS) for _ in range(r.choice([1, 1, 1, 2, 2, 3]))]
        name = "_".join(parts)
        if r.random() < 0.15:
            name += str(r.randrange(100))
        if r.random() < 0.1:
            name = name.upper()
        elif r.random() < 0.1:
            name = "".join(p.capitalize() for p in parts)
        return name

    def unique_words(self, count, taken=None):
        # Unique as written and after case folding, so that most specs pass the collision
        # checks (the tricky names still collide now and then, on purpose).
        seen = set() if taken is None else taken
        names = []
        while len(names) < count:
            name = self.word()
            key = name.lower().replace("_", "")
            if key in seen:
                name = "%s%d" % (name, len(names) + len(seen))
                key = name.lower().replace("_", "")
                if key in seen:
                    continue
            seen.add(key)
            names.append(name)
        return names

    def description(self):
        r = self.random
        roll = r.random()
        if roll < 0.6:
            return None
        if roll < 0.8:
            return r.choice(PLAIN_TEXT)
        return r.choice(HOSTILE_TEXT)

    def described(self, entries):
        text = self.description()
        if text is not None:
            entries.append(("description", quoted(text)))
        return entries

    def spec_name(self, index):
        # The index keeps the namespaces of one batch apart (they share a translation unit).
        r = self.random
        tail = r.choice(["dev", "net", "blk", "gpio", "input", "echo", "sensor", "ring", "x", "pair", "io"])
        for _ in range(r.randrange(3)):
            tail += r.choice(["-", "_", ""]) + r.choice(["a", "b1", "foo", "bar", "rx", "tx", "9"])
        return "s%d-%s" % (index, tail)

    # --- types ----------------------------------------------------------------------------------

    def integer_in(self, scalar):
        size, signed = SCALARS[scalar]
        bits = size * 8
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        r = self.random
        roll = r.random()
        if roll < 0.15:
            return low
        if roll < 0.3:
            return high
        return r.randint(low, min(high, low + 1000) if r.random() < 0.5 else high)

    def literal(self, value):
        r = self.random
        if value >= 0 and r.random() < 0.3:
            return hex(value)
        return str(value)

    def enum_type(self, name):
        r = self.random
        scalar = r.choice(list(SCALARS))
        values = []
        seen = set()
        for value_name in self.unique_words(r.randint(1, 5)):
            value = self.integer_in(scalar)
            while value in seen:
                value = self.integer_in(scalar)
            seen.add(value)
            values.append(self.flow(self.described([("name", value_name), ("value", self.literal(value))])))
        entry = self.described([("name", name), ("kind", "enum"), ("type", scalar)])
        return self.block(entry, "values", values), {"size": SCALARS[scalar][0], "align": SCALARS[scalar][0],
                                                     "kind": "enum", "be": False}

    def flags_type(self, name):
        r = self.random
        scalar = r.choice(UNSIGNED)
        width = SCALARS[scalar][0] * 8
        flag_names = self.unique_words(r.randint(1, min(6, width)))
        bits = r.sample(range(width), len(flag_names))
        flags = [self.flow(self.described([("name", n), ("bit", str(b))])) for n, b in zip(flag_names, bits)]
        entry = self.described([("name", name), ("kind", "flags"), ("type", scalar)])
        return self.block(entry, "flags", flags), {"size": SCALARS[scalar][0], "align": SCALARS[scalar][0],
                                                   "kind": "flags", "be": False}

    def struct_type(self, name, known, little_endian_only=False, max_size=512):
        # known: type name -> layout facts of the types already made (structs nest only in those).
        r = self.random
        entries, layout = self.fields(known, little_endian_only, max_size, allow_order=not little_endian_only)
        entry = [("name", name), ("kind", "struct")]
        if layout["struct_be"]:
            entry.append(("byte_order", "be"))
        if r.random() < 0.3:
            entry.append(("size", str(layout["size"])))
        self.described(entry)
        return self.block(entry, "fields", entries), {"size": layout["size"], "align": layout["align"],
                                                      "kind": "struct", "be": layout["be"]}

    def fields(self, known, little_endian_only, max_size, allow_order=True, config=False):
        """A list of field and padding entries, laid out as vgen lays them out."""
        r = self.random
        struct_be = allow_order and r.random() < 0.2
        offset = 0
        align = 1
        any_be = struct_be
        entries = []
        names = self.unique_words(r.randint(1, 6))
        for field_name in names:
            if r.random() < 0.15:
                pad = r.randint(1, 7)
                entries.append(self.flow(self.described([("pad", str(pad))])))
                offset += pad
            candidates = list(SCALARS)
            candidates += [t for t, facts in known.items() if not (little_endian_only and facts["be"])]
            element = r.choice(candidates)
            if element in SCALARS:
                size = element_align = SCALARS[element][0]
            else:
                size, element_align = known[element]["size"], known[element]["align"]
            count = None
            if r.random() < 0.2 and size <= 64:
                count = r.randint(1, 8)
            total = size * (count or 1)
            start = (offset + element_align - 1) // element_align * element_align
            if start + total > max_size:
                continue
            field = [("name", field_name),
                     ("type", quoted("%s[%s]" % (element, self.literal(count))) if count else element)]
            is_struct = element in known and known[element]["kind"] == "struct"
            if element in known and known[element]["be"]:
                any_be = True
            if not is_struct and allow_order and r.random() < 0.2:
                order = r.choice(["le", "be"])
                field.append(("byte_order", order))
                any_be = any_be or order == "be"
            elif not is_struct and struct_be:
                any_be = True
            if r.random() < 0.2:
                # An explicit offset: here or a little later, aligned.
                start += element_align * r.randint(0, 2)
                if start + total > max_size:
                    continue
                field.append(("offset", str(start)))
            self.described(field)
            entries.append(self.flow(field))
            offset = start + total
            align = max(align, element_align)
        if not entries or all(e.startswith("{pad") for e in entries):
            entries.append(self.flow([("name", "only_field"), ("type", "u8")]))
            offset += 1
        size = offset if config else (offset + align - 1) // align * align
        return entries, {"size": size, "align": align, "be": any_be, "struct_be": struct_be}

    def types(self, count, little_endian_structs=0, max_size=512):
        """`count` types of every kind, listed in random order; returns (entries, facts by name)."""
        r = self.random
        names = self.unique_words(count)
        known = {}
        entries = []
        for index, name in enumerate(names):
            kind = r.choice(["struct", "struct", "struct", "enum", "flags"])
            if index < little_endian_structs:
                kind = "struct"
            if kind == "struct":
                text, facts = self.struct_type(name, known, little_endian_only=index < little_endian_structs,
                                               max_size=max_size)
            elif kind == "enum":
                text, facts = self.enum_type(name)
            else:
                text, facts = self.flags_type(name)
            known[name] = facts
            entries.append(text)
        r.shuffle(entries)
        return entries, known

    # --- YAML -------------------------------------------------------------------------------------

    def flow(self, pairs):
        return "{" + ", ".join("%s: %s" % (k, v) for k, v in pairs) + "}"

    def block(self, pairs, list_key, items):
        lines = ["name: %s" % pairs[0][1]] + ["%s: %s" % (k, v) for k, v in pairs[1:]]
        lines.append("%s:" % list_key)
        lines += ["  - " + item for item in items]
        return "\n".join(lines)

    def document(self, top, lists):
        lines = ["%s: %s" % (k, v) for k, v in top]
        for key, items in lists:
            if not items:
                continue
            lines.append("%s:" % key)
            for item in items:
                item_lines = item.split("\n")
                lines.append("  - " + item_lines[0])
                lines += ["    " + line for line in item_lines[1:]]
        return "\n".join(lines) + "\n"

    def top(self, kind, name):
        top = [("kind", kind), ("name", name)]
        if self.random.random() < 0.3:
            top.append(("format", "1"))
        text = self.description()
        if text is not None:
            top.append(("description", quoted(text)))
        return top

    # --- kinds ------------------------------------------------------------------------------------

    def virtio(self, name):
        r = self.random
        types, known = self.types(r.randint(0, 6), little_endian_structs=1)
        top = self.top("virtio", name)
        top.append(("device_id", self.literal(r.randint(1, 0xFFFFFFFF) if r.random() < 0.3 else r.randint(1, 60))))
        if r.random() < 0.3:
            top.append(("vendor_id", self.literal(r.randint(0, 0xFFFFFFFF))))
        features = []
        feature_names = []
        device_bits = r.sample(range(24), r.randint(0, 5))
        for bit, feature_name in zip(device_bits, self.unique_words(len(device_bits))):
            feature_name = feature_name.upper()
            if feature_name.startswith("VIRTIO_F_") or feature_name in feature_names:
                continue
            feature_names.append(feature_name)
            features.append([("name", feature_name), ("bit", str(bit))])
        for transport in r.sample(sorted(TRANSPORT_FEATURES), r.randint(0, 3)):
            entry = [("name", transport)]
            if r.random() < 0.5:
                entry.append(("bit", str(TRANSPORT_FEATURES[transport])))
            feature_names.append(transport)
            features.append(entry)
        feature_items = []
        for entry in features:
            others = [f for f in feature_names if f != entry[0][1]]
            if others and r.random() < 0.25:
                entry.append(("depends_on", "[" + ", ".join(r.sample(others, r.randint(1, min(2, len(others))))) + "]"))
            feature_items.append(self.flow(self.described(entry)))
        config = []
        if r.random() < 0.5:
            little = {t: f for t, f in known.items() if not f["be"]}
            config, _ = self.fields(little, True, 256, allow_order=False, config=True)
        structs = [t for t, f in known.items() if f["kind"] == "struct"]
        queues = []
        for queue_name in self.unique_words(r.randint(1, 5)):
            direction = r.choice(["driver-to-device", "device-to-driver", "bidirectional"])
            entry = [("name", queue_name), ("size", str(1 << r.randint(0, 15))), ("direction", direction)]
            if direction == "bidirectional" and structs:
                entry.append(("messages", "[" + ", ".join(r.choice(structs) for _ in range(r.randint(1, 2))) + "]"))
            elif direction == "bidirectional":
                entry[2] = ("direction", "driver-to-device")
            elif structs and r.random() < 0.7:
                entry.append(("messages", "[%s]" % r.choice(structs)))
            if feature_names and r.random() < 0.2:
                entry.append(("feature", r.choice(feature_names)))
            queues.append(self.flow(self.described(entry)))
        return self.document(top, [("features", feature_items), ("config", config), ("queues", queues),
                                   ("types", types)])

    def split(self, name):
        r = self.random
        # Ring slots fit in a page after the 64-byte header.
        types, known = self.types(r.randint(2, 6), max_size=1024)
        structs = [t for t, f in known.items() if f["kind"] == "struct"]
        if not structs:
            types2, known2 = self.types(1, little_endian_structs=1, max_size=1024)
            types += types2
            known.update(known2)
            structs = list(known2)
        top = self.top("split", name)
        top.append(("device_type", r.choice(["vbd", "vif", "vdummy", "x-dev", "gpio_2"])))
        flavour = r.choice(["xenbus", "vbus"])
        top.append(("flavour", flavour))
        if flavour == "vbus":
            strings = ["dev,frontend", "dev,backend", "a\"b\\c", "??=x", "f/e", "x*/y", "back\\"]
            front, back = r.sample(strings, 2)
            top.append(("compatible", "{frontend: %s, backend: %s}" % (quoted(front), quoted(back))))
        rings = []
        if r.random() < 0.4:
            # Several rings, each with its own types and nodes; one may span several pages
            # (its slots then still fit: a struct of up to 1024 bytes fits in one page).
            multi_page = r.randrange(3)
            for index in range(r.randint(1, 3)):
                ring_name = self.word()
                ring = [("name", ring_name), ("request", r.choice(structs)), ("response", r.choice(structs))]
                if index == multi_page:
                    ring.append(("pages", r.choice(["2", "4", "8"])))
                if r.random() < 0.5:
                    ring.append(("event_channel", quoted("event-channel-" + ring_name.lower().replace("_", "-"))))
                if r.random() < 0.3:
                    ring.append(("ring_ref", quoted("ring-ref-" + str(index))))
                rings.append(self.flow(self.described(ring)))
        else:
            ring = [("request", r.choice(structs)), ("response", r.choice(structs))]
            if r.random() < 0.5:
                ring.insert(0, ("pages", r.choice(["1", "1", "2", "4"])))
            top.append(("ring", self.flow(ring)))
        store = []
        used = {"frontend": set(), "backend": set()}
        for _ in range(r.randint(0, 5)):
            side = r.choice(["frontend", "backend"])
            node = r.choice(["ring-ref", "event-channel", "feature-x", "queue-0/ring-ref", "sectors", "mode",
                             "protocol", "multi-queue-num-queues", self.word().replace("_", "-")])
            if node.lower().replace("_", "-") in used[side]:
                continue
            used[side].add(node.lower().replace("_", "-"))
            node_type = r.choice(UNSIGNED + ["string"])
            store.append(self.flow(self.described([("name", quoted(node)), ("side", side), ("type", node_type)])))
        return self.document(top, [("types", types), ("rings", rings), ("store", store)])

    def rpmsg(self, name):
        r = self.random
        buffer_size = r.choice([None, 64, 512, 4096])
        payload = (buffer_size or 512) - 16
        types, known = self.types(r.randint(0, 5), max_size=payload)
        fitting = [t for t, f in known.items() if f["kind"] == "struct" and f["size"] <= payload]
        top = self.top("rpmsg", name)
        service = r.choice(["rpmsg-echo", "svc", "a\"b\\c", "x??=y", "sensor.hub", "/*c", "0123456789012345678901234567890"])
        top.append(("service", quoted(service)))
        if buffer_size:
            top.append(("buffer_size", str(buffer_size)))
        endpoints = []
        addresses = r.sample(range(1024, 70000), 6)
        for index, endpoint_name in enumerate(self.unique_words(r.randint(1, 4))):
            entry = [("name", endpoint_name)]
            if index > 0 or r.random() < 0.5:
                address = addresses[index] if r.random() < 0.8 else 0xFFFFFFFE - index
                entry.append(("address", self.literal(address)))
            if fitting and r.random() < 0.7:
                entry.append(("messages", "[%s]" % r.choice(fitting)))
            endpoints.append(self.flow(self.described(entry)))
        return self.document(top, [("endpoints", endpoints), ("types", types)])

    def spec(self, index):
        kind = self.random.choice(["virtio", "split", "rpmsg"])
        name = self.spec_name(index)
        return Spec(name, kind, getattr(self, kind)(name))
