#!/usr/bin/env python3
"""How much of vgen's generated code is framework written out again for every device.

Generates every reference device in devices/ and the default project of each kind that
`vgen new-device` makes, with names normalised (the spec's name in each of its spellings
becomes "@"), then reports for each kind:

- identical: the share of generated lines (non-blank, stripped) that also appear, in the
  same order, in the corresponding file of another device of the kind (difflib's matching
  blocks), over every ordered pair of devices;
- the length in lines of each device's generated demo main.

  scripts/measure-generated.py [--vgen PATH] [--max-identical PCT] [--max-demo-lines N]

Exit status 1 when a kind's identical share exceeds --max-identical or a demo main is longer
than --max-demo-lines (when given), 2 on a usage or generation error.
"""
import argparse
import difflib
import itertools
import pathlib
import re
import subprocess
import sys
import tempfile

KINDS = ("virtio", "split", "rpmsg")


def spellings(name):
    """The spellings of a spec name that generated code uses, longest first."""
    words = re.split(r"[-_]", name)
    forms = {
        name,
        "_".join(words),
        "-".join(words),
        "".join(word.capitalize() for word in words),
        "_".join(words).upper(),
    }
    return sorted(forms, key=len, reverse=True)


def spec_kind_and_name(spec):
    text = spec.read_text()
    kind = re.search(r"^kind:\s*([a-z]+)", text, re.M)
    name = re.search(r"^name:\s*([a-z0-9_-]+)", text, re.M)
    return (kind.group(1) if kind else None), (name.group(1) if name else None)


def generate(vgen, spec, out):
    subprocess.run([vgen, "generate", str(spec), "-o", str(out), "--generated-only", "-q"], check=True)


def normalised_files(folder, name):
    """{role: [lines]}: each generated file by its name without the spec prefix."""
    prefix = "_".join(re.split(r"[-_]", name)) + "_"
    files = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not path.name.startswith(prefix):
            continue
        text = path.read_text()
        for form in spellings(name):
            text = text.replace(form, "@")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        files[path.name[len(prefix):]] = lines
    return files


def matched_lines(first, second):
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def identical_share(devices):
    """(identical lines, lines) over every ordered pair of devices."""
    identical = total = 0
    for (_, a), (_, b) in itertools.permutations(devices, 2):
        for role, lines in a.items():
            total += len(lines)
            identical += matched_lines(lines, b.get(role, []))
    return identical, total


def collect(vgen, source, work):
    """{kind: [(label, files)]}, and {label: demo main line count}."""
    devices = {kind: [] for kind in KINDS}
    demo_lines = {}
    specs = sorted(source.glob("devices/*/*.yaml"))
    for kind in KINDS:
        project = work / ("scaffold-" + kind)
        subprocess.run([vgen, "new-device", "scaffold-" + kind, "--kind", kind, "--dir", str(project), "-q"],
                       check=True)
        specs.append(project / ("scaffold-" + kind + ".yaml"))
    for spec in specs:
        kind, name = spec_kind_and_name(spec)
        if kind not in KINDS:
            continue
        label = name
        out = work / "out" / name
        generate(vgen, spec, out)
        files = normalised_files(out, name)
        devices[kind].append((label, files))
        demo = out / ("_".join(re.split(r"[-_]", name)) + "_demo.cpp")
        demo_lines[label] = len(demo.read_text().splitlines()) if demo.exists() else 0
    return devices, demo_lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = pathlib.Path(__file__).resolve().parent.parent
    parser.add_argument("--vgen", default=str(root / "build/default/bin/vgen"), help="the vgen to run")
    parser.add_argument("--source", default=str(root), help="the vgen checkout (its devices/ are measured)")
    parser.add_argument("--max-identical", type=float, help="fail above this identical share, in percent")
    parser.add_argument("--max-demo-lines", type=int, help="fail when a demo main has more lines")
    args = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix="vgen-measure-") as folder:
            devices, demo_lines = collect(args.vgen, pathlib.Path(args.source), pathlib.Path(folder))
    except (subprocess.CalledProcessError, OSError) as error:
        print("measure-generated: " + str(error), file=sys.stderr)
        return 2
    failed = False
    print("kind    devices  lines/device  identical")
    for kind in KINDS:
        identical, total = identical_share(devices[kind])
        share = 100.0 * identical / total if total else 0.0
        count = len(devices[kind])
        lines = sum(len(lines) for _, files in devices[kind] for lines in files.values()) // max(count, 1)
        over = args.max_identical is not None and share > args.max_identical
        failed = failed or over
        print(f"{kind:7} {count:7}  {lines:12}  {share:8.1f} %" + ("  OVER THE GOAL" if over else ""))
    print("demo main lines:")
    for label, lines in sorted(demo_lines.items()):
        over = args.max_demo_lines is not None and lines > args.max_demo_lines
        failed = failed or over
        print(f"  {label:20} {lines}" + ("  OVER THE GOAL" if over else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
