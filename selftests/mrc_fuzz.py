#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A bounded fuzzer of mrc.ko's entry points, for the debug kernel (KASAN,
lockdep, kmemleak, PREEMPT), whose reports fail the VM run: random
sequences of every AF_MRC socket call, with random arguments and lengths,
from several threads at once, as root and in a child as an unprivileged
user; forks that inherit and close sockets; mutated MRC packets into the
UDP port; malformed generic netlink requests to the mrc family. Prints what
it executed. Runs in a network namespace of its own.

  MRC_FUZZ_SECONDS  how long (default 20)
  MRC_FUZZ_SEED     the random seed (default: from the clock, printed)"""
import ctypes
import os
import random
import socket
import sys
import threading
import time

from ksft import Tap, as_user, own_netns, skip_unloaded
from mrcsock import AF, SOCK_SEQPACKET, SOL_MRC, SockaddrMrc, libc
from mrcwire import base, connect_request, probe_request

UDP_PORT = 4791
SOCK_NONBLOCK = 0o4000
NOBODY = 65534
MSG_FLAGS = (0, 0x40, 0x42, 0x60, 0x4040, 0x1, 0x40 | 0x20)  # DONTWAIT, PEEK, TRUNC, NOSIGNAL, OOB
IOCTLS = (0x541B, 0x5411, 0x5413, 0x8905, 0x8906, 0x89E0, 0x8915, 0x40045400)
PORTS = (0, 7700, 7701, 7702, 7703)
ADDRS = (bytes(16), bytes(15) + b"\x01", bytes([0xFF]) + bytes(15),
         bytes.fromhex("20010db8000000000000000000000005"))


class Calls:
    """Random socket calls on a shared pool of AF_MRC descriptors."""

    def __init__(self, rng):
        self.rng = rng
        self.fds = []
        self.lock = threading.Lock()
        self.count = 0
        # The call each thread is in, to name one that does not return.
        self.doing = {}

    def pick(self):
        with self.lock:
            return self.rng.choice(self.fds) if self.fds else -1

    def sockaddr(self):
        a = SockaddrMrc(AF if self.rng.random() < 0.9 else self.rng.randrange(65536),
                        self.rng.choice(PORTS), self.rng.choice((0, 0, 1, 0xFFFFFFFF)))
        a.addr[:] = list(self.rng.choice(ADDRS))
        return a, self.rng.choice((ctypes.sizeof(SockaddrMrc),) * 4 + (0, 2, 8, 23, 25, 128))

    def buffer(self, limit):
        n = self.rng.choice((0, 1, 4, 8, 16, 64, self.rng.randrange(limit + 1)))
        return ctypes.create_string_buffer(bytes(self.rng.randrange(256) for _ in range(min(n, 64)))
                                           .ljust(n, b"\0"), max(n, 1)), n

    def one(self):
        r, fd = self.rng, self.pick()
        op = r.randrange(14)
        self.count += 1
        self.doing[threading.get_ident()] = op
        if op == 0 or fd < 0:
            # Non-blocking (a blocking accept or connect would stall the
            # thread, not the kernel); blocking waits have tests of their own.
            new = libc.socket(AF, SOCK_SEQPACKET | SOCK_NONBLOCK, r.choice((0, 0, 1, 2)))
            if new >= 0:
                with self.lock:
                    self.fds.append(new)
                    if len(self.fds) > 64:
                        libc.close(self.fds.pop(0))
        elif op == 1:
            with self.lock:
                if fd in self.fds:
                    self.fds.remove(fd)
            libc.close(fd)
        elif op == 2:
            a, n = self.sockaddr()
            libc.bind(fd, ctypes.byref(a), n)
        elif op == 3:
            a, n = self.sockaddr()
            libc.connect(fd, ctypes.byref(a), n)
        elif op == 4:
            libc.listen(fd, r.choice((-1, 0, 1, 8, 1 << 20)))
        elif op == 5:
            new = libc.accept4(fd, None, None, SOCK_NONBLOCK)
            if new >= 0:
                with self.lock:
                    self.fds.append(new)
        elif op == 6:
            buf, n = self.buffer(70000)
            libc.send(fd, buf, n, r.choice(MSG_FLAGS) | 0x40)
        elif op == 7:
            buf, n = self.buffer(70000)
            libc.recv(fd, buf, n, r.choice(MSG_FLAGS) | 0x40)
        elif op == 8:
            buf, n = self.buffer(4200)
            libc.setsockopt(fd, r.choice((SOL_MRC, SOL_MRC, 1, 41)), r.randrange(16), buf, n)
        elif op == 9:
            buf, n = self.buffer(9000)
            ln = ctypes.c_uint32(r.choice((n, 0, 3, 0xFFFFFFFF)))
            libc.getsockopt(fd, r.choice((SOL_MRC, SOL_MRC, 1)), r.randrange(16), buf, ctypes.byref(ln))
        elif op == 10:
            v = ctypes.c_int(0)
            libc.ioctl(fd, r.choice(IOCTLS), ctypes.byref(v) if r.random() < 0.9 else 16)
        elif op == 11:
            libc.shutdown(fd, r.choice((0, 1, 2, 3, -1)))
        elif op == 12:
            a, n = SockaddrMrc(), ctypes.c_uint32(r.choice((24, 0, 4, 128)))
            (libc.getsockname if r.random() < 0.5 else libc.getpeername)(fd, ctypes.byref(a), ctypes.byref(n))
        else:
            pid = os.fork()
            if pid == 0:
                for f in list(self.fds):
                    libc.close(f)
                os._exit(0)
            os.waitpid(pid, 0)


def packets(rng, seconds):
    """Mutated MRC packets into the UDP port; returns how many were sent."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    seeds = [connect_request(rng.randrange(1 << 24), p) for p in PORTS] + \
            [probe_request(rng.randrange(1 << 32), rng.randrange(300), 7)] + \
            [base(op, rng.randrange(1 << 24)) + bytes(rng.choice((4, 16, 24, 36)))
             for op in (0xC0, 0xC3, 0xD0, 0xD1, 0xF1, 0xF2, 0xF3)]
    sent, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        p = bytearray(rng.choice(seeds))
        for _ in range(rng.randrange(4)):
            if p and rng.random() < 0.7:
                p[rng.randrange(len(p))] = rng.randrange(256)
            elif rng.random() < 0.5:
                del p[rng.randrange(len(p) + 1):]
            else:
                p += bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
        try:
            s.sendto(bytes(p), ("::1", UDP_PORT))
            sent += 1
        except OSError:
            pass
    return sent


def netlink(rng, seconds):
    """Malformed generic netlink requests (mrc_netlink.py's), or 0 when
    the kernel's YNL library is not there."""
    import mrc_netlink
    if mrc_netlink.ynl_dir() is None:
        return 0
    nl, sent, end = mrc_netlink.family(), 0, time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            sent += mrc_netlink.malformed(nl, rng, 50)
        except OSError:
            # The socket threads close descriptors at random and go on
            # calling on their numbers, which this thread's new socket may
            # have reused (bound by their connect, it refuses our bind):
            # the fuzzer's own close races. Take a new socket.
            continue
    return sent


def run_calls(seed, seconds, threads):
    """`threads` threads of random calls on one pool; returns the count."""
    calls = Calls(random.Random(seed))
    end = time.monotonic() + seconds

    def loop():
        while time.monotonic() < end:
            calls.one()

    workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(max(0, end - time.monotonic()) + 30)
    stuck = [calls.doing.get(w.ident) for w in workers if w.is_alive()]
    if stuck:
        print(f"# threads stuck in calls {stuck} (ops of Calls.one)", flush=True)
        return -1
    for fd in calls.fds:
        libc.close(fd)
    return calls.count


def count(printed):
    """The count a child printed (0 if it crashed)."""
    return int(printed) if printed.isdigit() else 0


def main():
    if AF is None:
        return skip_unloaded()
    rc = own_netns(__file__, "MRC_FUZZ_NETNS")
    if rc is not None:
        return rc
    seconds = float(os.environ.get("MRC_FUZZ_SECONDS", "20"))
    seed = int(os.environ.get("MRC_FUZZ_SEED", time.time_ns() % (1 << 32)))
    print(f"# seed {seed} (MRC_FUZZ_SEED), {seconds:.0f} s", flush=True)
    tap = Tap()
    results = {}
    jobs = {
        "calls": lambda: run_calls(seed, seconds, 4),
        "unprivileged": lambda: count(as_user(NOBODY, lambda: run_calls(seed + 1, seconds, 2))),
        "packets": lambda: packets(random.Random(seed + 2), seconds),
        "netlink": lambda: netlink(random.Random(seed + 3), seconds),
    }
    crashed = []

    def job(kind, f):
        try:
            results[kind] = f()
        except Exception as e:  # a fuzzer thread that dies fails the run
            crashed.append(f"{kind}: {e!r}")

    threads = [threading.Thread(target=job, args=kv) for kv in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"# executed: {results.get('calls', 0)} socket calls as root, "
          f"{results.get('unprivileged', 0)} as uid {NOBODY}, {results.get('packets', 0)} packets, "
          f"{results.get('netlink', 0)} netlink requests", flush=True)
    tap.result(results.get("calls", 0) > 0 and results.get("unprivileged", 0) > 0
               and results.get("packets", 0) > 0 and not crashed,
               f"every kind of input ran, no call stuck, no fuzzer thread died {crashed}")
    # The module still works: a connection on the loopback carries a message.
    from mrcsock import addr, bind, connect, recv, send, sock
    lfd, cfd = sock(), sock()
    ok = (bind(lfd, addr(7799, bytes(16))) == 0 and libc.listen(lfd, 1) == 0
          and connect(cfd, addr(7799)) == 0)
    afd = libc.accept(lfd, None, None) if ok else -1
    tap.result(afd >= 0 and send(cfd, b"after") == 5 and recv(afd, 10)[1] == b"after",
               "after the fuzzing a connection still carries a message")
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
