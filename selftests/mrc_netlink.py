#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The generic netlink family `mrc`, driven from its spec alone with the
kernel's own YNL library (tools/net/ynl/lib of the 6.12 source): device
query, EV format / EV / CC profile create-set-get-dump-delete, the state
machine's refusals (EEXIST, ENOENT, EINVAL naming the attribute, EBUSY,
E2BIG with the size needed), EPERM for an unprivileged caller and CAP_NET_ADMIN
in a namespace's own user namespace, and a stream of malformed messages
that changes nothing."""
import glob
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

from ksft import Tap, KSFT_SKIP, mrc_family, skip_unloaded

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "..", "Documentation", "netlink", "specs", "mrc.yaml")


def ynl_dir():
    """tools/net/ynl of the kernel source the test kernel is built from."""
    if os.environ.get("MRC_YNL"):
        return os.environ["MRC_YNL"]
    caches = [os.environ.get("MRC_CACHE", ""), "/root/.cache/mrc",
              os.path.expanduser("~/.cache/mrc")]
    for cache in caches:
        found = sorted(glob.glob(os.path.join(cache, "src", "linux-source-6.12-*", "tools", "net", "ynl")))
        if found:
            return found[-1]
    return None


def family():
    sys.path.insert(0, ynl_dir())
    from lib import YnlFamily  # noqa: E402 (the kernel's YNL library)
    # The spec was validated against the schema on the host (scripts/ynl-gen.sh).
    return YnlFamily(SPEC, schema="")


def refusal(call):
    """(errno, extack) of a refused request, or (0, {}) if it succeeded."""
    from lib import NlError
    try:
        call()
    except NlError as e:
        return e.error, e.nl_msg.extack or {}
    return 0, {}


def ev(prefix):
    return bytes.fromhex(prefix).ljust(32, b"\0")


def evs(profile):
    """The EVs of a reply (YNL shows them as hex, the spec's display hint)."""
    return [bytes.fromhex(e) for e in profile.get("ev", [])]


def child(args, ynl):
    """This file run as a child with `args` (the EPERM checks); `ynl` is a
    copy of the YNL library an unprivileged user can read."""
    return subprocess.run(args + [sys.executable, os.path.abspath(__file__), "--child"],
                          capture_output=True, text=True, env=dict(os.environ, MRC_YNL=ynl))


def subscribe_errno(group):
    """0 if joining multicast `group` worked, else its errno (from a new
    socket: YNL binds it first, which a used socket refuses)."""
    try:
        family().ntf_subscribe(group)
    except OSError as e:
        return e.errno
    return 0


def child_main():
    """In the child: dev-get, ev-fmt-new, a conn-get dump and joining the
    events group; prints the four errnos."""
    nl = family()
    read, _ = refusal(lambda: nl.do("dev-get", {}))
    write, _ = refusal(lambda: nl.do("ev-fmt-new", {"id": 9, "mode": "udp", "field-width": [16]}))
    conns, _ = refusal(lambda: nl.dump("conn-get", {}))
    print(read, write, conns, subscribe_errno("events"))
    return 0


def snapshot(nl):
    """Every profile of the namespace, as dumps show them."""
    return (nl.dump("ev-fmt-get", {}), nl.dump("ev-profile-get", {}), nl.dump("cc-profile-get", {}))


def malformed(nl, rng, n):
    """Sends `n` requests that each break the policy once (an unknown
    attribute, a wrong length, a value out of range, a truncated or
    overlong TLV, a bad nest) and waits for every answer."""
    fam = nl.nlproto.family_id
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    sock.setsockopt(270, 11, 1)  # NETLINK_EXT_ACK
    sock.bind((0, 0))
    sock.settimeout(10)
    answered = 0
    for seq in range(1, n + 1):
        cmd = rng.randint(0, 20)
        attrs = b""
        for _ in range(rng.randint(0, 6)):
            ty = rng.randint(1, 12)
            ln = rng.choice([1, 4, 8])
            attrs += struct.pack("HH", 4 + ln, ty) + rng.randbytes(ln) + b"\0" * (-ln % 4)
        kind = rng.randint(0, 5)
        if kind == 0:  # a type past every attribute set's last
            bad = struct.pack("HHI", 8, rng.randint(20, 0x3fff), 0)
        elif kind == 1:  # id with a wrong length
            bad = struct.pack("HH", 7, 1) + rng.randbytes(3) + b"\0"
        elif kind == 2:  # id 0 (ids start at 1)
            bad = struct.pack("HHQ", 12, 1, 0)
        elif kind == 3:  # a TLV longer than what is left
            bad = struct.pack("HH", rng.randint(64, 0xffff), rng.randint(1, 12)) + rng.randbytes(4)
        elif kind == 4:  # a TLV shorter than its header
            bad = struct.pack("HH", rng.randint(0, 3), rng.randint(1, 12))
        else:  # a nest (ev-profile's field; elsewhere a wrong type) holding an unknown type
            bad = struct.pack("HHHHI", 12, 8 | 0x8000, 8, 31, 0)
        body = struct.pack("BBH", cmd, rng.randint(0, 3), 0)
        pos = rng.randint(0, len(attrs) // 4) * 4
        body += attrs[:pos] + bad + attrs[pos:]
        msg = struct.pack("IHHII", 16 + len(body), fam, 0x1 | 0x4, seq, 0) + body
        sock.send(msg)
        while True:
            try:
                data = sock.recv(65536)
            except socket.timeout:
                # An answer lost: stop here (the count says how many came).
                sock.close()
                return answered
            if len(data) >= 16 and struct.unpack_from("I", data, 8)[0] == seq:
                answered += 1
                break
    sock.close()
    return answered


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child_main()
    if mrc_family() is None:
        return skip_unloaded()
    if ynl_dir() is None:
        print("# no kernel source with tools/net/ynl\n1..0 # SKIP", flush=True)
        return KSFT_SKIP
    t = Tap()
    nl = family()

    dev = nl.do("dev-get", {})
    t.result(dev["max-evs"] == 256 and dev["ev-bytes"] == 32 and dev["max-fields"] == 16
             and "stev" in dev["ev-fmt-mode"] and "explicit" in dev["ev-profile-mode"]
             and dev["cc-algo"] == ["nscc"], "dev-get: limits, modes and algorithms")

    # EV format profiles.
    nl.do("ev-fmt-new", {"id": 1, "mode": "stev", "field-width": [16, 16]})
    got = nl.do("ev-fmt-get", {"id": 1})
    t.result(got == {"id": 1, "state": "init", "mode": "stev", "field-width": [16, 16], "users": 0},
             "ev-fmt-new then get: INIT, the mode and widths")
    nl.do("ev-fmt-set", {"id": 1, "field-width": [12, 16]})
    t.result(nl.do("ev-fmt-get", {"id": 1})["field-width"] == [12, 16], "ev-fmt-set: new widths, mode kept")
    nl.do("ev-fmt-set", {"id": 1, "field-width": [16, 16]})
    err, ext = refusal(lambda: nl.do("ev-fmt-new", {"id": 1, "mode": "udp", "field-width": [16]}))
    t.result(err == 17 and ext.get("msg", "").startswith("id:"), "ev-fmt-new: a taken id is EEXIST")
    err, ext = refusal(lambda: nl.do("ev-fmt-new", {"id": 2, "mode": "udp", "field-width": [16, 1]}))
    t.result(err == 22 and ext.get("msg", "").startswith("field-width:"),
             "ev-fmt-new: widths wider than the mode are EINVAL naming field-width")
    err, ext = refusal(lambda: nl.do("ev-fmt-new", {"id": 2, "mode": "udp", "field-width": [65]}))
    t.result(err == 34 and ext.get("bad-attr") == ".field-width", "ev-fmt-new: a width of 65 is out of range at field-width")
    err, ext = refusal(lambda: nl.do("ev-fmt-new", {"mode": "udp", "field-width": [16]}))
    t.result(err == 22 and ext.get("msg") == "id: missing" and ext.get("miss-type") == "id",
             "ev-fmt-new: no id is EINVAL, missing type id")
    err, ext = refusal(lambda: nl.do("ev-fmt-new", {"id": 2, "mode": "srv6-srh", "field-width": [16]}))
    t.result(err == 95 and ext.get("msg", "").startswith("mode:"), "ev-fmt-new: srv6-srh is EOPNOTSUPP")
    err, ext = refusal(lambda: nl.do("ev-fmt-set", {"id": 1, "state": "online"}))
    t.result(err == 22 and ext.get("bad-attr") == ".state", "ev-fmt-set: INIT -> ONLINE is EINVAL at state")
    err, ext = refusal(lambda: nl.do("ev-fmt-set", {"id": 1, "state": "offline", "mode": "udp"}))
    t.result(err == 22 and ext.get("msg", "").startswith("state:"), "ev-fmt-set: a state change with other changes is EINVAL")
    err, _ = refusal(lambda: nl.do("ev-fmt-set", {"id": 42, "state": "offline"}))
    t.result(err == 2, "ev-fmt-set: an unknown id is ENOENT")
    nl.do("ev-fmt-set", {"id": 1, "state": "offline"})
    nl.do("ev-fmt-set", {"id": 1, "state": "online"})
    t.result(nl.do("ev-fmt-get", {"id": 1})["state"] == "online", "ev-fmt-set: INIT -> OFFLINE -> ONLINE")
    err, ext = refusal(lambda: nl.do("ev-fmt-set", {"id": 1, "mode": "udp", "field-width": [16]}))
    t.result(err == 16 and ext.get("bad-attr") == ".mode", "ev-fmt-set: a new format while ONLINE is EBUSY")

    # EV profiles: an explicit one with its EVs, an auto one generated.
    fields = [{"width": 16, "mask": 0xffff}, {"width": 16, "init-val": 7}]
    nl.do("ev-profile-new", {"id": 5, "mode": "explicit", "fmt-id": 1, "ev-count": 2,
                             "field": fields, "ev": [ev("1234"), ev("5678")]})
    got = nl.do("ev-profile-get", {"id": 5})
    t.result(got["state"] == "init" and got["ev-count"] == 2 and len(got["field"]) == 2
             and evs(got) == [ev("1234"), ev("5678")],
             "ev-profile-new (explicit): configuration and EVs read back")
    err, ext = refusal(lambda: nl.do("ev-profile-new", {"id": 6, "mode": "explicit", "fmt-id": 1, "ev-count": 2,
                                                        "field": fields, "ev": [ev("1234"), ev("567801")]}))
    t.result(err == 22 and ext.get("msg", "").startswith("ev: 1:") and ext.get("bad-attr") == ".ev",
             "ev-profile-new: an EV with stray bits is EINVAL at that ev")
    err, ext = refusal(lambda: nl.do("ev-profile-new", {"id": 6, "mode": "explicit", "fmt-id": 1, "ev-count": 3,
                                                        "field": fields, "ev": [ev("1234"), ev("5678")]}))
    t.result(err == 22 and ext.get("msg", "").startswith("ev:"), "ev-profile-new: fewer EVs than ev-count is EINVAL")
    err, ext = refusal(lambda: nl.do("ev-profile-new", {"id": 6, "mode": "auto", "fmt-id": 1, "ev-count": 300}))
    t.result(err == 34 and ext.get("bad-attr") == ".ev-count", "ev-profile-new: ev-count 300 is out of range at ev-count")
    err, ext = refusal(lambda: nl.do("ev-profile-new", {"id": 6, "mode": "generated", "fmt-id": 1, "ev-count": 3,
                                                        "field": [{"width": 8, "max-val": 8, "mask": 7}]}))
    t.result(err == 22 and ext.get("msg", "").startswith("field: 0: max_val") and ext.get("bad-attr") == ".field",
             "ev-profile-new: a field rule is EINVAL at that field")
    err, ext = refusal(lambda: nl.do("ev-profile-new", {"id": 6, "mode": "auto", "fmt-id": 77, "ev-count": 1}))
    t.result(err == 2 and ext.get("msg", "").startswith("fmt-id:"), "ev-profile-new: an unknown format is ENOENT at fmt-id")
    err, _ = refusal(lambda: nl.do("ev-profile-get", {"id": 6}))
    t.result(err == 2, "ev-profile-new: a refused request creates nothing")
    err, ext = refusal(lambda: nl.do("ev-profile-new", {"id": 6, "mode": "generated", "fmt-id": 1, "ev-count": 4,
                                                        "ev-min-active": 5, "field": fields}))
    t.result(err == 22 and ext.get("msg", "").startswith("ev-min-active:"), "ev-profile-new: a floor above ev-count is EINVAL")
    nl.do("ev-profile-new", {"id": 6, "mode": "auto", "fmt-id": 1, "ev-count": 4, "field": fields})
    nl.do("ev-profile-set", {"id": 6, "state": "offline"})
    nl.do("ev-profile-set", {"id": 6, "state": "online"})
    got = nl.do("ev-profile-get", {"id": 6})
    t.result(got["state"] == "online" and len(got["ev"]) == 4 and len(set(evs(got))) == 4,
             "ev-profile (auto) ONLINE: 4 distinct EVs generated")
    t.result(nl.do("ev-fmt-get", {"id": 1})["users"] == 1, "the ONLINE EV profile counts as its format's user")
    err, ext = refusal(lambda: nl.do("ev-profile-get", {"id": 6, "ev-array-max": 2}))
    t.result(err == 7 and ext.get("msg") == "ev-array-max: the profile has 4 EVs",
             "ev-profile-get: a short array is E2BIG with the size needed")
    t.result(len(nl.do("ev-profile-get", {"id": 6, "ev-array-max": 4})["ev"]) == 4, "ev-profile-get: an array that fits")
    err, ext = refusal(lambda: nl.do("ev-profile-set", {"id": 6, "ev-count": 2}))
    t.result(err == 16, "ev-profile-set: a new configuration while ONLINE is EBUSY")
    nl.do("ev-profile-set", {"id": 6, "ev-min-active": 3, "ev-event-mask": {"assumed-bad", "good"}})
    got = nl.do("ev-profile-get", {"id": 6})
    t.result(got["ev-min-active"] == 3 and got["ev-event-mask"] == {"assumed-bad", "good"},
             "ev-profile-set: floor and event mask change while ONLINE")
    err, ext = refusal(lambda: nl.do("ev-fmt-set", {"id": 1, "state": "offline"}))
    t.result(err == 16 and ext.get("bad-attr") == ".state", "ev-fmt-set: OFFLINE while an EV profile uses it is EBUSY")
    err, _ = refusal(lambda: nl.do("ev-fmt-del", {"id": 1}))
    t.result(err == 16, "ev-fmt-del: an ONLINE format is EBUSY")
    err, _ = refusal(lambda: nl.do("ev-profile-del", {"id": 6}))
    t.result(err == 16, "ev-profile-del: an ONLINE profile is EBUSY")
    err, ext = refusal(lambda: nl.do("ev-profile-set", {"id": 5, "state": "online"}))
    t.result(err == 22 and ext.get("bad-attr") == ".state", "ev-profile-set: INIT -> ONLINE is EINVAL at state")
    nl.do("ev-profile-set", {"id": 5, "state": "offline"})
    nl.do("ev-profile-set", {"id": 5, "state": "online"})
    t.result(evs(nl.do("ev-profile-get", {"id": 5})) == [ev("1234"), ev("5678")]
             and nl.do("ev-fmt-get", {"id": 1})["users"] == 2, "ev-profile (explicit) ONLINE with its EVs")
    dumped = nl.dump("ev-profile-get", {})
    t.result([p["id"] for p in dumped] == [5, 6] and all("ev" not in p for p in dumped),
             "ev-profile-get dump: every profile, in id order, without EVs")
    # One EV at a time: deny, allow, replace, read back.
    got = nl.do("ev-get", {"profile-id": 5, "index": 1})
    t.result(got["state"] == "good" and bytes.fromhex(got["value"]) == ev("5678"), "ev-get: value and state")
    nl.do("ev-set", {"profile-id": 5, "index": 0, "state": "denied"})
    states = [e["state"] for e in nl.dump("ev-get", {"profile-id": 5})]
    t.result(states == ["denied", "good"], f"ev-set: EV 0 of an ONLINE profile denied ({states})")
    nl.do("ev-set", {"profile-id": 5, "index": 0, "state": "good"})
    t.result(nl.do("ev-get", {"profile-id": 5, "index": 0})["state"] == "good", "ev-set: EV 0 allowed again")
    nl.do("ev-set", {"profile-id": 6, "index": 0, "state": "denied"})
    err, ext = refusal(lambda: nl.do("ev-set", {"profile-id": 6, "index": 1, "state": "denied"}))
    t.result(err == 16 and ext.get("msg", "").startswith("state: ev-min-active is 3"),
             "ev-set: a deny below ev-min-active is EBUSY")
    err, ext = refusal(lambda: nl.do("ev-set", {"profile-id": 6, "index": 1, "state": "skip"}))
    t.result(err == 22 and ext.get("bad-attr") == ".state", "ev-set: skip is the datapath's, EINVAL")
    err, ext = refusal(lambda: nl.do("ev-set", {"profile-id": 5, "index": 2, "state": "denied"}))
    t.result(err == 22 and ext.get("msg") == "index: the profile has 2 EVs", "ev-set: an index past ev-count is EINVAL")
    nl.do("ev-set", {"profile-id": 5, "index": 1, "value": ev("9abc")})
    t.result(evs(nl.do("ev-profile-get", {"id": 5})) == [ev("1234"), ev("9abc")], "ev-set: an EXPLICIT profile's EV replaced")
    err, ext = refusal(lambda: nl.do("ev-set", {"profile-id": 5, "index": 1, "value": ev("9abcde")}))
    t.result(err == 22 and ext.get("msg", "").startswith("value:"), "ev-set: a replacement with stray bits is EINVAL")
    err, ext = refusal(lambda: nl.do("ev-set", {"profile-id": 6, "index": 1, "value": ev("9abc")}))
    t.result(err == 22 and ext.get("msg", "").startswith("value:"), "ev-set: a generated profile's EV cannot be replaced")
    err, ext = refusal(lambda: nl.dump("ev-get", {}))
    t.result(err == 22 and ext.get("msg") == "profile-id: missing", "ev-get dump: no profile-id is EINVAL")
    nl.do("ev-set", {"profile-id": 6, "index": 0, "state": "good"})
    for pid in (5, 6):
        nl.do("ev-profile-set", {"id": pid, "state": "offline"})
    nl.do("ev-fmt-set", {"id": 1, "state": "offline"})
    t.result(nl.do("ev-fmt-get", {"id": 1})["users"] == 0, "profiles OFFLINE release their format")
    err, ext = refusal(lambda: nl.do("ev-profile-set", {"id": 5, "state": "online"}))
    t.result(err == 22 and ext.get("msg", "").startswith("fmt-id:"), "ev-profile-set: ONLINE over an OFFLINE format is EINVAL")

    # CC profiles.
    nl.do("cc-profile-new", {"id": 3, "link-rate": 1250000000, "base-rtt": 10000})
    got = nl.do("cc-profile-get", {"id": 3})
    t.result(got["state"] == "init" and got["base-rtt"] == 10000 and got["target-delay"] == 10000
             and got["max-cwnd"] == 18750 and got["gamma"] == 819, "cc-profile-new: defaults from the path's BDP")
    nl.do("cc-profile-set", {"id": 3, "gamma": 512, "disable-qa": 1})
    got = nl.do("cc-profile-get", {"id": 3})
    t.result(got["gamma"] == 512 and got["disable-qa"] == 1, "cc-profile-set: parameters change")
    err, ext = refusal(lambda: nl.do("cc-profile-set", {"id": 3, "qa-threshold": 1}))
    t.result(err == 22 and ext.get("msg", "").startswith("qa-threshold:"), "cc-profile-set: an NSCC rule is EINVAL naming it")
    err, ext = refusal(lambda: nl.do("cc-profile-set", {"id": 3, "gamma": 0}))
    t.result(err == 34 and ext.get("bad-attr") == ".gamma", "cc-profile-set: gamma 0 is out of range at gamma")
    nl.do("cc-profile-set", {"id": 3, "state": "offline"})
    nl.do("cc-profile-set", {"id": 3, "state": "online"})
    err, _ = refusal(lambda: nl.do("cc-profile-set", {"id": 3, "gamma": 600}))
    t.result(err == 16, "cc-profile-set: a change while ONLINE is EBUSY")
    nl.do("cc-profile-new", {"id": 4})
    t.result([p["id"] for p in nl.dump("cc-profile-get", {})] == [3, 4], "cc-profile-get dump")

    # Permissions: profile reads for anyone; changes, connections (whose
    # numbers address packets) and events for CAP_NET_ADMIN over the netns.
    ynl = tempfile.mkdtemp()
    os.chmod(ynl, 0o755)
    shutil.copytree(os.path.join(ynl_dir(), "lib"), os.path.join(ynl, "lib"))
    out = child(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"], ynl)
    t.result(out.stdout.split() == ["0", "1", "1", "1"],
             f"unprivileged: dev-get works; ev-fmt-new, conn-get and the events group are EPERM ({out.stdout.strip()})")
    out = child(["unshare", "--user", "--map-root-user", "--net"], ynl)
    shutil.rmtree(ynl)
    t.result(out.stdout.split() == ["0", "0", "0", "0"],
             f"root of its own user and net namespace may change its profiles, list its connections, join its events ({out.stdout.strip()})")

    # Malformed requests change nothing.
    before = snapshot(nl)
    answered = malformed(nl, random.Random(5), 3000)
    t.result(answered == 3000 and snapshot(nl) == before and "max-evs" in nl.do("dev-get", {}),
             f"3000 malformed requests answered ({answered}), nothing changed")

    # Deletion.
    for op, pid in (("ev-profile-del", 5), ("ev-profile-del", 6), ("ev-fmt-del", 1),
                    ("cc-profile-set", 3), ("cc-profile-del", 3), ("cc-profile-del", 4)):
        if op == "cc-profile-set":
            nl.do(op, {"id": pid, "state": "offline"})
        else:
            nl.do(op, {"id": pid})
    t.result(snapshot(nl) == ([], [], []), "every profile deleted")
    return t.end()


if __name__ == "__main__":
    sys.exit(main())
