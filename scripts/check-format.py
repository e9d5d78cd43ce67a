#!/usr/bin/env python3
"""Checks that the C and C++ files under the given folders follow vgen's style (the root
.clang-format), with Debian's clang-format 14:

  check-format.py CLANG_FORMAT STYLE_FILE FOLDER...

Prints each file that differs with its first differing line, and how to fix them all.
Exit status: 0 all formatted, 1 some file differs, 2 clang-format could not run."""
import concurrent.futures
import os
import subprocess
import sys

SUFFIXES = (".c", ".h", ".cpp", ".hpp")


def sources(folders):
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in ("Inputs", "build"))
            for name in sorted(files):
                if name.endswith(SUFFIXES):
                    yield os.path.join(root, name)


def first_difference(text, formatted):
    original, wanted = text.splitlines(), formatted.splitlines()
    for index, (ours, theirs) in enumerate(zip(original, wanted)):
        if ours != theirs:
            return index + 1
    return min(len(original), len(wanted)) + 1


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    clang_format, style, folders = argv[1], argv[2], argv[3:]
    def format_one(path):
        return path, subprocess.run([clang_format, "--style=file:" + style, path], capture_output=True, text=True)

    differing = []
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(format_one, sources(folders)))
    except OSError as error:
        print("check-format: cannot run %s: %s" % (clang_format, error), file=sys.stderr)
        return 2
    for path, result in results:
        if result.returncode != 0:
            print("check-format: %s failed on %s: %s" % (clang_format, path, result.stderr.strip()), file=sys.stderr)
            return 2
        with open(path, encoding="utf-8", errors="replace") as source:
            text = source.read()
        if text != result.stdout:
            differing.append(path)
            print("%s:%d: not in vgen's clang-format style" % (path, first_difference(text, result.stdout)))
    if differing:
        print("check-format: %d file(s) differ; fix with: %s -i --style=file:%s FILE..." % (len(differing), clang_format, style))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
