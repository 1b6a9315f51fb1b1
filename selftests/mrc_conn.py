#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""AF_MRC connections on one host (loopback): the socket API's calls and
the errors users expect, one check each, through libc (ctypes); and a
message sent in bursts, each one UDP GSO batch (MrcOutGsoBatches,
MrcInGsoBatches), its payloads by reference or copied
(MrcOutGsoBatchesByRef)."""
import errno
import os
import select
import signal
import struct
import subprocess
import sys
import time

from ksft import Tap, skip_unloaded
from mrcsock import (AF, F_SETFL, LOOP, MRC_ACK_TIMEOUT, MRC_EV_COUNT, MRC_INFO, MRC_MPR,
                     MRC_PATH_INFO, MRC_RETRIES, MRC_SRV6_PATHS, MRC_STATE_ESTABLISHED, MSG_DONTWAIT,
                     MSG_EOR, MSG_NOSIGNAL, MSG_PEEK, MSG_TRUNC, O_NONBLOCK, SO_ERROR, SO_RCVTIMEO,
                     SOL_MRC, SOL_SOCKET, addr, bind, connect, err, getopt,
                     libc, listen, name, recv, send, send_unmapped, setopt, snmp, sock, sysctl)


def pair(ok, port):
    """A listener on `port`, a client connected to it, and the accepted
    socket, as one check; None if a step failed (the checks on the pair
    cannot run)."""
    lfd, cfd = sock(), sock()
    e = listen(lfd, port)
    step = "listen"
    if e == 0:
        e, step = connect(cfd, addr(port)), "connect"
    if e == 0:
        afd = libc.accept(lfd, None, None)
        e, step = err(afd), "accept"
    ok(e == 0, f"listen, connect and accept on the loopback, port {port}"
       + (f" ({step}: {errno.errorcode.get(e, e)})" if e else ""))
    if e:
        for f in (lfd, cfd):
            libc.close(f)
        return None
    return lfd, cfd, afd


def lo_mtu():
    with open("/sys/class/net/lo/mtu") as f:
        return f.read().strip()


def bursts(ok):
    """A 1 MiB message on a new connection, first with net.mrc.burst=1 and
    then at the default: per packet, no UDP GSO batch leaves or arrives; in
    bursts, the first window (room for far more than BURST_SPREAD packets)
    sends some as batches, which the loopback delivers whole to the tunnel
    (net.mrc.udp_gro at its default, 1). The loopback's MTU lets packets
    carry 9000 bytes, so every batch takes its payloads by reference to the
    message's pages (MrcOutGsoBatchesByRef), and the receiver reads them
    out of the skb's fragments; at MTU 1500 the batches copy them. The
    message arrives intact every time. The sysctl is read when a socket is
    made, the MTU when it connects."""
    default, mtu = sysctl("burst", None), lo_mtu()
    data = os.urandom(1 << 20)
    counters = ("MrcOutGsoBatches", "MrcInGsoBatches", "MrcOutGsoBatchesByRef")
    try:
        for port, burst, link_mtu in ((7110, "1", mtu), (7111, default, mtu), (7112, default, "1500")):
            sysctl("burst", burst)
            subprocess.run(["ip", "link", "set", "lo", "mtu", link_mtu], check=True)
            before = snmp()
            fds = pair(ok, port)
            if fds is None:
                continue
            lfd, cfd, afd = fds
            intact = send(cfd, data) == len(data) and recv(afd, len(data) + 1)[1] == data
            for f in (cfd, afd, lfd):
                libc.close(f)
            after = snmp()
            out, into, byref = (after[k] - before[k] for k in counters)
            if burst == "1":
                batches, expect = out == 0 and into == 0, "none expected"
            elif link_mtu == "1500":
                batches, expect = out > 0 and into > 0 and byref == 0, "copied at MTU 1500"
            else:
                batches, expect = out > 0 and into > 0 and byref == out, "all by reference"
            ok(intact and batches, f"net.mrc.burst={burst}, MTU {link_mtu}: 1 MiB intact; UDP GSO "
               f"batches sent {out} ({byref} by reference), taken whole {into} ({expect})")
    finally:
        sysctl("burst", default)
        subprocess.run(["ip", "link", "set", "lo", "mtu", mtu], check=True)


def main():
    if AF is None:
        return skip_unloaded()
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    tap = Tap()
    ok = tap.result

    fds = pair(ok, 7100)
    if fds is None:
        return tap.end()
    lfd, cfd, afd = fds
    sizes = [0, 1, 1411, 1412, 1413, 65536, 1 << 20]
    good = True
    for i, n in enumerate(sizes):
        data = bytes((i * 7 + j) & 0xFF for j in range(n)) if n < 70000 else os.urandom(n)
        good &= send(cfd, data) == n
        rc, got, flags, _ = recv(afd, n + 10)
        good &= rc == n and got == data and flags & MSG_EOR != 0
    ok(good, "messages of 0 B to 1 MiB arrive whole, one recv each (MSG_EOR)")
    ok(send(afd, b"reply") == 5 and recv(cfd, 100)[1] == b"reply", "data flows both ways")
    send(cfd, b"imm", imm=0xDEADBEEF)
    rc, got, _, imm = recv(afd, 100)
    ok(got == b"imm" and imm == 0xDEADBEEF, "MRC_IMM control message round trip")
    send(cfd, b"0123456789")
    rc, got, flags, _ = recv(afd, 4, MSG_PEEK)
    rc2, got2, _, _ = recv(afd, 100)
    ok(rc == 4 and got == b"0123" and flags & MSG_TRUNC and got2 == b"0123456789",
       "MSG_PEEK leaves the message queued; a short buffer sets MSG_TRUNC")
    send(cfd, b"0123456789")
    rc, got, flags, _ = recv(afd, 4, MSG_TRUNC)
    ok(rc == 10 and got == b"0123" and flags & MSG_TRUNC, "MSG_TRUNC returns the full length")
    ok(recv(afd, 10, MSG_DONTWAIT)[0] == -errno.EAGAIN, "MSG_DONTWAIT on an empty queue: EAGAIN")
    ok(setopt(afd, SOL_SOCKET, SO_RCVTIMEO, struct.pack("qq", 0, 50000)) == 0
       and recv(afd, 10)[0] == -errno.EAGAIN, "SO_RCVTIMEO expires with EAGAIN")
    la, _ = name(cfd, False)
    pa, _ = name(cfd, True)
    ok(la is not None and la.family == AF and la.port >= 49152 and bytes(la.addr) == LOOP
       and pa is not None and pa.port == 7100, "getsockname/getpeername")
    info, e = getopt(cfd, SOL_MRC, MRC_INFO, 256)
    ok(info is not None and info[0] == MRC_STATE_ESTABLISHED and len(info) == 168,
       "MRC_INFO reports an established connection")
    pinfo, e = getopt(cfd, SOL_MRC, MRC_PATH_INFO, 40 * 64)
    ok(pinfo is not None and len(pinfo) == 40 * 64, "MRC_PATH_INFO: one entry per EV")
    r, w, _ = select.select([afd], [cfd], [], 0)
    ok(r == [] and w == [cfd], "poll: writable when connected, not readable when empty")
    send(cfd, b"x")
    r, _, _ = select.select([afd], [], [], 5)
    ok(r == [afd], "poll: readable once a message is complete")
    recv(afd, 10)
    ok(setopt(cfd, SOL_MRC, MRC_MPR, struct.pack("i", 4)) == errno.EISCONN,
       "connection parameters after connect: EISCONN")
    libc.close(cfd)
    ok(recv(afd, 10)[0] == 0, "the peer's close reads as end of stream")
    libc.close(afd)

    bursts(ok)

    fd = sock()
    ok(connect(fd, addr(7101)) == errno.ECONNREFUSED, "connect to a port nobody listens on: ECONNREFUSED")
    libc.close(fd)

    # A full accept queue refuses, and counts it (TCP's ListenOverflows),
    # once per request. The refused connect waits 4.3 s (1.024 us << 22)
    # before it would repeat its request, so that on a slow (debug) kernel
    # the refusal comes back first and exactly one is counted.
    full = sock()
    listen(full, 7109, backlog=1)
    first, second = sock(), sock()
    setopt(second, SOL_MRC, MRC_ACK_TIMEOUT, struct.pack("i", 22))
    before = snmp()
    rc = (connect(first, addr(7109)), connect(second, addr(7109)))
    overflows = snmp()["MrcListenOverflows"] - before["MrcListenOverflows"]
    ok(rc == (0, errno.ECONNREFUSED) and overflows == 1,
       f"a listener with backlog 1 and one connection not yet accepted refuses the next: "
       f"{rc}, MrcListenOverflows +{overflows}")
    for f in (first, second, full):
        libc.close(f)
    fd = sock()
    ok(bind(fd, addr(7100, bytes(16))) == errno.EADDRINUSE, "bind to a listener's port: EADDRINUSE")
    ok(bind(fd, addr(7102, bytes(16)), 10) == errno.EINVAL, "bind with a short address: EINVAL")
    ok(bind(fd, addr(7102, bytes(16), family=10)) == errno.EAFNOSUPPORT, "bind with AF_INET6: EAFNOSUPPORT")
    ok(send(fd, b"x") == -errno.ENOTCONN, "send before connect: ENOTCONN")
    ok(send_unmapped(fd, 65536) == -errno.ENOTCONN,
       "send before connect from an unmapped buffer: ENOTCONN, found before the copy (not EFAULT)")
    ok(recv(fd, 10)[0] == -errno.ENOTCONN, "recv before connect: ENOTCONN")
    ok(setopt(fd, SOL_MRC, MRC_MPR, b"\x01") == errno.EINVAL, "a short int option: EINVAL")
    ok(setopt(fd, SOL_MRC, MRC_MPR, struct.pack("i", 65)) == errno.EINVAL, "MPR out of range: EINVAL")
    ok(setopt(fd, SOL_MRC, MRC_RETRIES, bytes([8, 0])) == errno.EINVAL, "linear retries above 7: EINVAL")
    ok(setopt(fd, SOL_MRC, MRC_SRV6_PATHS, bytes(17)) == errno.EINVAL, "SRv6 paths not a multiple of 16 bytes: EINVAL")
    ok(setopt(fd, SOL_MRC, 999, struct.pack("i", 1)) == errno.ENOPROTOOPT, "unknown option: ENOPROTOOPT")
    ok(setopt(fd, SOL_MRC, MRC_EV_COUNT, struct.pack("i", 8)) == 0
       and getopt(fd, SOL_MRC, MRC_EV_COUNT, 4)[0] == struct.pack("i", 8), "MRC_EV_COUNT set and read back")
    libc.close(fd)

    libc.fcntl(lfd, F_SETFL, O_NONBLOCK)
    ok(err(libc.accept(lfd, None, None)) == errno.EAGAIN, "non-blocking accept with no connection: EAGAIN")
    fd = sock()
    libc.fcntl(fd, F_SETFL, O_NONBLOCK)
    ok(connect(fd, addr(7100)) == errno.EINPROGRESS, "non-blocking connect: EINPROGRESS")
    _, w, _ = select.select([], [fd], [], 5)
    so_err, _ = getopt(fd, SOL_SOCKET, SO_ERROR, 4)
    ok(w == [fd] and so_err == bytes(4), "then writable with SO_ERROR 0")
    r, _, _ = select.select([lfd], [], [], 5)
    afd = libc.accept(lfd, None, None)
    ok(r == [lfd] and afd >= 0, "the listener polls readable and accepts it")
    ok(send_unmapped(fd, 65536) == -errno.EFAULT, "send on an open connection from an unmapped buffer: EFAULT")
    ok(libc.shutdown(fd, 1) == 0 and send(fd, b"x") == -errno.EPIPE, "send after shutdown(SHUT_WR): EPIPE")
    ok(send_unmapped(fd, 65536) == -errno.EPIPE,
       "send after shutdown(SHUT_WR) from an unmapped buffer: EPIPE, found before the copy (not EFAULT)")
    ok(send(fd, b"x" * ((4 << 20) + 1)) == -errno.EMSGSIZE, "a message above 4 MiB: EMSGSIZE")
    got = []
    old = signal.signal(signal.SIGPIPE, lambda *_: got.append(1))
    ok(send(fd, b"x", flags=0) == -errno.EPIPE and got == [1], "without MSG_NOSIGNAL EPIPE raises SIGPIPE")
    signal.signal(signal.SIGPIPE, old)
    for f in (fd, afd, lfd):
        libc.close(f)

    fds = pair(ok, 7103)
    if fds is None:
        return tap.end()
    lfd, cfd, afd = fds
    send(cfd, b"never read")
    r, _, _ = select.select([afd], [], [], 5)
    libc.close(afd)
    r, _, _ = select.select([cfd], [], [], 5)
    ok(recv(cfd, 10)[0] == -errno.ECONNRESET, "the peer closes with unread data: ECONNRESET")
    for f in (cfd, lfd):
        libc.close(f)

    # A reader that falls hundreds of small messages behind: the sender
    # waits for it (the receive credit counts messages as well as bytes)
    # instead of sending what the receiver has no slot for. Retransmissions
    # are reported, not judged: the ACK timeout widens with the SACKs'
    # variance, but one long stall of the debug guest can still hold a SACK
    # past it, which expires packets nobody refused (performance.rst, "The
    # ACK timeout follows the SACKs' variance").
    fds = pair(ok, 7105)
    if fds is None:
        return tap.end()
    lfd, cfd, afd = fds
    before = snmp()["MrcInNoBuffer"]
    # Until the send queue stays full for a second: it fills for a moment
    # whenever the sender's datapath falls behind this loop, and for good
    # only once the receiver's message limit holds the sender back.
    sent, deadline = 0, time.monotonic() + 20
    while sent < 600 and time.monotonic() < deadline:
        if send(cfd, bytes([sent & 0xFF]), MSG_DONTWAIT | MSG_NOSIGNAL) == 1:
            sent += 1
        elif not select.select([], [cfd], [], 1)[1]:
            break
    setopt(afd, SOL_SOCKET, SO_RCVTIMEO, struct.pack("qq", 5, 0))
    got = [recv(afd, 10)[1] for _ in range(sent)]
    info, _ = getopt(cfd, SOL_MRC, MRC_INFO, 256)
    retrans = struct.unpack_from("Q", info, 64)[0] if info else None
    probes = struct.unpack_from("Q", info, 160)[0] if info and len(info) >= 168 else None
    refused = snmp()["MrcInNoBuffer"] - before
    ok(sent > 300 and got == [bytes([i & 0xFF]) for i in range(sent)] and refused == 0,
       f"{sent} one-byte messages to a reader that reads none until the end: all arrive, "
       f"in order, {refused} refused, {retrans} retransmitted, {probes} credit probes")
    for f in (cfd, afd, lfd):
        libc.close(f)

    # Nothing answers behind this route: the handshake's retries run out.
    subprocess.run(["ip", "-6", "route", "add", "fd00:dead::/64", "dev", "lo"], check=True)
    fd = sock()
    setopt(fd, SOL_MRC, MRC_ACK_TIMEOUT, struct.pack("i", 10))
    setopt(fd, SOL_MRC, MRC_RETRIES, bytes([1, 0]))
    ok(connect(fd, addr(7104, bytes.fromhex("fd00dead" + "00" * 11 + "01"))) == errno.ETIMEDOUT,
       "connect with nobody answering: ETIMEDOUT once the retries run out")
    libc.close(fd)
    subprocess.run(["ip", "-6", "route", "del", "fd00:dead::/64", "dev", "lo"], check=True)
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
