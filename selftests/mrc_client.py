#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""An AF_MRC client and one-shot server in Python, through ctypes (the
socket module cannot take or return an address of a family it does not
know): the socket, struct sockaddr_mrc, the SOL_MRC options, messages.
Speaks mrcperf's message exchange
(tools/mrcperf/src/msgwire.rs) with `mrcperf server --proto mrc`,
mrc_client.c and itself:

  Hello (40 B) | data: the pattern cut at the seeded sizes | End (24 B)
  <- [reverse data | End, with bidir] Report ("MRCPREP1" + JSON)
  Bye

  mrc_client.py client --connect ADDR [--port P] [--bind SRC] --bytes N
                       [--seed S] [--max-msg M] [--bidir] [--srv6 A,B] [--evs N]
  mrc_client.py serve [--bind ADDR] [--port P]   one connection, then exit
  mrc_client.py selfcheck                        the vectors mrcperf pins
  (--fd N instead of --connect / --port: an already connected
  SOCK_SEQPACKET socket, for testing the exchange without mrc.ko)

Both ends send everything first and then read, on one thread. Exit: 0
intact, 1 damaged or an error, 2 usage."""
import argparse
import ctypes
import json
import os
import socket
import struct
import sys
import time

SOL_MRC, MRC_EV_COUNT, MRC_SRV6_PATHS = 300, 8, 9
SOL_SOCKET, SO_RCVTIMEO, SO_SNDTIMEO = 1, 20, 21
MSG_TRUNC, MSG_NOSIGNAL = 0x20, 0x4000
MAX_MESSAGE = 1 << 20
RECV_BUF = MAX_MESSAGE + 4096
FLAG_BIDIR = 1
M64 = (1 << 64) - 1
STALL_S = 120

libc = ctypes.CDLL(None, use_errno=True)
for _f in (libc.send, libc.recv):
    _f.restype = ctypes.c_ssize_t
    _f.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)


# ------------------------------------------------------------- pattern
def pattern(seed, off, n):
    """Stream bytes [off, off + n): byte o is byte o % 8 (little endian)
    of mix(seed ^ o // 8), mix(x) = z ^ (z >> 29), z = x * 0x9e37...15."""
    first, last = off // 8, (off + n + 7) // 8
    blocks = [(z := ((seed ^ i) * 0x9E3779B97F4A7C15) & M64) ^ (z >> 29) for i in range(first, last)]
    skip = off - first * 8
    return struct.pack(f"<{len(blocks)}Q", *blocks)[skip:skip + n]


class Sizes:
    """splitmix64 over seed ^ "mrcsizes"; log-uniform sizes 1..max."""

    def __init__(self, seed, maximum):
        self.state = (seed ^ 0x6D726373697A6573) & M64
        self.max = max(maximum, 1)
        self.max_exp = self.max.bit_length() - 1

    def copy(self):
        c = Sizes(0, self.max)
        c.state = self.state
        return c

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        lo = 1 << (z % (self.max_exp + 1))
        return min(lo + (z >> 32) % lo, self.max)


def selfcheck():
    a, b = Sizes(1, MAX_MESSAGE), Sizes(0xDEADBEEF, 1000)
    ok = [a.next() for _ in range(8)] == [224, 363, 7231, 7, 54, 316492, 738085, 14677]
    ok &= [b.next() for _ in range(8)] == [1, 10, 55, 137, 508, 34, 1, 51]
    ok &= list(pattern(0x1234, 0, 16)) == [76, 139, 68, 89, 161, 196, 211, 9, 141, 216, 124, 215, 95, 62, 11, 168]
    ok &= list(pattern(0x1234, 1000003, 16)) == [170, 112, 155, 119, 73, 34, 177, 216,
                                                 93, 43, 21, 175, 231, 120, 227, 222]
    print(f"mrc_client.py: selfcheck {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


# ---------------------------------------------------------------- wire
def hello(seed, flags, nbytes, max_msg):
    return b"MRCPMSG1" + struct.pack(">QIIQII", seed, 100, flags, nbytes, max_msg, 0)


def parse_hello(m):
    if len(m) != 40 or m[:8] != b"MRCPMSG1":
        raise ValueError("not an mrcperf hello")
    seed, interval, flags, nbytes, max_msg, min_msg = struct.unpack(">QIIQII", m[8:])
    if min_msg > 1:
        raise ValueError("a hello with a smallest message size (mrcperf --min-msg): not supported")
    return seed, flags, nbytes, max_msg


def end(nbytes, msgs):
    return b"MRCPEND1" + struct.pack(">QQ", nbytes, msgs)


def parse_end(m):
    if len(m) == 24 and m[:8] == b"MRCPEND1":
        return struct.unpack(">QQ", m[8:])
    return None


def send_stream(s, seed, nbytes, max_msg):
    sizes, off, msgs = Sizes(seed, max_msg), 0, 0
    while off < nbytes:
        n = min(sizes.next(), nbytes - off)
        s.send(pattern(seed, off, n))
        off, msgs = off + n, msgs + 1
    s.send(end(off, msgs))
    return off, msgs


def recv_stream(s, seed, limit, max_msg):
    """Reads data messages up to the End; returns (bytes, messages, intact,
    first bad message). `limit` is the announced size, None if timed."""
    sizes, off, msgs, bad = Sizes(seed, max_msg), 0, 0, None
    while True:
        m = s.recv()
        nxt = sizes.copy()
        want = nxt.next() if limit is None else min(nxt.next(), max(limit - off, 0))
        as_sent = len(m) == want and m == pattern(seed, off, len(m))
        e = None if as_sent else parse_end(m)
        if e:
            intact = bad is None and e == (off, msgs) and (limit is None or off == limit)
            return off, msgs, intact, bad
        if not as_sent and bad is None:
            bad = msgs
        sizes, off, msgs = nxt, off + len(m), msgs + 1


# -------------------------------------------------------------- socket
def mrc_family():
    with open("/sys/module/mrc/parameters/family") as f:
        return int(f.read())


def sockaddr(af, addr, port):
    """struct sockaddr_mrc: family, port (host order), scope id, in6_addr."""
    return struct.pack("=HHI16s", af, port, 0, socket.inet_pton(socket.AF_INET6, addr))


def check(rc, what):
    if rc < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return rc


def setopt(fd, opt, value, what):
    check(libc.setsockopt(fd, SOL_MRC, opt, value, len(value)), what)


def mrc_socket(af, args):
    fd = check(libc.socket(af, socket.SOCK_SEQPACKET, 0), "socket")
    if args.evs:
        setopt(fd, MRC_EV_COUNT, struct.pack("=i", args.evs), "MRC_EV_COUNT")
    if args.srv6:
        paths = b"".join(socket.inet_pton(socket.AF_INET6, a) for a in args.srv6.split(","))
        setopt(fd, MRC_SRV6_PATHS, paths, "MRC_SRV6_PATHS")
    return fd


class Conn:
    """A connected SOCK_SEQPACKET socket: one send is one message, one
    receive one whole message."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = ctypes.create_string_buffer(RECV_BUF)
        timeout = struct.pack("@ll", STALL_S, 0)
        for opt in (SO_RCVTIMEO, SO_SNDTIMEO):
            check(libc.setsockopt(fd, SOL_SOCKET, opt, timeout, len(timeout)), "SO_RCVTIMEO/SO_SNDTIMEO")

    def send(self, m):
        if check(libc.send(self.fd, m, len(m), MSG_NOSIGNAL), "send") != len(m):
            raise OSError("a message was sent in part")

    def recv(self):
        # MSG_TRUNC: the return value is the message's whole length.
        n = check(libc.recv(self.fd, self.buf, RECV_BUF, MSG_TRUNC), "recv")
        if n > RECV_BUF:
            raise OSError(f"a message of {n} bytes, longer than the buffer")
        if n == 0:
            raise EOFError("the connection ended")
        return ctypes.string_at(self.buf, n)

    def close(self):
        libc.close(self.fd)


def connect(args):
    if args.fd is not None:
        return Conn(args.fd)
    af = mrc_family()
    fd = mrc_socket(af, args)
    if args.bind:
        a = sockaddr(af, args.bind, 0)
        check(libc.bind(fd, a, len(a)), f"bind {args.bind}")
    a = sockaddr(af, args.connect, args.port)
    check(libc.connect(fd, a, len(a)), f"connect [{args.connect}]:{args.port}")
    return Conn(fd)


def accept_one(args):
    if args.fd is not None:
        return Conn(args.fd)
    af = mrc_family()
    fd = mrc_socket(af, args)
    a = sockaddr(af, args.bind, args.port)
    check(libc.bind(fd, a, len(a)), f"bind [{args.bind}]:{args.port}")
    check(libc.listen(fd, 8), "listen")
    print(f"mrc_client.py: listening on [{args.bind}]:{args.port}", file=sys.stderr, flush=True)
    conn = check(libc.accept(fd, None, None), "accept")
    libc.close(fd)
    return Conn(conn)


# ---------------------------------------------------------------- sides
def client(args):
    s = connect(args)
    s.send(hello(args.seed, FLAG_BIDIR if args.bidir else 0, args.bytes, args.max_msg))
    nbytes, msgs = send_stream(s, args.seed, args.bytes, args.max_msg)
    rev_ok = True
    if args.bidir:
        rb, rm, rev_ok, bad = recv_stream(s, ~args.seed & M64, args.bytes, args.max_msg)
        print(f"mrc_client.py: reverse {rb} bytes in {rm} messages: {'intact' if rev_ok else 'DAMAGED'}"
              + (f" (message {bad} not as sent)" if bad is not None else ""))
    m = s.recv()
    if m[:8] != b"MRCPREP1":
        raise ValueError("no report from the server")
    rep = json.loads(m[8:])
    fwd_ok = rep["intact"] and rep["bytes"] == nbytes and rep["messages"] == msgs
    print(f"mrc_client.py: sent {nbytes} bytes in {msgs} messages; server received "
          f"{rep['bytes']} in {rep['messages']}: {'intact' if fwd_ok else 'DAMAGED'}")
    s.send(b"MRCPBYE1")
    s.close()
    return 0 if fwd_ok and rev_ok else 1


def serve(args):
    s = accept_one(args)
    seed, flags, nbytes, max_msg = parse_hello(s.recv())
    t0 = time.monotonic_ns()
    got, msgs, intact, bad = recv_stream(s, seed, nbytes or None, max_msg)
    ns = time.monotonic_ns() - t0
    back = (0, 0)
    if flags & FLAG_BIDIR:
        back = send_stream(s, ~seed & M64, nbytes, max_msg)
    report = {"bytes": got, "messages": msgs, "intact": intact, "first_mismatch": None,
              "bad_message": bad, "ns": ns, "interval_ms": 100, "intervals": [],
              "reverse_bytes": back[0], "reverse_messages": back[1]}
    s.send(b"MRCPREP1" + json.dumps(report, separators=(",", ":")).encode())
    bye = s.recv() == b"MRCPBYE1"
    print(json.dumps({"proto": "mrc", "seed": seed, "bytes": got, "messages": msgs,
                      "intact": intact, "reverse_bytes": back[0], "bye": bye}), flush=True)
    s.close()
    return 0 if intact else 1


def size(s):
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(s[-1:].lower(), 1)
    return int(s[:-1] if mult > 1 else s, 0) * mult


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("client")
    c.add_argument("--connect")
    c.add_argument("--bind")
    c.add_argument("--bytes", type=size, required=True)
    c.add_argument("--seed", type=lambda v: int(v, 0), default=1)
    c.add_argument("--max-msg", type=size, default=MAX_MESSAGE)
    c.add_argument("--bidir", action="store_true")
    v = sub.add_parser("serve")
    v.add_argument("--bind", default="::")
    for q in (c, v):
        q.add_argument("--port", type=int, default=5201)
        q.add_argument("--srv6")
        q.add_argument("--evs", type=int)
        q.add_argument("--fd", type=int)
    sub.add_parser("selfcheck")
    args = p.parse_args()
    if args.cmd == "selfcheck":
        return selfcheck()
    if args.cmd == "client" and (args.connect is None) == (args.fd is None):
        p.error("client needs --connect or --fd")
    if args.cmd == "client" and not 1 <= args.max_msg <= MAX_MESSAGE:
        p.error("--max-msg must be 1..1M")
    try:
        return client(args) if args.cmd == "client" else serve(args)
    except (OSError, EOFError, ValueError, KeyError) as e:
        print(f"mrc_client.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
