#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""AF_MRC connections on one host (loopback): the socket API's calls and
the errors users expect, one check each, through libc (ctypes)."""
import ctypes
import errno
import os
import select
import struct
import subprocess
import sys

from ksft import Tap, mrc_family, skip_unloaded

SOCK_SEQPACKET = 5
SOL_SOCKET, SO_ERROR, SO_RCVTIMEO = 1, 4, 20
SOL_MRC = 300
MRC_MPR, MRC_RETRIES, MRC_INFO, MRC_EV_COUNT, MRC_SRV6_PATHS, MRC_PATH_INFO = 3, 5, 7, 8, 9, 10
MRC_IMM = 1
MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT, MSG_EOR, MSG_NOSIGNAL = 2, 0x20, 0x40, 0x80, 0x4000
O_NONBLOCK = 0o4000
F_SETFL = 4
MRC_STATE_ESTABLISHED = 4

libc = ctypes.CDLL(None, use_errno=True)


class SockaddrMrc(ctypes.Structure):
    _fields_ = [("family", ctypes.c_uint16), ("port", ctypes.c_uint16),
                ("scope_id", ctypes.c_uint32), ("addr", ctypes.c_ubyte * 16)]


class Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(Iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


AF = mrc_family()
LOOP = bytes(15) + b"\x01"


def addr(port, ip=LOOP, family=None):
    a = SockaddrMrc(AF if family is None else family, port, 0)
    a.addr[:] = list(ip)
    return a


def err(rc):
    """0 on success, else errno."""
    return 0 if rc >= 0 else ctypes.get_errno()


def sock():
    fd = libc.socket(AF, SOCK_SEQPACKET, 0)
    assert fd >= 0, os.strerror(ctypes.get_errno())
    return fd


def bind(fd, a, size=ctypes.sizeof(SockaddrMrc)):
    return err(libc.bind(fd, ctypes.byref(a), size))


def connect(fd, a):
    return err(libc.connect(fd, ctypes.byref(a), ctypes.sizeof(a)))


def send(fd, data, flags=MSG_NOSIGNAL, imm=None):
    iov = Iovec(ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p), len(data))
    m = Msghdr(None, 0, ctypes.pointer(iov), 1, None, 0, 0)
    if imm is not None:
        cmsg = struct.pack("QiiI", 20, SOL_MRC, MRC_IMM, imm) + bytes(4)
        cbuf = ctypes.create_string_buffer(cmsg, len(cmsg))
        m.control, m.controllen = ctypes.cast(cbuf, ctypes.c_void_p), len(cmsg)
    rc = libc.sendmsg(fd, ctypes.byref(m), flags)
    return rc if rc >= 0 else -ctypes.get_errno()


def recv(fd, size, flags=0):
    """(length or -errno, data, msg_flags, imm)."""
    buf = ctypes.create_string_buffer(max(size, 1))
    cbuf = ctypes.create_string_buffer(64)
    iov = Iovec(ctypes.cast(buf, ctypes.c_void_p), size)
    m = Msghdr(None, 0, ctypes.pointer(iov), 1, ctypes.cast(cbuf, ctypes.c_void_p), 64, 0)
    rc = libc.recvmsg(fd, ctypes.byref(m), flags)
    if rc < 0:
        return -ctypes.get_errno(), b"", 0, None
    imm = None
    if m.controllen >= 20:
        _, level, ctype, value = struct.unpack_from("QiiI", cbuf.raw)
        if (level, ctype) == (SOL_MRC, MRC_IMM):
            imm = value
    return rc, buf.raw[:min(rc, size)], m.flags, imm


def getopt(fd, level, name, size):
    buf, n = ctypes.create_string_buffer(size), ctypes.c_uint32(size)
    rc = libc.getsockopt(fd, level, name, buf, ctypes.byref(n))
    return (buf.raw[:n.value] if rc == 0 else None), err(rc)


def setopt(fd, level, name, raw):
    return err(libc.setsockopt(fd, level, name, raw, len(raw)))


def name(fd, peer):
    a, n = SockaddrMrc(), ctypes.c_uint32(ctypes.sizeof(SockaddrMrc))
    f = libc.getpeername if peer else libc.getsockname
    return (a if f(fd, ctypes.byref(a), ctypes.byref(n)) == 0 else None), n.value


def pair(port):
    """A listener on `port`, a client connected to it, and the accepted socket."""
    lfd = sock()
    assert bind(lfd, addr(port, bytes(16))) == 0 and libc.listen(lfd, 8) == 0
    cfd = sock()
    assert connect(cfd, addr(port)) == 0
    afd = libc.accept(lfd, None, None)
    assert afd >= 0
    return lfd, cfd, afd


def main():
    if AF is None:
        return skip_unloaded()
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    tap = Tap()
    ok = tap.result

    lfd, cfd, afd = pair(7100)
    ok(True, "listen, connect and accept on the loopback")
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
    ok(info is not None and info[0] == MRC_STATE_ESTABLISHED and len(info) == 152,
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

    fd = sock()
    ok(connect(fd, addr(7101)) == errno.ECONNREFUSED, "connect to a port nobody listens on: ECONNREFUSED")
    libc.close(fd)
    fd = sock()
    ok(bind(fd, addr(7100, bytes(16))) == errno.EADDRINUSE, "bind to a listener's port: EADDRINUSE")
    ok(bind(fd, addr(7102, bytes(16)), 10) == errno.EINVAL, "bind with a short address: EINVAL")
    ok(bind(fd, addr(7102, bytes(16), family=10)) == errno.EAFNOSUPPORT, "bind with AF_INET6: EAFNOSUPPORT")
    ok(send(fd, b"x") == -errno.ENOTCONN, "send before connect: ENOTCONN")
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
    ok(libc.shutdown(fd, 1) == 0 and send(fd, b"x") == -errno.EPIPE, "send after shutdown(SHUT_WR): EPIPE")
    ok(send(fd, b"x" * ((4 << 20) + 1)) == -errno.EMSGSIZE, "a message above 4 MiB: EMSGSIZE")
    for f in (fd, afd, lfd):
        libc.close(f)
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
