#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The per-namespace MRC endpoint, from the wire: two namespaces joined by a
veth pair; ns B runs mrc.ko's tunnel socket on net.mrc.udp_port, ns A moves
its own out of the way so that this script can speak MRC from UDP port 4791.
Checks probe responses, connect rejects, the counters of /proc/net/mrc_snmp,
malformed and random datagrams, UDP GSO batches (cut up by UDP, and taken
whole with net.mrc.udp_gro=1: split by the tunnel when they hold a probe
request, else queued whole), and reopening the tunnel on a port change."""
import ctypes
import os
import random
import socket
import struct
import subprocess
import sys
import time

from ksft import Tap, mrc_family, skip_unloaded
from mrcwire import OP_PROBE_RESPONSE, base, connect_request, parse_probe_response, probe_request

A, B = f"mrc-epa-{os.getpid()}", f"mrc-epb-{os.getpid()}"
ADDR_A, ADDR_B = "fd00:6d72:63::1", "fd00:6d72:63::2"
PORT = 4791
CLONE_NEWNET = 0x40000000
UDP_SEGMENT = 103  # linux/udp.h: send one UDP GSO batch


def sh(*cmd):
    """Runs `cmd`, which must succeed; returns what it printed."""
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def setns(fd):
    """Moves this process into the network namespace `fd` refers to."""
    # os.setns needs Python 3.12; libc's setns(2) works everywhere.
    if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def in_ns(ns):
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        setns(fd)
    finally:
        os.close(fd)


def udp_socket_in(ns, addr, port):
    """A UDP socket of namespace `ns` bound to (addr, port), made there and
    used from here: a socket stays in the namespace it was made in."""
    here = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        in_ns(ns)
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    finally:
        setns(here)
        os.close(here)
    s.bind((addr, port))
    s.settimeout(5)
    return s


def probe_id(s, dst, pid):
    """Sends a probe request with id `pid` from `s` to `dst`; the id of the
    probe response that comes back, or None (none in 5 s, the port
    unreachable, or not a probe response)."""
    s.sendto(probe_request(pid, pid, pid), dst)
    try:
        reply, _ = s.recvfrom(2048)
    except OSError:  # socket.timeout, ConnectionRefusedError
        return None
    return (parse_probe_response(reply) or (None,))[0]


def snmp(ns):
    out = subprocess.run(["ip", "netns", "exec", ns, "cat", "/proc/net/mrc_snmp"],
                         check=True, capture_output=True, text=True).stdout
    return {k: int(v) for k, v in (line.split() for line in out.splitlines())}


def snmp_moved(ns, before, n, key="MrcInDatagrams"):
    """How far each counter of `ns` moved since `before`, once `key`
    (MrcInDatagrams unless told) has moved by `n` (or after 60 s: slow
    debug kernels get time, not weaker checks)."""
    deadline = time.monotonic() + 60
    while True:
        d = {k: v - before.get(k, 0) for k, v in snmp(ns).items()}
        if d[key] >= n or time.monotonic() > deadline:
            return d
        time.sleep(0.2)


def setup():
    sh("ip", "netns", "add", A)
    sh("ip", "netns", "add", B)
    sh("ip", "link", "add", "mrc-epa", "netns", A, "type", "veth", "peer", "mrc-epb", "netns", B)
    for ns, dev, addr in ((A, "mrc-epa", ADDR_A), (B, "mrc-epb", ADDR_B)):
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "addr", "add", f"{addr}/64", "dev", dev, "nodad")
        sh("ip", "-n", ns, "link", "set", dev, "up")
    sh("ip", "netns", "exec", A, "sh", "-c", "echo 5000 > /proc/sys/net/mrc/udp_port")


def cleanup():
    for ns in (A, B):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def main():
    if mrc_family() is None:
        return skip_unloaded()
    tap = Tap()
    result = tap.result
    try:
        setup()
        in_ns(A)
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind((ADDR_A, PORT))
        s.settimeout(5)
        before = snmp(B)

        ts = time.monotonic_ns()
        s.sendto(probe_request(0xC0FFEE, 7, ts), (ADDR_B, PORT))
        reply, peer = s.recvfrom(2048)
        response = parse_probe_response(reply)
        result(response is not None, f"probe request answered with a probe response (opcode {reply[0]:#x})")
        pid, ev, echo, service = response or (None, None, None, 0)
        result((pid, ev, echo) == (0xC0FFEE, 7, ts), "probe id, EV index and timestamp echoed")
        result(service < 50_000_000, f"service time reported ({service} ns)")

        s.sendto(connect_request(0x123456, 80), (ADDR_B, PORT))
        reply, _ = s.recvfrom(2048)
        dest = struct.unpack(">I", reply[4:8])[0] & 0xFFFFFF
        result(reply[0] == 0xF2 and reply[12] == 1 and dest == 0x123456,
               "connect request to a port nobody listens on: ConnectReject(NoListener) to the initiator")

        valid = probe_request(1, 1, 1)
        for cut in range(len(valid)):
            s.sendto(valid[:cut], (ADDR_B, PORT))
        s.sendto(b"\x00" * 64, (ADDR_B, PORT))
        s.sendto(bytes([0xE0, 0x0F]) + valid[2:], (ADDR_B, PORT))
        rng = random.Random(4791)
        for _ in range(2000):
            s.sendto(bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 120))), (ADDR_B, PORT))
        sent = 2 + len(valid) + 2 + 2000
        d = snmp_moved(B, before, sent)
        result(d["MrcInDatagrams"] == sent, f"every datagram counted ({d['MrcInDatagrams']} of {sent})")
        result(d["MrcInProbeRequests"] == 1 and d["MrcInNoListener"] == 1, "probe and connect counted")
        result(d["MrcInMalformed"] >= len(valid) + 2,
               f"truncated and corrupted packets counted as malformed ({d['MrcInMalformed']})")
        result(d["MrcInMalformed"] + d["MrcInNoConnection"] + d["MrcInProbeRequests"] + d["MrcInNoListener"]
               + d["MrcInUnexpectedProbeResponses"] == sent, "each datagram counted under exactly one outcome")
        result(d["MrcOutPackets"] >= 2 and d["MrcOutErrors"] == 0, "replies sent without error")

        # One UDP GSO batch of four packets from a local sender, each judged
        # on its own (a probe, zeros, a probe, a probe cut short as the
        # batch's shorter last packet): with net.mrc.udp_gro=0 UDP cuts it
        # into datagrams before the tunnel's encap_rcv sees them; with 1,
        # the default, the tunnel takes it whole and splits it itself (its
        # probes are answered at once, not queued for the work item).
        seg = len(valid)
        batch = (probe_request(21, 1, 21) + b"\x00" * seg + probe_request(22, 2, 22)
                 + probe_request(23, 3, 23)[:seg - 5])
        s.setblocking(False)
        while True:  # replies to the random datagrams above, if any
            try:
                s.recv(2048)
            except BlockingIOError:
                break
        s.settimeout(5)
        gro_default = sh("ip", "netns", "exec", B, "cat", "/proc/sys/net/mrc/udp_gro").strip()
        for udp_gro, how, batches in ((0, "cut up by UDP", 0), (1, "taken whole", 1)):
            sh("ip", "netns", "exec", B, "sh", "-c", f"echo {udp_gro} > /proc/sys/net/mrc/udp_gro")
            before = snmp(B)
            s.sendmsg([batch], [(socket.SOL_UDP, UDP_SEGMENT, struct.pack("=H", seg))], 0, (ADDR_B, PORT))
            ids = []
            for _ in range(2):
                try:
                    ids.append((parse_probe_response(s.recv(2048)) or (None,))[0])
                except OSError:
                    break
            result(sorted(ids, key=str) == [21, 22], f"udp_gro={udp_gro}: a UDP GSO batch of 4 packets: "
                   f"its two whole probe requests answered (ids {ids})")
            d = snmp_moved(B, before, 4)
            got = tuple(d[k] for k in ("MrcInDatagrams", "MrcInProbeRequests", "MrcInMalformed"))
            result(got == (4, 2, 2), f"udp_gro={udp_gro}: the batch counted as 4 datagrams: 2 probe requests, "
                   f"2 malformed (datagrams, probes, malformed: {got})")
            result(d["MrcInGsoBatches"] == batches,
                   f"udp_gro={udp_gro}: the batch {how} ({d['MrcInGsoBatches']} whole batches counted)")
            result(d["MrcInGsoBatchesSplit"] == batches,
                   f"udp_gro={udp_gro}: split into its packets by the tunnel {batches} times "
                   f"({d['MrcInGsoBatchesSplit']})")
        # A batch of four probe responses to no probe: nothing in it for
        # the softirq, so it waits for the work item whole, which hands
        # its packets on one by one, each counted.
        responses = b"".join(base(OP_PROBE_RESPONSE) + struct.pack(">IHHQI", 900 + i, 1, 0, 0, 0)
                             for i in range(4))
        before = snmp(B)
        s.sendmsg([responses], [(socket.SOL_UDP, UDP_SEGMENT, struct.pack("=H", len(responses) // 4))], 0,
                  (ADDR_B, PORT))
        d = snmp_moved(B, before, 4, "MrcInUnexpectedProbeResponses")
        got = tuple(d[k] for k in ("MrcInDatagrams", "MrcInUnexpectedProbeResponses", "MrcInGsoBatches",
                                   "MrcInGsoBatchesSplit"))
        result(got == (4, 4, 1, 0), "a UDP GSO batch of 4 probe responses waits for the work item whole, "
               f"each packet counted (datagrams, unexpected responses, batches, split: {got})")
        sh("ip", "netns", "exec", B, "sh", "-c", f"echo {gro_default} > /proc/sys/net/mrc/udp_gro")

        sh("ip", "netns", "exec", B, "sh", "-c", "echo 6000 > /proc/sys/net/mrc/udp_port")
        s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s6.bind((ADDR_A, 6000))
        s6.settimeout(5)
        result(probe_id(s6, (ADDR_B, 6000), 3) == 3,
               "after net.mrc.udp_port=6000 the tunnel answers on 6000")

        blocker = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        blocker.bind(("::", 7000))
        errors = snmp(A)["MrcTunnelOpenErrors"]
        subprocess.run(["sh", "-c", "echo 7000 > /proc/sys/net/mrc/udp_port"], check=True)
        result(snmp(A)["MrcTunnelOpenErrors"] == errors + 1, "a taken port is counted as a tunnel open error")
        blocker.close()
        subprocess.run(["sh", "-c", "echo 7001 > /proc/sys/net/mrc/udp_port"], check=True)
        result(snmp(A)["MrcTunnelOpenErrors"] == errors + 1, "a free port opens without an error")
        # A's tunnel answers a probe from B's port 7001 on 7001 (replies go
        # to the responder's own MRC port).
        b7001 = udp_socket_in(B, ADDR_B, 7001)
        result(probe_id(b7001, (ADDR_A, 7001), 4) == 4,
               "after the taken port, the free 7001 opens the tunnel: it answers there")
    except (OSError, subprocess.CalledProcessError, KeyError, struct.error) as e:
        result(False, f"unexpected error: {e!r}")
    finally:
        cleanup()
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
