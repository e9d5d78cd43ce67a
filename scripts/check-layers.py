#!/usr/bin/env python3
"""Checks the runtime's layer graph against its #include lines.

runtime/CMakeLists.txt declares each layer and the layers it depends on; CMake writes that
graph to <build>/runtime-layers.txt ("layer: dep dep ..." per line, lowest layer first). A
layer's sources (runtime/<layer>/) and public headers (runtime/include/vgen/<layer>/) may
include only its own headers, the shared base headers (runtime/include/vgen/*.hpp) and headers
of layers it reaches through its declared dependencies; and every declared dependency must be
included directly, so the declaration stays equal to the include graph.

Usage: check-layers.py RUNTIME_DIR LAYERS_FILE. Prints one line per problem and exits 1 if any.
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]vgen/([A-Za-z_]+)(/|\.hpp)')
SOURCES = ("*.hpp", "*.cpp", "*.h", "*.c")


def read_layers(path):
    """The declared graph as {layer: [deps]}, in declaration order."""
    layers = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        name, _, deps = line.partition(":")
        if not _:
            sys.exit(f"{path}:{number}: error: expected 'layer: deps', got '{line}'")
        layers[name.strip()] = deps.split()
    return layers


def files_of(runtime, layer):
    """Every source and public header of one layer."""
    for folder in (runtime / layer, runtime / "include" / "vgen" / layer):
        for pattern in SOURCES:
            yield from sorted(folder.rglob(pattern))


def reachable(layers, layer):
    """The layers `layer` may include: its dependencies, transitively."""
    seen, stack = set(), list(layers[layer])
    while stack:
        dep = stack.pop()
        if dep not in seen:
            seen.add(dep)
            stack.extend(layers.get(dep, []))
    return seen


def included_layers(path):
    """(line number, layer) of every vgen include in a file; base headers have no layer."""
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        match = INCLUDE.match(line)
        if match and match.group(2) == "/":
            yield number, match.group(1)


def check_order(layers):
    problems, declared = [], set()
    for layer, deps in layers.items():
        for dep in deps:
            if dep not in layers:
                problems.append(f"layer '{layer}' depends on '{dep}', which is not a layer")
            elif dep not in declared:
                problems.append(f"layer '{layer}' depends on '{dep}', which is declared after it (a cycle or a wrong order)")
        declared.add(layer)
    return problems


def check_layer(runtime, layers, layer):
    problems, used = [], set()
    allowed = reachable(layers, layer)
    order = list(layers)
    for path in files_of(runtime, layer):
        for number, target in included_layers(path):
            if target == layer:
                continue
            used.add(target)
            if target not in allowed:
                if target not in layers:
                    where = "not a layer"
                elif order.index(target) > order.index(layer):
                    where = "a higher layer"
                else:
                    where = "not a declared dependency"
                problems.append(f"{path.relative_to(runtime.parent)}:{number}: layer '{layer}' includes "
                                f"vgen/{target}/ ({where}); declared dependencies: {' '.join(layers[layer]) or 'none'}")
    for dep in layers[layer]:
        if dep not in used:
            problems.append(f"layer '{layer}' declares a dependency on '{dep}' but includes none of its headers")
    return problems


def check_base(runtime):
    problems = []
    for path in sorted((runtime / "include" / "vgen").glob("*.hpp")):
        for number, target in included_layers(path):
            problems.append(f"{path.relative_to(runtime.parent)}:{number}: base header includes vgen/{target}/")
    return problems


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check-layers.py RUNTIME_DIR LAYERS_FILE")
    runtime, layers = pathlib.Path(sys.argv[1]), read_layers(pathlib.Path(sys.argv[2]))
    problems = check_order(layers) + check_base(runtime)
    for layer in layers:
        problems += check_layer(runtime, layers, layer)
    folders = {p.name for p in runtime.iterdir() if p.is_dir() and p.name != "include"}
    folders |= {p.name for p in (runtime / "include" / "vgen").iterdir() if p.is_dir()}
    problems += [f"runtime folder '{name}' belongs to no declared layer" for name in sorted(folders - set(layers))]
    for problem in problems:
        print(problem)
    print(f"{len(layers)} layers checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
