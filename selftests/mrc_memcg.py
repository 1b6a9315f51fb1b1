#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Received messages are charged to the reader's memory cgroup (cgroup v2),
as the kernel charges socket memory: a reader in a cgroup of its own that
leaves 4 MiB unread holds them in its cgroup's kernel memory (memory.stat
"kernel"; memory.current also counts the reader's own heap), although the
namespace's receive work, not the reader, allocated them; reading gives
them back. Runs in a network namespace of its own."""
import os
import subprocess
import sys
import time

from ksft import Tap, own_netns, skip_unloaded
from mrcsock import AF, addr, connect, libc, listen, recv, send, sock

CGROUP = "/sys/fs/cgroup"
MESSAGE = 256 << 10
MESSAGES = 16
TOTAL = MESSAGE * MESSAGES
MIB = 1 << 20


def memory_controller():
    """The cgroup v2 root, mounted if need be, with the memory controller
    enabled for its children; None where the kernel has none."""
    if not os.path.exists(f"{CGROUP}/cgroup.controllers"):
        os.makedirs(CGROUP, exist_ok=True)
        subprocess.run(["mount", "-t", "cgroup2", "none", CGROUP], check=False)
    try:
        with open(f"{CGROUP}/cgroup.controllers") as f:
            if "memory" not in f.read().split():
                return None
        with open(f"{CGROUP}/cgroup.subtree_control", "w") as f:
            f.write("+memory")
    except OSError:
        return None
    return CGROUP


def current(cg):
    """The cgroup's kernel memory, bytes."""
    with open(f"{cg}/memory.stat") as f:
        return next(int(v) for k, v in (line.split() for line in f) if k == "kernel")


def settle(cg, done, seconds=10):
    """The cgroup's kernel memory once `done(it)` holds, or after `seconds`."""
    end = time.monotonic() + seconds
    now = current(cg)
    while not done(now) and time.monotonic() < end:
        time.sleep(0.05)
        now = current(cg)
    return now


def reader(cg, lfd, tell, told):
    """The child: joins `cg`, accepts, reads everything when told."""
    with open(f"{cg}/cgroup.procs", "w") as f:
        f.write(str(os.getpid()))
    afd = libc.accept(lfd, None, None)
    os.write(tell, b"a" if afd >= 0 else b"x")
    os.read(told, 1)
    got = 0
    while got < TOTAL:
        rc, _, _, _ = recv(afd, MESSAGE)
        if rc <= 0:
            break
        got += rc
    os.write(tell, b"r" if got == TOTAL else b"x")
    os.read(told, 1)
    os._exit(0)


def main():
    if AF is None:
        return skip_unloaded()
    rc = own_netns(__file__, "MRC_MEMCG_NETNS")
    if rc is not None:
        return rc
    root = memory_controller()
    if root is None:
        print("# the kernel has no cgroup v2 memory controller\n1..0 # SKIP", flush=True)
        return 4
    tap = Tap()
    cg = f"{root}/mrc-memcg-{os.getpid()}"
    os.mkdir(cg)
    lfd, cfd = sock(), sock()
    listen(lfd, 7701)
    connect(cfd, addr(7701))
    from_child, tell = os.pipe()
    told, to_child = os.pipe()
    pid = os.fork()
    if pid == 0:
        reader(cg, lfd, tell, told)
    accepted = os.read(from_child, 1) == b"a"
    time.sleep(0.2)
    base = current(cg)
    sent = sum(send(cfd, bytes([i]) * MESSAGE) for i in range(MESSAGES))
    held = settle(cg, lambda now: now - base >= TOTAL) - base
    tap.result(accepted and sent == TOTAL and held >= TOTAL,
               f"{TOTAL // MIB} MiB of unread messages are charged to the reader's memory cgroup "
               f"(its kernel memory +{held / MIB:.1f} MiB)")
    os.write(to_child, b"r")
    read = os.read(from_child, 1) == b"r"
    after = settle(cg, lambda now: now - base < MIB) - base
    tap.result(read and after < MIB,
               f"reading them gives the memory back (+{after / MIB:.1f} MiB after)")
    os.write(to_child, b"c")
    os.waitpid(pid, 0)
    os.rmdir(cg)
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
