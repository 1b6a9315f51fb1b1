#!/usr/bin/env python3
"""The module's layers point one way (Documentation/design.rst, "Layers").

Reads every `crate::<module>` path in the code (not in comments) of each
file under rust/ and fails when a file names a module of its own layer or
of a layer above: ffi is mechanism only, the endpoint and the controller
state never name sockets, and so on. Prints each offending line."""
import pathlib
import re
import sys

# Lowest first; a module may use only modules of lower layers.
LAYERS = [
    {"proto", "clock"},
    {"ffi"},
    {"control", "endpoint"},
    {"netns"},
    {"sock"},
    {"netlink"},
]
LAYER = {m: i for i, mods in enumerate(LAYERS) for m in mods}
PATH = re.compile(r"\bcrate::(\w+)")
GROUP = re.compile(r"\bcrate::\{([^}]*)")

root = pathlib.Path(__file__).resolve().parent.parent / "rust"
bad = checked = 0
for path in sorted(root.rglob("*.rs")):
    rel = path.relative_to(root)
    own = rel.parts[0].removesuffix(".rs")
    if own not in LAYER or "generated" in rel.name:
        continue
    checked += 1
    for no, line in enumerate(path.read_text().splitlines(), 1):
        code = line.split("//", 1)[0]
        names = PATH.findall(code) + [
            n.strip().split("::")[0] for g in GROUP.findall(code) for n in g.split(",")]
        for used in names:
            if used == own or used not in LAYER:
                continue
            if LAYER[used] >= LAYER[own]:
                print(f"layers: rust/{rel}:{no}: {own} names crate::{used}, "
                      f"which is not below it: {line.strip()}")
                bad += 1
print(f"layers: {checked} files, {bad} arrow(s) that do not point down")
sys.exit(1 if bad else 0)
