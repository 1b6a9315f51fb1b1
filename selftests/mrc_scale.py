#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Many concurrent connections to one listener on the loopback, in a
network namespace of its own: non-blocking connects all at once, every one
accepted and verified by a message each way, and the kernel memory one
idle connection costs (MemAvailable before and after, per connection).

  MRC_SCALE_CONNS  connections (default 10,000)"""
import errno
import fcntl
import os
import select
import sys
import time

from ksft import Tap, own_netns, skip_unloaded
from mrcsock import AF, addr, bind, connect, libc, recv, send, sock


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    if AF is None:
        return skip_unloaded()
    rc = own_netns(__file__, "MRC_SCALE_NETNS")
    if rc is not None:
        return rc
    n = int(os.environ.get("MRC_SCALE_CONNS", "10000"))
    import resource
    resource.setrlimit(resource.RLIMIT_NOFILE, (2 * n + 64, 2 * n + 64))
    tap = Tap()
    lfd = sock()
    bind(lfd, addr(7900, bytes(16)))
    libc.listen(lfd, 4096)
    fcntl.fcntl(lfd, fcntl.F_SETFL, os.O_NONBLOCK)
    before = mem_available()
    start = time.monotonic()
    clients, accepted, refused = [], [], 0

    def accept_ready():
        while (fd := libc.accept(lfd, None, None)) >= 0:
            accepted.append(fd)

    # In batches of a thousand, accepting between them, as a server would:
    # more at once than the backlog (net.core.somaxconn) would be refused.
    for i in range(n):
        c = sock()
        fcntl.fcntl(c, fcntl.F_SETFL, os.O_NONBLOCK)
        if connect(c, addr(7900)) in (0, errno.EINPROGRESS):
            clients.append(c)
        else:
            refused += 1
        if i % 1000 == 999:
            accept_ready()
    deadline = time.monotonic() + 60 + n * 0.05
    while len(accepted) < len(clients) and time.monotonic() < deadline:
        select.select([lfd], [], [], 1.0)
        accept_ready()
    took = time.monotonic() - start
    tap.result(refused == 0 and len(accepted) == n,
               f"{n} non-blocking connects, {len(accepted)} accepted in {took:.1f} s ({refused} refused)")
    idle = mem_available()
    per_conn = (before - idle) / max(1, 2 * len(accepted))
    print(f"# kernel memory per idle connection (either end): {per_conn / 1024:.0f} KiB "
          f"(MemAvailable fell {(before - idle) >> 20} MiB for {2 * len(accepted)} ends)", flush=True)
    good = 0
    for i, c in enumerate(clients):
        fcntl.fcntl(c, fcntl.F_SETFL, 0)
        good += send(c, i.to_bytes(4, "big")) == 4
    by_value = set()
    for a in accepted:
        rc, data, _, _ = recv(a, 16)
        if rc == 4:
            by_value.add(int.from_bytes(data, "big"))
            send(a, data)
    echoed = sum(recv(c, 16)[1] == i.to_bytes(4, "big") for i, c in enumerate(clients))
    tap.result(good == n and by_value == set(range(n)) and echoed == n,
               f"every connection carries its own message both ways ({len(by_value)} distinct, {echoed} echoed)")
    for fd in clients + accepted + [lfd]:
        os.close(fd)
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
