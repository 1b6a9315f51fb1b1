#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Controller profiles on a live connection (loopback): `mrcctl` makes an
STEV EV format, an explicit EV profile of 4 EVs and a CC profile; a socket
names them (MRC_EV_PROFILE, MRC_CC_PROFILE) and its connection sprays over
exactly those EVs, as a raw packet socket on the loopback sees (each EV's
UDP source port and flow label); the profiles refuse changes while the
connection uses them; a denied EV carries no more packets, and after the
close the profiles can go. `mrcctl probe` gets an RTT from every EV of the
profile, and timeouts from a host whose MRC port is closed."""
import errno
import json
import os
import socket
import struct
import subprocess
import sys
import threading

from ksft import Tap, mrcctl, skip_missing, skip_unloaded
from mrcsock import (AF, MRC_CC_PROFILE, MRC_EV_PROFILE, MRC_INFO, MRC_PATH_INFO, SOL_MRC,
                     addr, connect, getopt, libc, listen, recv, send, setopt, sock)

CTL = mrcctl()
FMT, EVP, CCP = 11, 12, 13
COUNT = 4
# EV i (1..4) expands to source port 0x7000 + i and flow label 0x100.
PORTS = [0x7000 + i for i in range(1, COUNT + 1)]
FLOW_LABEL = 0x100
PORT = 7300
SILENT_NS, SILENT_ADDR = f"mrc-silent-{os.getpid()}", "fd00:6d72:5::2"
ETH_P_ALL, ETH_P_IPV6 = 0x0003, 0x86DD
PACKET_OUTGOING = 4


def ctl(*args):
    """Runs mrcctl; returns (exit code, stderr)."""
    p = subprocess.run([CTL, *map(str, args)], capture_output=True, text=True)
    return p.returncode, p.stderr.strip()


def ctl_json(*args):
    """Runs mrcctl -j; returns its JSON ({} if it failed)."""
    p = subprocess.run([CTL, "-j", *map(str, args)], capture_output=True, text=True)
    print(f"# mrcctl {' '.join(map(str, args))}: exit {p.returncode} {p.stderr.strip()}",
          flush=True)
    return json.loads(p.stdout) if p.returncode == 0 else {}


def silent_host():
    """A namespace behind a veth whose mrc.ko listens on another UDP port:
    MRC packets sent to it get no answer."""
    cmds = [f"ip netns add {SILENT_NS}",
            f"ip link add mrc-sil0 type veth peer mrc-sil1 netns {SILENT_NS}",
            "ip addr add fd00:6d72:5::1/64 dev mrc-sil0 nodad",
            "ip link set mrc-sil0 up",
            f"ip -n {SILENT_NS} addr add {SILENT_ADDR}/64 dev mrc-sil1 nodad",
            f"ip -n {SILENT_NS} link set mrc-sil1 up",
            f"ip netns exec {SILENT_NS} sysctl -qw net.mrc.udp_port=4999"]
    return all(subprocess.run(c.split()).returncode == 0 for c in cmds)


class Capture:
    """Counts the UDP source ports (and flow labels) of the MRC packets the
    loopback sends while it runs."""

    def __init__(self, udp_port):
        self.udp_port = udp_port
        self.ports = {}
        self.labels = set()
        # Only ETH_P_ALL taps see what a device sends.
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind(("lo", ETH_P_ALL))
        self.sock.settimeout(0.2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            try:
                frame, where = self.sock.recvfrom(128)
            except socket.timeout:
                continue
            ip = frame[14:]
            if (where[2] != PACKET_OUTGOING or where[1] != ETH_P_IPV6 or len(ip) < 48
                    or ip[6] != socket.IPPROTO_UDP):
                continue
            sport, dport = struct.unpack_from("!HH", ip, 40)
            if dport == self.udp_port:
                self.ports[sport] = self.ports.get(sport, 0) + 1
                if sport in PORTS:
                    self.labels.add(struct.unpack_from("!I", ip, 0)[0] & 0xFFFFF)

    def end(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()
        return {p: n for p, n in self.ports.items() if p in PORTS}


def evs_sent(fd):
    raw, _ = getopt(fd, SOL_MRC, MRC_PATH_INFO, 40 * 64)
    return [struct.unpack_from("<Q", raw, i)[0] for i in range(8, len(raw or b""), 40)]


def transfer(cfd, afd, n):
    """Sends n messages of 4 KiB and reads them; True if all arrived intact."""
    good = True
    for i in range(n):
        data = bytes([i % 251]) * 4096
        send(cfd, data)
        rc, got, _, _ = recv(afd, 8192)
        good &= rc == 4096 and got == data
    return good


def main():
    if AF is None:
        return skip_unloaded()
    if not os.access(CTL, os.X_OK):
        return skip_missing(CTL, "mrcctl")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with open("/proc/sys/net/mrc/udp_port") as f:
        udp_port = int(f.read())
    tap = Tap()
    ok = tap.result
    try:
        return checks(ok, tap, udp_port)
    finally:
        subprocess.run(["ip", "netns", "del", SILENT_NS], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "link", "del", "mrc-sil0"], stderr=subprocess.DEVNULL)


def checks(ok, tap, udp_port):
    ok(silent_host(), "a host behind a veth whose MRC port is another")

    made = (ctl("ev-fmt", "add", FMT, "mode", "stev", "widths", "16,16")[0] == 0
            and ctl("ev-fmt", "set", FMT, "state", "offline")[0] == 0
            and ctl("ev-fmt", "set", FMT, "state", "online")[0] == 0
            and ctl("ev-profile", "add", EVP, "mode", "explicit", "fmt", FMT,
                    "count", COUNT, "field", "width=16,init=0x7000,mask=0xff",
                    "field", f"width=16,init={FLOW_LABEL:#x}",
                    *[a for i in range(1, COUNT + 1) for a in ("ev", f"{i:02x}")])[0] == 0
            and ctl("cc-profile", "add", CCP, "link-rate", 1250000000,
                    "base-rtt", "50us")[0] == 0
            and ctl("cc-profile", "set", CCP, "state", "offline")[0] == 0
            and ctl("cc-profile", "set", CCP, "state", "online")[0] == 0)
    ok(made, "mrcctl: an STEV format, an explicit profile of 4 EVs, a CC profile")

    lfd = sock()
    e = listen(lfd, PORT)
    ok(e == 0, f"listening on MRC port {PORT} (errno {e})")

    def connect_with(ev, cc=0):
        fd = sock()
        setopt(fd, SOL_MRC, MRC_EV_PROFILE, struct.pack("Q", ev))
        setopt(fd, SOL_MRC, MRC_CC_PROFILE, struct.pack("Q", cc))
        return fd, connect(fd, addr(PORT))

    fd, e = connect_with(999)
    ok(e == errno.ENOENT, f"connect with an EV profile that does not exist: ENOENT (got {e})")
    os.close(fd)
    fd, e = connect_with(EVP)
    ok(e == errno.EBUSY, f"connect with an EV profile not ONLINE yet: EBUSY (got {e})")
    os.close(fd)
    ok(ctl("ev-profile", "set", EVP, "state", "offline")[0] == 0
       and ctl("ev-profile", "set", EVP, "state", "online")[0] == 0,
       "mrcctl: the EV profile goes ONLINE")

    cap = Capture(udp_port)
    cfd, e = connect_with(EVP, CCP)
    afd = libc.accept(lfd, None, None)
    ok(e == 0 and afd >= 0, f"connect with the EV and CC profiles (got {e})")
    info, _ = getopt(cfd, SOL_MRC, MRC_INFO, 256)
    ev_count = struct.unpack_from("<H", info or bytes(16), 12)[0]
    ok(ev_count == COUNT, f"MRC_INFO: the profile's {COUNT} EVs (got {ev_count})")
    ok(transfer(cfd, afd, 200), "200 messages of 4 KiB, intact")
    seen = cap.end()
    print(f"# packets per EV source port: {seen}; flow labels {sorted(cap.labels)}", flush=True)
    ok(sorted(seen) == PORTS and all(n > 0 for n in seen.values()),
       "on the wire: every EV's source port (0x7001-0x7004), and no other in the range")
    ok(cap.labels == {FLOW_LABEL}, "on the wire: the EVs' flow label")
    sent = evs_sent(cfd)
    ok(len(sent) == COUNT and all(n > 0 for n in sent),
       f"MRC_PATH_INFO: {COUNT} EVs, each sent packets ({sent})")

    probes = ctl_json("probe", "::1", "ev-profile", EVP)
    rtts = [r.get("rtt_ns") for r in probes.get("results", [])]
    print(f"# probe over the profile's EVs: {rtts} ns", flush=True)
    ok(len(rtts) == COUNT and all(rtts), "mrcctl probe: every EV of the profile answers, with an RTT")
    probes = ctl_json("probe", "::1", "ev", 0, "ev", 63)
    ok([r["index"] for r in probes.get("results", []) if "rtt_ns" in r] == [0, 63],
       "mrcctl probe: chosen EVs of the built-in profile")
    rc, msg = ctl("probe", "::1", "ev-profile", EVP, "ev", COUNT)
    ok(rc == 1 and f"index: the profile has {COUNT} EVs" in msg,
       f"mrcctl probe: an EV past the profile refused, naming the attribute ({msg})")
    probes = ctl_json("probe", SILENT_ADDR, "timeout", 300, "ev", 1, "ev", 2)
    ok([r.get("timed_out") for r in probes.get("results", [])] == [True, True]
       and probes.get("answered") == 0,
       "mrcctl probe: a host whose MRC port is closed: each EV times out")

    rc, msg = ctl("ev-profile", "del", EVP)
    ok(rc != 0 and "busy" in msg.lower(), f"ev-profile del while in use: EBUSY ({msg})")
    rc, msg = ctl("ev-profile", "set", EVP, "state", "offline")
    ok(rc != 0 and "busy" in msg.lower(), f"ev-profile offline while in use: EBUSY ({msg})")
    rc, msg = ctl("cc-profile", "del", CCP)
    ok(rc != 0 and "busy" in msg.lower(), f"cc-profile del while in use: EBUSY ({msg})")

    ok(ctl("ev", "set", EVP, 1, "state", "denied")[0] == 0, "mrcctl: deny EV 1")
    before = evs_sent(cfd)
    cap = Capture(udp_port)
    good = transfer(cfd, afd, 200)
    seen = cap.end()
    after = evs_sent(cfd)
    print(f"# after the deny: packets per EV source port {seen}; sent {before} -> {after}",
          flush=True)
    ok(good, "200 more messages, intact")
    ok(after[1] == before[1] and PORTS[1] not in seen,
       "the denied EV carries no more packets")
    ok(all(after[i] > before[i] for i in (0, 2, 3)), "the other EVs carry them")
    ok(ctl("ev", "set", EVP, 1, "state", "good")[0] == 0, "mrcctl: allow EV 1 again")

    for f in (cfd, afd, lfd):
        os.close(f)
    # The accepted side drops its leases once the close is done with.
    gone = False
    for _ in range(50):
        if ctl("ev-profile", "set", EVP, "state", "offline")[0] == 0:
            gone = True
            break
        subprocess.run(["sleep", "0.1"])
    ok(gone and ctl("ev-profile", "del", EVP)[0] == 0
       and ctl("cc-profile", "set", CCP, "state", "offline")[0] == 0
       and ctl("cc-profile", "del", CCP)[0] == 0
       and ctl("ev-fmt", "set", FMT, "state", "offline")[0] == 0
       and ctl("ev-fmt", "del", FMT)[0] == 0,
       "after the close: the profiles go offline and are deleted")
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
