# SPDX-License-Identifier: GPL-2.0
"""A failure story's recorded files (selftests/story.sh's OUT), loaded and
put on one time axis: seconds since the client started sending. Read by
story_check.py (in the VM) and scripts/plot.py (on the host)."""

import json
import os

K, DEAD, RATE_MBIT = 4, 2, 20
STATES = ("GOOD", "SKIP", "ASSUMED_BAD", "DENIED")


def _lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def _ns(s):
    """$EPOCHREALTIME text ("1767000000.123456") as integer nanoseconds."""
    sec, _, frac = s.partition(".")
    return int(sec) * 10**9 + int((frac + "000000000")[:9])


def _log(path):
    """A fault writer's log line: (time before, time after) the write, ns."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        v = f.read().split()
    return (_ns(v[1]), _ns(v[2])) if len(v) >= 3 else None


class Story:
    def __init__(self, out):
        self.out = out
        self.client = None
        if os.path.exists(f"{out}/client.json"):
            with open(f"{out}/client.json") as f:
                self.client = json.load(f)
        self.snaps = [s for s in _lines(f"{out}/paths.jsonl") if s.get("paths")]
        self.counters = _lines(f"{out}/counters.jsonl")
        self.events = _lines(f"{out}/events.jsonl")
        self.fault = _log(f"{out}/fault.log")
        self.restore = _log(f"{out}/restore.log")
        firsts = [c["epoch_ns"] for c in self.counters[:1]]
        self.t0_ns = self.client["start_epoch_ns"] if self.client else (firsts[0] if firsts else 0)

    def t(self, ns):
        """Seconds since the client's start."""
        return None if ns is None else (ns - self.t0_ns) / 1e9

    def event(self, name):
        return next((e for e in self.events if e["event"] == name), None)

    def timeouts(self):
        return [e for e in self.events if e["event"] in ("timeout", "client_ended")]

    def end_ns(self):
        e = self.event("stop")
        if e:
            return e["epoch_ns"]
        return self.counters[-1]["epoch_ns"] if self.counters else self.t0_ns

    @staticmethod
    def spine_of(ev):
        return ev % K + 1

    def spine_states(self, snap, spine):
        return [p["state"] for p in snap["paths"] if self.spine_of(p["ev"]) == spine]

    def first_snap(self, after_ns, spine, state):
        """The first snapshot at or after `after_ns` with every EV of
        `spine` in `state`."""
        for s in self.snaps:
            st = self.spine_states(s, spine)
            if s["epoch"] * 1e9 >= after_ns and st and all(x == state for x in st):
                return s
        return None

    def counter_at(self, ns):
        """The last counter sample at or before `ns` (or the first)."""
        best = self.counters[0] if self.counters else None
        for c in self.counters:
            if c["epoch_ns"] > ns:
                break
            best = c
        return best

    def bytes_between(self, a_ns, b_ns, field):
        """Per spine, bytes of counter `field` (0 to the spine, 1 toward B)
        between two times."""
        a, b = self.counter_at(a_ns), self.counter_at(b_ns)
        if not a or not b:
            return [0] * K
        return [b["spines"][i][field] - a["spines"][i][field] for i in range(K)]

    def spine_series(self, field=1):
        """(t, [Mbit/s per spine]) between consecutive counter samples."""
        out = []
        for a, b in zip(self.counters, self.counters[1:]):
            dt = (b["epoch_ns"] - a["epoch_ns"]) / 1e9
            if dt > 0:
                out.append((self.t(a["epoch_ns"]),
                            [(b["spines"][i][field] - a["spines"][i][field]) * 8 / dt / 1e6 for i in range(K)]))
        return out

    def goodput_series(self):
        """(t, Mbit/s) of the receiver's intervals, on the client's axis."""
        c = self.client
        if not c or c.get("receiver_start_epoch_ns") is None:
            return []
        off = self.t(c["receiver_start_epoch_ns"])
        return [(off + i["t"], i["bits_per_second"] / 1e6) for i in c["intervals"]]

    def goodput_between(self, a_ns, b_ns):
        """Mbit/s the receiver got between two times (whole intervals)."""
        a, b = self.t(a_ns), self.t(b_ns)
        step = (self.client or {}).get("interval_ms", 100) / 1000
        iv = [g for t, g in self.goodput_series() if a <= t and t + step <= b]
        return sum(iv) / len(iv) if iv else 0.0

    def state_series(self):
        """(t, {spine: {state: count}}) per snapshot."""
        out = []
        for s in self.snaps:
            per = {sp: dict.fromkeys(STATES, 0) for sp in range(1, K + 1)}
            for p in s["paths"]:
                per[self.spine_of(p["ev"])][p["state"]] = per[self.spine_of(p["ev"])].get(p["state"], 0) + 1
            out.append((self.t(int(s["epoch"] * 1e9)), per))
        return out
