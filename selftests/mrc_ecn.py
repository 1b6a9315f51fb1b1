#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ECN and the receive queue: MRC packets leave ECN-capable (ECT(0)); a
Congestion Experienced mark that arrives is counted (MrcInCe); packets
that waited in the namespace's receive queue longer than
net.mrc.rx_ce_threshold_us go on marked (MrcInQueueCeMarks), and the
sender hears of it in its SACKs (MRC_INFO's mrci_ecn_echoes); a loss
timer that comes due while that queue holds packets waits for them
(MrcLossTimersDeferred). Runs in a network namespace of its own, over
loopback."""
import socket
import struct
import sys
import time

from ksft import Tap, own_netns, skip_unloaded
from mrcsock import (AF, MRC_INFO, SOL_MRC, addr, connect, getopt, libc, listen, recv, send, snmp,
                     sock)
from mrcwire import OP_PROBE_RESPONSE, probe_request

THRESHOLD = "/proc/sys/net/mrc/rx_ce_threshold_us"
ACK_TIMEOUT = "/proc/sys/net/mrc/ack_timeout"
ECT0, CE = 2, 3
ETH_P_IPV6 = 0x86DD
PORT = (4791).to_bytes(2, "big")
PROBES = 20
MESSAGE = 64 << 10
MESSAGES = 16
# struct mrc_info: 32 bytes of u8/u16/u32 fields, then u64 counters;
# mrci_ecn_echoes is the sixteenth.
ECN_ECHOES_AT = 32 + 15 * 8


def write(path, value):
    """Writes `value`; 0, or the errno of the refusal."""
    try:
        with open(path, "w") as f:
            f.write(f"{value}\n")
        return 0
    except OSError as e:
        return e.errno


def send_probe(tclass):
    """Sends one probe request to this namespace's endpoint with traffic
    class `tclass`. (Its response goes to UDP port 4791, which is the
    endpoint's own here: it counts it as unexpected.)"""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, tclass)
    s.sendto(probe_request(7, 0, 7), ("::1", 4791))
    s.close()


def response_tclasses(capture):
    """The traffic classes of the probe responses that `capture` (an
    AF_PACKET socket on lo) saw: only the tunnel socket sends them."""
    seen = []
    while True:
        try:
            pkt = capture.recv(2048)
        except BlockingIOError:
            return seen
        # IPv6 header (40 bytes), UDP header (8) to port 4791, MRC opcode.
        if (len(pkt) > 48 and pkt[0] >> 4 == 6 and pkt[6] == 17 and pkt[42:44] == PORT
                and pkt[48] == OP_PROBE_RESPONSE):
            seen.append((pkt[0] & 0x0F) << 4 | pkt[1] >> 4)


def transfer(port):
    """Sends MESSAGES messages over a new connection on loopback and reads
    them; (all arrived intact, the sender's MRC_INFO ECN echoes)."""
    lfd, cfd = sock(), sock()
    listen(lfd, port)
    connect(cfd, addr(port))
    afd = libc.accept(lfd, None, None)
    sent = sum(max(send(cfd, bytes([i]) * MESSAGE), 0) for i in range(MESSAGES))
    intact = sent == MESSAGE * MESSAGES
    for i in range(MESSAGES):
        rc, data, _, _ = recv(afd, MESSAGE)
        intact = intact and rc == MESSAGE and data == bytes([i]) * MESSAGE
    info, _ = getopt(cfd, SOL_MRC, MRC_INFO, 256)
    echoes = (struct.unpack_from("Q", info, ECN_ECHOES_AT)[0]
              if info and len(info) >= ECN_ECHOES_AT + 8 else None)
    for fd in (afd, cfd, lfd):
        libc.close(fd)
    return intact, echoes


def main():
    if AF is None:
        return skip_unloaded()
    rc = own_netns(__file__, "MRC_ECN_NETNS")
    if rc is not None:
        return rc
    tap = Tap()

    capture = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IPV6))
    capture.bind(("lo", 0))
    capture.setblocking(False)
    send_probe(0)
    time.sleep(0.5)
    tclasses = response_tclasses(capture)
    capture.close()
    tap.result(tclasses != [] and all(t & 3 == ECT0 for t in tclasses),
               f"the tunnel's probe response leaves ECN-capable, ECT(0) (traffic classes {tclasses})")

    before = snmp()
    for _ in range(PROBES):
        send_probe(CE)
    time.sleep(0.5)
    marked = snmp()["MrcInCe"] - before["MrcInCe"]
    before = snmp()
    for _ in range(PROBES):
        send_probe(ECT0)
    time.sleep(0.5)
    unmarked = snmp()["MrcInCe"] - before["MrcInCe"]
    tap.result(marked == PROBES and unmarked == 0,
               f"arriving CE marks are counted: MrcInCe +{marked} for {PROBES} probes marked CE, "
               f"+{unmarked} for {PROBES} marked ECT(0) and their responses")

    tap.result(write(THRESHOLD, -1) == 22 and write(THRESHOLD, 1_000_001) == 22,
               "rx_ce_threshold_us refuses values outside 0-1000000 (EINVAL)")

    write(THRESHOLD, 0)
    before = snmp()
    intact, echoes = transfer(7711)
    marks = snmp()["MrcInQueueCeMarks"] - before["MrcInQueueCeMarks"]
    tap.result(intact and marks == 0 and echoes == 0,
               f"rx_ce_threshold_us 0: 1 MiB arrive, no packet is marked (MrcInQueueCeMarks +{marks}, "
               f"ECN echoes {echoes})")

    # Every packet waits longer than 1 us for the receive work.
    write(THRESHOLD, 1)
    before = snmp()
    intact, echoes = transfer(7712)
    marks = snmp()["MrcInQueueCeMarks"] - before["MrcInQueueCeMarks"]
    tap.result(intact and marks > 0 and echoes is not None and echoes > 0,
               f"rx_ce_threshold_us 1: 1 MiB arrive, packets that waited are marked "
               f"(MrcInQueueCeMarks +{marks}) and the sender's SACKs echo it ({echoes} ECN echoes)")

    # An ACK timeout of about 1 ms (1.024 us << 10; the connection's floor
    # is twice its smoothed RTT) comes due again and again in a transfer,
    # at times while packets, its own SACKs among them, wait in the receive
    # queue: it waits for them. 1 MiB at a time until one has waited (at
    # most 16 MiB), and the data still arrives whole.
    write(THRESHOLD, 3000)
    write(ACK_TIMEOUT, 10)
    before = snmp()["MrcLossTimersDeferred"]
    mib, intact, deferred = 0, True, 0
    while intact and deferred == 0 and mib < 16:
        ok, _ = transfer(7713 + mib)
        mib, intact = mib + 1, intact and ok
        deferred = snmp()["MrcLossTimersDeferred"] - before
    write(ACK_TIMEOUT, 15)
    tap.result(intact and deferred > 0,
               f"ack_timeout 10: {mib} MiB arrive, loss timers that came due while the receive "
               f"queue held packets waited for them (MrcLossTimersDeferred +{deferred})")
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
