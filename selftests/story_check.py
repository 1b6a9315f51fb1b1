# SPDX-License-Identifier: GPL-2.0
"""Tells a failure story (selftests/story.sh's OUT) from what was recorded,
then checks that it happened: spine 2's EVs went ASSUMED_BAD within the
bound, the traffic moved to the other spines, spine 2 carried traffic
again after it came back, and every byte arrived. Prints the timeline, a
table per phase, one text row per spine over time, and one TAP line per
check; exits 1 if any part did not happen, naming it.

    story_check.py [--tap] OUT

--tap: the story's lines as TAP comments ("# "), for the selftest."""

import os
import sys

from sparkline import columns, marks, sparkline
from story_data import DEAD, K, RATE_MBIT, Story

BAD_BOUND_S = float(os.environ.get("STORY_BAD_BOUND_S", "10"))
BACK_BYTES = int(os.environ.get("STORY_BACK_BYTES", str(1 << 20)))
# During the dead phase: at most this share of what leaf A sent went to
# the dead spine (probes), and at least this fraction of the healthy
# goodput scaled to the surviving spines arrived.
DEAD_SHARE_MAX = 0.05
SURVIVING_MIN = 0.5

tap = sys.argv[1] == "--tap"
st = Story(sys.argv[-1])
say = (lambda s="": print(f"# {s}")) if tap else print
checks = []


def check(ok, what, detail):
    checks.append((bool(ok), what, detail))


def mb(b):
    return f"{b / 1e6:.1f} MB"


def at(ns):
    return "   -  " if ns is None else f"{st.t(ns):6.2f}"


ev = {n: st.event(n) for n in ("first_delivery", "all_bad", "back", "stop")}
fault_ns = st.fault[1] if st.fault else None
restore_ns = st.restore[1] if st.restore else None
# The snapshot's time, not the driver's (which reads the snapshots late).
first_ns = int(ev["first_delivery"]["sample_epoch"] * 1e9) if ev["first_delivery"] else None
end_ns = st.end_ns()
c = st.client or {}
evs_per_spine = max((len(st.spine_states(s, DEAD)) for s in st.snaps[:1]), default=0)

# ------------------------------------------------------------ the timeline
bad = st.first_snap(fault_ns, DEAD, "ASSUMED_BAD") if fault_ns else None
bad_ns = int(bad["epoch"] * 1e9) if bad else None
good = st.first_snap(restore_ns, DEAD, "GOOD") if restore_ns else None
good_ns = int(good["epoch"] * 1e9) if good else None
carried = sum(st.bytes_between(restore_ns, end_ns, 1)[DEAD - 1:DEAD]) if restore_ns else 0
say(f"  t (s)  what happened (t = 0: the client starts; {evs_per_spine} EVs via each of the {K} spines)")
say(f"{at(first_ns)}  first data delivered")
if fault_ns:
    say(f"{at(fault_ns)}  FAULT: spine {DEAD} stops forwarding (its forwarding sysctl, written in "
        f"{(st.fault[1] - st.fault[0]) / 1e3:.0f} us)")
if bad_ns:
    say(f"{at(bad_ns)}  spine {DEAD}'s {evs_per_spine} EVs all ASSUMED_BAD, {(bad_ns - fault_ns) / 1e6:.0f} ms after "
        f"the fault (snapshots every 50 ms)")
if restore_ns:
    say(f"{at(restore_ns)}  RESTORE: spine {DEAD} forwards again")
if good_ns:
    say(f"{at(good_ns)}  spine {DEAD}'s EVs all GOOD again, {(good_ns - restore_ns) / 1e6:.0f} ms after the restore")
if restore_ns:
    say(f"{at(end_ns)}  the client stops sending; spine {DEAD} carried {mb(carried)} toward host B since the restore")
for e in st.timeouts():
    say(f"{at(e['epoch_ns'])}  the driver gave up waiting ({e['event']} during {e['during']}"
        + (f", bound {e['bound_s']:g} s" if "bound_s" in e else "") + ")")
if c:
    say(f"         {mb(c['bytes_sent'])} sent, {mb(c['bytes_received'])} received, "
        f"{'intact' if c['intact'] else 'DAMAGED'}; goodput {c['goodput_bps'] / 1e6:.1f} Mbit/s over the whole run")

# -------------------------------------------------------- per phase
dead_from = bad_ns or fault_ns
phases = [("healthy", first_ns, fault_ns), (f"spine {DEAD} dead", dead_from, restore_ns),
          (f"spine {DEAD} back", restore_ns, end_ns)]
say()
say("  phase            from    to    Mbit/s sent to spine 1..4        goodput")
rates = {}
for name, a, b in phases:
    if a is None or b is None or b <= a:
        continue
    secs = (b - a) / 1e9
    sent = [x * 8 / secs / 1e6 for x in st.bytes_between(a, b, 0)]
    rates[name] = (sent, st.goodput_between(a, b))
    say(f"  {name:<15}{st.t(a):6.2f}{st.t(b):6.2f}  " + " ".join(f"{x:6.1f}" for x in sent)
        + f"       {rates[name][1]:6.1f}")

# -------------------------------------------------------- over time
ser = st.spine_series(1)
if ser:
    bins = 60
    span = max(st.t(end_ns), ser[-1][0] + 0.1)
    w = span / bins
    say()
    say(f"  over time, {w:.2f} s per column (full block: {RATE_MBIT} Mbit/s per spine, "
        f"{K * RATE_MBIT} Mbit/s goodput; F fault, R restore)")

    say(f"            |{marks([(st.t(fault_ns), 'F'), (st.t(restore_ns), 'R')], span, bins)}|")
    for i in range(K):
        say(f"  spine {i + 1}   |{sparkline([(t, v[i]) for t, v in ser], span, bins, RATE_MBIT)}|")
    say(f"  goodput   |{sparkline(st.goodput_series(), span, bins, K * RATE_MBIT)}|")

    def evs(col):
        if not col:
            return " "
        s = col[-1]
        n = sum(s.values())
        return "·" if s["GOOD"] == n else "x" if s["ASSUMED_BAD"] == n else "~"
    cols = columns([(t, per[DEAD]) for t, per in st.state_series()], span, bins)
    say(f"  s{DEAD} EVs    |{''.join(evs(c) for c in cols)}|  (· all GOOD, x all ASSUMED_BAD, ~ mixed)")

# -------------------------------------------------------- the checks
say()
bad_what = f"spine {DEAD}'s EVs all ASSUMED_BAD within {BAD_BOUND_S:g} s of the fault"
if fault_ns is None:
    check(False, bad_what, "the fault was never placed")
elif bad_ns is None:
    check(False, bad_what, "not in any snapshot")
else:
    check((bad_ns - fault_ns) / 1e9 <= BAD_BOUND_S, bad_what, f"after {(bad_ns - fault_ns) / 1e6:.0f} ms")
moved_what = "traffic moved to the other spines"
dead = rates.get(f"spine {DEAD} dead")
healthy = rates.get("healthy")
if dead and healthy:
    share = dead[0][DEAD - 1] / max(sum(dead[0]), 1e-9)
    want = SURVIVING_MIN * healthy[1] * (K - 1) / K
    check(share <= DEAD_SHARE_MAX and dead[1] >= want and want > 0, moved_what,
          f"spine {DEAD} got {share:.1%} of what leaf A sent (at most {DEAD_SHARE_MAX:.0%}), goodput "
          f"{dead[1]:.1f} Mbit/s (at least {want:.1f}: half the healthy {healthy[1]:.1f} scaled to {K - 1} spines)")
else:
    check(False, moved_what, "no healthy or no dead phase was recorded")
check(carried >= BACK_BYTES, f"spine {DEAD} carried traffic again after the restore",
      f"{mb(carried)} (at least {mb(BACK_BYTES)})")
check(good_ns is not None, f"spine {DEAD}'s EVs all GOOD again after the restore",
      "yes" if good_ns is not None else "not in any snapshot")
check(c.get("intact") and c.get("bytes_received", 0) == c.get("bytes_sent", -1) > 0, "every byte arrived",
      f"{mb(c.get('bytes_received', 0))} of {mb(c.get('bytes_sent', 0))}, "
      f"{'intact' if c.get('intact') else 'DAMAGED'} (checked byte for byte)" if c else "the client wrote no report")
for n, (ok, what, detail) in enumerate(checks, 1):
    print(f"{'ok' if ok else 'not ok'} {n} - {what}: {detail}")
failed = [what for ok, what, _ in checks if not ok]
if failed:
    say(f"the story did not happen; these parts did not: {'; '.join(failed)}")
    sys.exit(1)
say(f"the whole story happened: all {len(checks)} checks passed")
