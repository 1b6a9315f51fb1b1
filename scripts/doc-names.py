#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Every file, function and command the documentation names exists.

Reads README.md and Documentation/*.rst, takes each ``literal`` (rst) or
`literal` (markdown) and checks it against the repository:

- a path (has a "/" or a file suffix): a file or directory with that path,
  from the root or as the tail of a path in the repository (the pages say
  ``conn/mod.rs`` for rust/proto/conn/mod.rs);
- a name (`foo()`, `Type::method`, `snake_case`, `CamelCase`): its last
  identifier occurs in the repository's source (an ALL_CAPS wire name
  also as the CamelCase variant that carries it: TRIMMED_LASTHOP is
  `TrimmedLastHop`);
- `make TARGET`: a target of the Makefile.

Prints every name it could not find, with its page and line; exits 1 if
there was one. Literals that are neither (numbers, values, commands of
other programs, text, files a run writes: .png, .json) are not checked,
nor the names below: what the build writes, and the kernel's and libc's
own."""

import os
import re
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
files = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
paths = set(files)
dirs = {os.path.dirname(f) for f in files}
while "" in dirs:
    dirs.remove("")
dirs |= {os.path.dirname(d) for d in list(dirs)}
source = "\n".join(open(f, errors="replace").read() for f in files
                   if f.endswith((".rs", ".c", ".h", ".py", ".sh", ".yaml", ".8", "Makefile", "Kbuild"))
                   or "/" not in f)
# Every identifier of the source, lower case and without underscores.
folded = {w.replace("_", "").lower() for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source)}
targets = set(re.findall(r"^([a-z][a-z-]*):", open("Makefile").read(), re.M))
ELSEWHERE = {
    # Written by the build.
    "mrc.ko", "rust/mrc.o", "rust/ffi/bindings_generated.rs",
    # The kernel's source tree and its uapi; libc.
    "tools/net/ynl/ynl-gen-c.py", "lib/ynl.py", "mptcp_pm.yaml", "rust/Makefile",
    "NLMSGERR_ATTR_OFFS", "NLMSGERR_ATTR_MISS_TYPE", "SHUT_RD",
    # The kernel's config and functions, as a profile names them.
    "CONFIG_PERF_EVENTS", "SKB_GSO_UDP_L4", "ip6_output", "default_idle",
    "handle_softirqs", "queue_work", "mutex_spin_on_owner", "WQ_HIGHPRI", "UDP_GRO",
    "udp_unexpected_gso", "include/linux/udp.h", "sk_data_ready", "release_sock",
    "Mutex::try_lock", "queue_work_on", "try_to_wake_up", "sk_stream_write_space",
    "kick_pool", "cond_resched", "CONFIG_UNWINDER_FRAME_POINTER", "gro_enabled",
    "Udp6InCsumErrors", "udp_rcv_segment", "SKB_GSO_UDP_TUNNEL", "process_backlog",
    "netdev_max_backlog", "rep_movs_alternative", "skb_copy_bits", "memcpy_orig",
    "finish_task_switch",
    "_raw_spin_unlock_irqrestore", "skb_linearize",
}
SUFFIX = re.compile(r"\.(rs|c|h|sh|py|rst|md|yaml|toml|8|ko)$")
IDENT = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*::)*([A-Za-z_][A-Za-z0-9_]*)(?:\(\))?$")


def path_exists(p):
    p = p.rstrip("/")
    if p in paths or p in dirs or os.path.exists(p):
        return True
    tail = "/" + p
    return any(f.endswith(tail) for f in paths) or any(d.endswith(tail) for d in dirs)


def judge(lit):
    """None if not checked, else whether it exists."""
    if lit.startswith("make ") and re.fullmatch(r"make [a-z-]+", lit):
        return lit.split()[1] in targets
    if lit in ELSEWHERE or " " in lit or lit.startswith(("-", ".", "$", "/proc", "/sys", "/dev", "/usr", "~", "http")):
        return None
    if ("/" in lit or SUFFIX.search(lit)) and re.fullmatch(r"[A-Za-z0-9_./<>*-]+", lit):
        if "<" in lit or "*" in lit or lit.startswith("build/") or lit.startswith("logs/"):
            return None  # a pattern, or what a run writes
        return path_exists(lit)
    m = IDENT.match(lit)
    if m and ("_" in lit or "::" in lit or lit.endswith("()") or re.search(r"[a-z][A-Z]", lit)):
        name = m.group(1)
        if re.search(r"\b" + re.escape(name) + r"\b", source):
            return True
        return name.isupper() and name.replace("_", "").lower() in folded
    return None


missing = []
pages = ["README.md"] + sorted(f for f in files if f.startswith("Documentation/") and f.endswith(".rst"))
for page in pages:
    lit_re = re.compile(r"``([^`]+)``" if page.endswith(".rst") else r"(?<!`)`([^`]+)`(?!`)")
    for n, line in enumerate(open(page), 1):
        for lit in lit_re.findall(line):
            if judge(lit.strip()) is False:
                missing.append(f"{page}:{n}: {lit}")
for m in missing:
    print(f"doc-names: not in the repository: {m}")
print(f"doc-names: {len(missing)} name(s) in {len(pages)} pages not found")
sys.exit(1 if missing else 0)
