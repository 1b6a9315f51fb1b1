# SPDX-License-Identifier: GPL-2.0
"""AF_MRC through libc (ctypes) for the Python selftests: the socket
address, and socket calls that return an errno instead of raising (Python's
socket module does not know the family's addresses)."""
import ctypes
import os
import struct

from ksft import mrc_family

SOCK_SEQPACKET = 5
SOL_SOCKET, SO_ERROR, SO_RCVTIMEO = 1, 4, 20
SOL_MRC = 300
MRC_EV_PROFILE, MRC_CC_PROFILE = 1, 2
MRC_MPR, MRC_ACK_TIMEOUT, MRC_RETRIES, MRC_INFO, MRC_EV_COUNT, MRC_SRV6_PATHS, MRC_PATH_INFO = (
    3, 4, 5, 7, 8, 9, 10)
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


def snmp():
    """This namespace's /proc/net/mrc_snmp, by name."""
    with open("/proc/net/mrc_snmp") as f:
        return {k: int(v) for k, v in (line.split() for line in f)}


def sysctl(name, value):
    """Writes net.mrc.`name` (unless `value` is None); its old value."""
    with open(f"/proc/sys/net/mrc/{name}", "r+") as f:
        old = f.read().strip()
        if value is not None:
            f.seek(0)
            f.write(str(value))
    return old


def addr(port, ip=LOOP, family=None):
    a = SockaddrMrc(AF if family is None else family, port, 0)
    a.addr[:] = list(ip)
    return a


def err(rc):
    """0 on success, else errno."""
    return 0 if rc >= 0 else ctypes.get_errno()


def sock():
    """A new AF_MRC socket; OSError if there is none (the test cannot go on)."""
    fd = libc.socket(AF, SOCK_SEQPACKET, 0)
    if fd < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return fd


def bind(fd, a, size=ctypes.sizeof(SockaddrMrc)):
    return err(libc.bind(fd, ctypes.byref(a), size))


def listen(fd, port, backlog=8):
    """Binds `fd` to MRC port `port` of every address and listens: 0, else errno."""
    return bind(fd, addr(port, bytes(16))) or err(libc.listen(fd, backlog))


def connect(fd, a):
    return err(libc.connect(fd, ctypes.byref(a), ctypes.sizeof(a)))


def _sendmsg(fd, base, length, flags, cmsg=b""):
    """sendmsg(2) of `length` bytes at address `base`, with control bytes `cmsg`."""
    iov = Iovec(base, length)
    m = Msghdr(None, 0, ctypes.pointer(iov), 1, None, 0, 0)
    if cmsg:
        cbuf = ctypes.create_string_buffer(cmsg, len(cmsg))
        m.control, m.controllen = ctypes.cast(cbuf, ctypes.c_void_p), len(cmsg)
    rc = libc.sendmsg(fd, ctypes.byref(m), flags)
    return rc if rc >= 0 else -ctypes.get_errno()


def send(fd, data, flags=MSG_NOSIGNAL, imm=None):
    cmsg = b"" if imm is None else struct.pack("QiiI", 20, SOL_MRC, MRC_IMM, imm) + bytes(4)
    return _sendmsg(fd, ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p), len(data), flags, cmsg)


def send_unmapped(fd, length):
    """sendmsg of `length` bytes from an address nothing is mapped at."""
    return _sendmsg(fd, ctypes.c_void_p(4096), length, MSG_NOSIGNAL)


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
