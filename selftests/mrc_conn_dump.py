#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`mrcctl conn show` (the netlink family's conn-get) on loopback: a
connection made with an explicit EV profile of 4 EVs is listed from both
ends (ports, connection numbers as MRC_INFO gives them, ESTABLISHED, the
EV profile, one EV entry per EV), shown alone by its number (text, -d),
refused with a message naming local-conn for a number no connection has
(and a refused MRC_EV_PROFILE does not change the profile it shows),
refused to an unprivileged user (EPERM: the numbers help authenticate a
packet, security.rst), and gone after the close; then 300
connections (600 entries of about 520 bytes: many dump rounds of under
20 KiB) are all listed once, which only a dump that resumes where it
stopped gets right."""
import errno
import json
import os
import struct
import subprocess
import sys
import time

from ksft import Tap, mrcctl, skip_missing, skip_unloaded
from mrcsock import (AF, MRC_EV_COUNT, MRC_EV_PROFILE, MRC_INFO, SOL_MRC,
                     addr, connect, getopt, libc, listen, recv, send, setopt, sock)

CTL = mrcctl()
FMT, EVP = 21, 22
COUNT = 4
PORT, MANY_PORT = 7400, 7401
MANY = 300


def ctl(*args, user=None):
    """Runs mrcctl; returns (exit code, stdout, stderr)."""
    cmd = [CTL, *map(str, args)]
    if user:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
               "--inh-caps=-all", *cmd]
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def dump():
    """Every connection `mrcctl -j conn show` lists (None if it failed)."""
    rc, out, err = ctl("-j", "conn", "show")
    if rc != 0:
        print(f"# mrcctl -j conn show: exit {rc}: {err}", flush=True)
        return None
    return json.loads(out)


def info(fd):
    """(state, local connection number, peer connection number) of MRC_INFO."""
    raw, _ = getopt(fd, SOL_MRC, MRC_INFO, 256)
    return struct.unpack_from("<B3xII", raw or bytes(12))


def on_port(conns, port):
    """The entries of a connection to or from MRC port `port`."""
    return [c for c in conns or [] if port in (c["local_port"], c["peer_port"])]


def gone(port, seconds=10):
    """Waits until no connection of `port` is listed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conns = dump()
        if conns is not None and not on_port(conns, port):
            return True
        time.sleep(0.2)
    return False


def listener(ok, port, ev_count=None, ev_profile=None):
    """A listener whose connections take `ev_count` EVs or `ev_profile`, as
    a check."""
    lfd = sock()
    if ev_count:
        setopt(lfd, SOL_MRC, MRC_EV_COUNT, struct.pack("i", ev_count))
    if ev_profile:
        setopt(lfd, SOL_MRC, MRC_EV_PROFILE, struct.pack("Q", ev_profile))
    e = listen(lfd, port, 512)
    ok(e == 0, f"listening on MRC port {port} (errno {e})")
    return lfd


def one(tap):
    ok = tap.result
    made = (ctl("ev-fmt", "add", FMT, "mode", "stev", "widths", "16,16")[0] == 0
            and ctl("ev-fmt", "set", FMT, "state", "offline")[0] == 0
            and ctl("ev-fmt", "set", FMT, "state", "online")[0] == 0
            and ctl("ev-profile", "add", EVP, "mode", "explicit", "fmt", FMT,
                    "count", COUNT, "field", "width=16,init=0x7000,mask=0xff",
                    "field", "width=16,init=0x100",
                    *[a for i in range(1, COUNT + 1) for a in ("ev", f"{i:02x}")])[0] == 0
            and ctl("ev-profile", "set", EVP, "state", "offline")[0] == 0
            and ctl("ev-profile", "set", EVP, "state", "online")[0] == 0)
    ok(made, f"mrcctl: an explicit EV profile of {COUNT} EVs, ONLINE")

    # An accepted connection takes its listener's profile.
    lfd = listener(ok, PORT, ev_profile=EVP)
    cfd = sock()
    setopt(cfd, SOL_MRC, MRC_EV_PROFILE, struct.pack("Q", EVP))
    e = connect(cfd, addr(PORT))
    afd = libc.accept(lfd, None, None)
    ok(e == 0 and afd >= 0, f"connect with the EV profile, accepted (got {e})")
    for i in range(20):
        send(cfd, bytes([i]) * 4096)
        recv(afd, 8192)
    _, c_no, c_peer = info(cfd)
    _, a_no, a_peer = info(afd)

    conns = on_port(dump(), PORT)
    by_no = {c["local_conn"]: c for c in conns}
    seen = [(c["local_conn"], c["local_port"], c["peer_port"], c["ev_profile_id"], c["ev_count"])
            for c in conns]
    print(f"# listed (conn, port, peer port, ev-profile, EVs): {seen}; "
          f"MRC_INFO: initiator {c_no}->{c_peer}, acceptor {a_no}->{a_peer}", flush=True)
    ok(len(conns) == 2 and set(by_no) == {c_no, a_no},
       "conn show -j: both ends, by their MRC_INFO connection numbers")
    ini, acc = by_no.get(c_no, {}), by_no.get(a_no, {})
    ok(ini.get("peer_port") == PORT and ini.get("peer_conn") == a_no
       and ini.get("local_addr") == "::1" and ini.get("peer_addr") == "::1",
       "the initiator: peer [::1]:7400 and the acceptor's number")
    ok(acc.get("local_port") == PORT and acc.get("peer_conn") == c_no
       and acc.get("peer_port") == 0,
       "the acceptor: local port 7400, the initiator's number, no peer port")
    ok(all(c["state"] == "established" for c in conns), "both ESTABLISHED")
    ok(all(c["ev_profile_id"] == EVP and c["cc_profile_id"] == 0 for c in conns),
       f"ev-profile {EVP}, the built-in CC profile")
    ok(all(c["ev_count"] == COUNT and [e["index"] for e in c["evs"]] == list(range(COUNT))
           for c in conns), f"{COUNT} EV entries each, in index order")
    ok(ini.get("packets_sent", 0) >= 20 and ini.get("packets_acked", 0) >= 20
       and sum(e["packets_sent"] for e in ini.get("evs", [])) == ini.get("packets_sent"),
       "the initiator's counters: its EVs' packets add up to its own")

    e = setopt(cfd, SOL_MRC, MRC_EV_PROFILE, struct.pack("Q", 999))
    c = json.loads(ctl("-j", "conn", "show", c_no)[1] or "{}")
    ok(e == errno.EISCONN and c.get("ev_profile_id") == EVP,
       f"MRC_EV_PROFILE after connect: EISCONN, and the connection still shows {EVP} "
       f"(got {e}, {c.get('ev_profile_id')})")
    rc, out, _ = ctl("conn", "show", c_no)
    ok(rc == 0 and out.startswith(f"established [::1]:") and f"conn {c_no} peer [::1]:{PORT}"
       f" conn {a_no} ev-profile {EVP}" in out and "\n" not in out,
       f"conn show {c_no}: one ss-like line ({out})")
    rc, out, _ = ctl("-d", "conn", "show", c_no)
    ok(rc == 0 and sum(line.startswith("    ev ") for line in out.splitlines()) == COUNT,
       "conn show -d: a line per EV")
    rc, _, err = ctl("conn", "show", 0xfffffe)
    ok(rc == 1 and "local-conn: no live connection has this number" in err,
       f"conn show of an unknown number: exit 1, named ({err})")
    rc, _, err = ctl("conn", "show", 0)
    ok(rc == 1 and "local-conn: integer out of range" in err,
       f"conn show 0: the policy's refusal, named ({err})")
    rc, _, err = ctl("-j", "conn", "show", user=65534)
    ok(rc != 0 and "Operation not permitted" in err,
       f"an unprivileged user is refused the list: exit {rc} ({err})")

    for f in (cfd, afd, lfd):
        os.close(f)
    ok(gone(PORT), "after the close: neither is listed")
    gone_profile = False
    for _ in range(50):
        if ctl("ev-profile", "set", EVP, "state", "offline")[0] == 0:
            gone_profile = True
            break
        time.sleep(0.1)
    ok(gone_profile and ctl("ev-profile", "del", EVP)[0] == 0
       and ctl("ev-fmt", "set", FMT, "state", "offline")[0] == 0
       and ctl("ev-fmt", "del", FMT)[0] == 0, "cleanup: the profiles are deleted")


def many(tap):
    ok = tap.result
    lfd = listener(ok, MANY_PORT, ev_count=COUNT)
    fds, numbers, failed = [], set(), 0
    for _ in range(MANY):
        cfd = sock()
        setopt(cfd, SOL_MRC, MRC_EV_COUNT, struct.pack("i", COUNT))
        e = connect(cfd, addr(MANY_PORT))
        afd = libc.accept(lfd, None, None)
        if e != 0 or afd < 0:
            failed += 1
            os.close(cfd)
            continue
        fds += [cfd, afd]
        numbers |= {info(cfd)[1], info(afd)[1]}
    ok(failed == 0 and len(numbers) == 2 * MANY, f"{MANY} connections on loopback ({failed} failed)")
    conns = on_port(dump(), MANY_PORT)
    listed = [c["local_conn"] for c in conns]
    size = sum(len(json.dumps(c)) for c in conns)
    print(f"# {len(listed)} entries listed ({size} bytes of JSON)", flush=True)
    ok(sorted(listed) == sorted(numbers), f"conn show: all {2 * MANY} ends listed, each once")
    ok(listed == sorted(listed), "in connection number order")
    for f in fds + [lfd]:
        os.close(f)
    ok(gone(MANY_PORT, 30), "after the close: none is listed")


def main():
    if AF is None:
        return skip_unloaded()
    if not os.access(CTL, os.X_OK):
        return skip_missing(CTL, "mrcctl")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    tap = Tap()
    one(tap)
    many(tap)
    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
