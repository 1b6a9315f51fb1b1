#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A user buffer whose page fault never resolves (userfaultfd) in a
setsockopt and a getsockopt on a connection that is receiving, while
another connection of the namespace carries a message: no lock that the
namespace's receive work needs is held across a user copy, so the other
connection is not stalled. Runs in a network namespace of its own."""
import ctypes
import os
import struct
import sys
import threading
import time

from ksft import Tap, own_netns, skip_unloaded
from mrcsock import (AF, MRC_INFO, MRC_SRV6_PATHS, SOL_MRC, SO_RCVTIMEO, SOL_SOCKET, addr, bind,
                     connect, libc, recv, send, setopt, sock)

SYS_USERFAULTFD = 323
UFFD_API = 0xAA
UFFDIO_API = 0xC018AA3F
UFFDIO_REGISTER = 0xC020AA00
UFFDIO_REGISTER_MODE_MISSING = 1
PAGE = 4096

libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                      ctypes.c_long)
libc.syscall.restype = ctypes.c_long


def stalled_page():
    """(userfaultfd, address of a page whose first touch blocks until the
    userfaultfd is closed), or None where userfaultfd is not available."""
    uffd = libc.syscall(SYS_USERFAULTFD, os.O_CLOEXEC)
    if uffd < 0:
        return None
    api = (ctypes.c_uint64 * 3)(UFFD_API, 0, 0)
    page = libc.mmap(None, PAGE, 3, 0x22, -1, 0)  # PROT_READ|WRITE, MAP_PRIVATE|ANONYMOUS
    reg = (ctypes.c_uint64 * 4)(page, PAGE, UFFDIO_REGISTER_MODE_MISSING, 0)
    if libc.ioctl(uffd, UFFDIO_API, api) or libc.ioctl(uffd, UFFDIO_REGISTER, reg):
        return None
    return uffd, page


def pair(port):
    lfd, cfd = sock(), sock()
    bind(lfd, addr(port, bytes(16)))
    libc.listen(lfd, 4)
    connect(cfd, addr(port))
    return lfd, cfd, libc.accept(lfd, None, None)


def main():
    if AF is None:
        return skip_unloaded()
    rc = own_netns(__file__, "MRC_STALL_NETNS")
    if rc is not None:
        return rc
    stall = stalled_page()
    if stall is None:
        print("# userfaultfd is not available\n1..0 # SKIP", flush=True)
        return 4
    uffd, page = stall
    tap = Tap()
    _, c1, a1 = pair(7601)
    _, c2, a2 = pair(7602)
    setopt(a2, SOL_SOCKET, SO_RCVTIMEO, struct.pack("qq", 5, 0))
    results = {}

    def stuck_set():
        results["set"] = libc.setsockopt(a1, SOL_MRC, MRC_SRV6_PATHS, ctypes.c_void_p(page), 16)

    def stuck_get():
        results["get"] = libc.getsockopt(a1, SOL_MRC, MRC_INFO, ctypes.c_void_p(page + 64),
                                         ctypes.c_void_p(page))

    threads = [threading.Thread(target=stuck_set, daemon=True),
               threading.Thread(target=stuck_get, daemon=True)]
    for t in threads:
        t.start()
    time.sleep(1)
    blocked = all(t.is_alive() for t in threads)
    # A message for the stalled socket's connection, then one for another.
    send(c1, b"for the stalled socket")
    start = time.monotonic()
    rc, data, _, _ = recv(a2, 100) if send(c2, b"for another") == 11 else (-1, b"", 0, None)
    took = time.monotonic() - start
    tap.result(blocked, "setsockopt and getsockopt wait in a page fault that does not resolve")
    tap.result(data == b"for another" and took < 5,
               f"meanwhile another connection of the namespace receives ({took:.2f} s)")
    os.close(uffd)
    for t in threads:
        t.join(10)
    tap.result(not any(t.is_alive() for t in threads) and recv(a1, 100)[1] == b"for the stalled socket",
               "once the fault resolves both calls return and the stalled socket's message is there")
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
