#!/usr/bin/env python3
# Property test of the generator: every spec `vgen check` accepts generates code that compiles
# with -Wall -Wextra -Werror, and `vgen generate` refuses exactly what `vgen check` refuses.
#
# Random specs of every kind (random_specs.py) are made from one seed; `vgen check` reads them
# all; each accepted spec is generated (generated and user files) and compiled, many specs to a
# translation unit: the first halves' files and the demos in one, the second halves' in
# another (each half's file has its own helpers in the spec's namespace). A failure prints the
# seed, the spec and the compiler's errors, and how to run that spec again.
#
#   spec_property.py --vgen BIN --cxx CXX --include DIR [--seed N] [--count N] [--batch N]
#                    [--index I] [--work DIR] [--keep]
# The seed is random unless given (or VGEN_PROPERTY_SEED is set); --index runs one spec of it.
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import random_specs  # noqa: E402

LOCATED = re.compile(r"^(.+\.yaml):(\d+):(\d+): error: .+$")


def spec_for(seed, index):
    # One generator per spec, seeded from the run's seed and the spec's index: any spec can be
    # made again alone.
    return random_specs.Generator("%d:%d" % (seed, index)).spec(index)


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, errors="replace", **kwargs)


class Failure(Exception):
    pass


def report(seed, spec, path, what, details):
    print("FAIL (seed %d, spec %s): %s" % (seed, spec.name, what))
    print("--- the spec (%s) ---" % path)
    print(spec.text, end="")
    print("--- %s ---" % ("details"))
    print(details.rstrip())
    print("--- again: %s --seed %d --index %s ---" % (sys.argv[0], seed, spec.name.split("-")[0][1:]))
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--vgen", required=True)
    parser.add_argument("--cxx", required=True)
    parser.add_argument("--include", required=True, help="the runtime's include folder")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--count", type=int, default=250)
    parser.add_argument("--batch", type=int, default=125)
    parser.add_argument("--demo-every", type=int, default=3, help="compile the demo of every Nth spec")
    parser.add_argument("--index", type=int, help="run only this spec of the seed")
    parser.add_argument("--work")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    seed = args.seed
    if seed is None and os.environ.get("VGEN_PROPERTY_SEED"):
        seed = int(os.environ["VGEN_PROPERTY_SEED"])
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "little")
    indices = [args.index] if args.index is not None else list(range(args.count))
    if args.index is not None:
        args.demo_every = 1
    print("spec property test: seed %d, %d spec(s)" % (seed, len(indices)))
    sys.stdout.flush()
    started = time.monotonic()

    work = args.work or tempfile.mkdtemp(prefix="vgen-property-")
    os.makedirs(work, exist_ok=True)
    specs = {}
    paths = {}
    for index in indices:
        spec = spec_for(seed, index)
        path = os.path.join(work, spec.name + ".yaml")
        with open(path, "w", encoding="utf-8") as out:
            out.write(spec.text)
        specs[path] = spec
        paths[spec.name] = path

    failures = 0

    # vgen check reads them all at once; each error line is located.
    checked = run([args.vgen, "check"] + list(specs))
    if checked.returncode not in (0, 1):
        print("FAIL (seed %d): vgen check exited %d\n%s" % (seed, checked.returncode, checked.stderr))
        return 1
    refused = {}
    for line in checked.stderr.splitlines():
        match = LOCATED.match(line)
        if not match or match.group(1) not in specs:
            print("FAIL (seed %d): vgen check printed an error without file:line:col\n%s" % (seed, line))
            return 1
        refused.setdefault(match.group(1), []).append(line)
    accepted = [path for path in specs if path not in refused]

    # vgen generate refuses the refused ones with the checker's errors, and generates the rest.
    for path, spec in specs.items():
        folder = os.path.join(work, "out", spec.name)
        generated = run([args.vgen, "generate", path, "-o", folder, "-q", "--no-format"])
        if path in refused:
            errors = [line for line in generated.stderr.splitlines() if line]
            if generated.returncode != 1 or errors != refused[path]:
                report(seed, spec, path, "vgen generate does not refuse it as vgen check does",
                       "check:\n%s\ngenerate (exit %d):\n%s" % ("\n".join(refused[path]), generated.returncode,
                                                                generated.stderr))
                failures += 1
        elif generated.returncode != 0:
            report(seed, spec, path, "vgen check accepts it, vgen generate exits %d" % generated.returncode,
                   generated.stderr)
            failures += 1

    # Compile the accepted specs' files, a batch to a translation unit per half. Every
    # `--demo-every`th spec's demo is compiled too (run_pair instantiates the whole pair
    # machinery for each spec: most of the compile time).
    def halves(spec):
        return ("frontend", "backend") if spec.kind == "split" else ("driver", "device")

    def with_demo(path):
        return int(specs[path].name.split("-")[0][1:]) % args.demo_every == 0

    def unit(batch, half_index, name):
        lines = []
        for path in batch:
            spec = specs[path]
            folder = os.path.join(work, "out", spec.name)
            snake = spec.name.replace("-", "_")
            lines.append('#include "%s"' % os.path.join(folder, "%s_%s.cpp" % (snake, halves(spec)[half_index])))
            if half_index == 0 and with_demo(path):
                lines.append("#define main demo_main_%s" % snake)
                lines.append('#include "%s"' % os.path.join(folder, "%s_demo.cpp" % snake))
                lines.append("#undef main")
        source = os.path.join(work, name)
        with open(source, "w") as out:
            out.write("\n".join(lines) + "\n")
        return source

    units = [0]

    def compile_batch(batch):
        errors = ""
        for half_index in (0, 1):
            units[0] += 1
            source = unit(batch, half_index, "unit%d.cpp" % units[0])
            compiled = run([args.cxx, "-std=c++20", "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
                            "-I", args.include, source])
            if compiled.returncode != 0:
                errors += compiled.stderr
        return errors

    # A failing batch is halved until the specs that fail alone are found: the first few of
    # them (a template broken for every spec would otherwise cost a compile per spec).
    reported = [0]

    def find_failures(batch, errors):
        if reported[0] >= 3:
            print("FAIL (seed %d): specs %s do not compile together; not examined further" %
                  (seed, ", ".join(specs[path].name for path in batch)))
            return 1
        if len(batch) == 1:
            reported[0] += 1
            report(seed, specs[batch[0]], batch[0], "accepted by vgen check, its generated code does not compile",
                   "\n".join(errors.splitlines()[:60]))
            return 1
        middle = len(batch) // 2
        found = 0
        for part in (batch[:middle], batch[middle:]):
            part_errors = compile_batch(part)
            if part_errors:
                found += find_failures(part, part_errors)
        if not found:
            print("FAIL (seed %d): specs %s compile apart but not together" %
                  (seed, ", ".join(specs[path].name for path in batch)))
            print("\n".join(errors.splitlines()[:60]))
            found = 1
        return found

    compilable = [path for path in accepted if os.path.isdir(os.path.join(work, "out", specs[path].name))]
    batches = [compilable[i:i + args.batch] for i in range(0, len(compilable), args.batch)]
    for batch in batches:
        errors = compile_batch(batch)
        if errors:
            failures += find_failures(batch, errors)

    elapsed = time.monotonic() - started
    demos = sum(1 for path in compilable if with_demo(path))
    print("spec property test: seed %d: %d spec(s), %d accepted and compiled (%d with their demo) in %d "
          "translation unit(s), %d refused by vgen check and by vgen generate, %.1f s" %
          (seed, len(specs), len(compilable), demos, units[0], len(refused), elapsed))
    kinds = {}
    for path in compilable:
        kinds[specs[path].kind] = kinds.get(specs[path].kind, 0) + 1
    print("accepted by kind: " + ", ".join("%s %d" % item for item in sorted(kinds.items())))
    if failures:
        print("%d failure(s); the seed is %d" % (failures, seed))
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
