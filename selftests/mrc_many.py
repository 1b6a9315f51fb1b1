#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Many concurrent AF_MRC connections, each verified: run as "server PORT N"
in one host's namespace and "client ADDR PORT N" in the other's. Every
client connection sends three messages of sizes and contents derived from
its index, the server answers each connection with the SHA-256 of what it
received, and the client compares it with its own. Prints "verified N"."""
import hashlib
import select
import socket
import sys
import time

from mrcsock import (AF, F_SETFL, MSG_DONTWAIT, O_NONBLOCK, addr, connect, libc, listen,
                     recv, send, sock)

MESSAGES = 3
EINPROGRESS, EAGAIN = 115, 11


def payload(i, k):
    n = 1 + (i * 2654435761 + k * 40503) % 30000
    seed = hashlib.sha256(f"{i}/{k}".encode()).digest()
    return (seed * (n // 32 + 1))[:n]


def server(port, n, deadline):
    lfd = sock()
    e = listen(lfd, port, n)
    if e:
        sys.exit(f"listen on MRC port {port}: errno {e}")
    libc.fcntl(lfd, F_SETFL, O_NONBLOCK)
    print("listening", flush=True)
    poll = select.poll()
    poll.register(lfd, select.POLLIN)
    conns, answered = {}, 0
    while answered < n and time.monotonic() < deadline:
        for fd, _ in poll.poll(1000):
            if fd == lfd:
                while (c := libc.accept(lfd, None, None)) >= 0:
                    conns[c] = [hashlib.sha256(), 0]
                    poll.register(c, select.POLLIN)
                continue
            state = conns[fd]
            while True:
                rc, data, _, _ = recv(fd, 1 << 16, MSG_DONTWAIT)
                if rc <= 0:
                    if rc == 0 or rc != -EAGAIN:
                        poll.unregister(fd)
                    break
                state[0].update(data)
                state[1] += 1
                if state[1] == MESSAGES:
                    answered += send(fd, state[0].digest()) == 32
    print(f"answered {answered}", flush=True)
    time.sleep(2)


def client(host, port, n, deadline):
    ip = socket.inet_pton(socket.AF_INET6, host)
    fds = []
    for i in range(n):
        fd = sock()
        libc.fcntl(fd, F_SETFL, O_NONBLOCK)
        rc = connect(fd, addr(port, ip))
        if rc not in (0, EINPROGRESS):
            sys.exit(f"connect {i}: errno {rc}")
        fds.append(fd)
    poll = select.poll()
    for fd in fds:
        poll.register(fd, select.POLLOUT)
    index = {fd: i for i, fd in enumerate(fds)}
    want = {}
    for fd in fds:
        h = hashlib.sha256()
        for k in range(MESSAGES):
            h.update(payload(index[fd], k))
        want[fd] = h.digest()
    pending_send = set(fds)
    verified, failed = 0, 0
    while (pending_send or want) and time.monotonic() < deadline:
        for fd, ev in poll.poll(1000):
            if fd in pending_send and ev & select.POLLOUT:
                for k in range(MESSAGES):
                    data = payload(index[fd], k)
                    while send(fd, data) == -EAGAIN:
                        time.sleep(0.01)
                pending_send.discard(fd)
                poll.modify(fd, select.POLLIN)
            elif ev & (select.POLLIN | select.POLLERR | select.POLLHUP) and fd in want:
                rc, data, _, _ = recv(fd, 64, MSG_DONTWAIT)
                if rc == -EAGAIN:
                    continue
                ok = data == want.pop(fd)
                verified += ok
                failed += not ok
                poll.unregister(fd)
    for fd in fds:
        libc.close(fd)
    print(f"verified {verified} failed {failed} missing {len(want)}", flush=True)
    return 0 if verified == n else 1


def main():
    if AF is None:
        print("mrc.ko is not loaded")
        return 4
    deadline = time.monotonic() + float(sys.argv[-1])
    if sys.argv[1] == "server":
        server(int(sys.argv[2]), int(sys.argv[3]), deadline)
        return 0
    return client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), deadline)


if __name__ == "__main__":
    sys.exit(main())
