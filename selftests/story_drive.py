# SPDX-License-Identifier: GPL-2.0
"""Drives the failure story (selftests/story.sh) by what the transfer
does, not by the clock:

  1. healthy: once data has been delivered for STORY_HEALTHY_S seconds
     (MRC_INFO's bytes_acked growing, from the client's snapshots) and
     every spine has forwarded some of it, the dead spine stops forwarding;
  2. it waits until every EV of that spine is ASSUMED_BAD (at most
     STORY_BAD_BOUND_S), then lets the other spines carry the transfer
     for STORY_DEAD_S seconds;
  3. the spine forwards again; it waits until it has forwarded
     STORY_BACK_BYTES toward host B and all its EVs are GOOD again (at
     most STORY_BACK_BOUND_S), then STORY_TAIL_S seconds more;
  4. SIGUSR1 to the client (mrcperf --until-signal): it ends its stream
     and gets the receiver's report.

    story_drive.py OUT FIFO DEAD_SPINE PID...

FIFO is topology.sh's armed fault writer, PID... topo_watch's processes.
It samples the counters from its start, creates OUT/ready, and then
waits for the client's pid in OUT/client.pid: the client starts after
the driver, so that the counters cover the whole transfer (Python starts
slowly in a loaded emulator: seconds, once).
Writes OUT/events.jsonl (one line per step, with the wall clock in ns;
a step that timed out says so) and OUT/counters.jsonl (spinecounters.py
samples every 100 ms), and prints each step as it takes it. Judging the
story is story_check.py's job."""

import json
import os
import signal
import sys
import time

import spinecounters

ENV = os.environ.get
HEALTHY_S = float(ENV("STORY_HEALTHY_S", "3"))
DEAD_S = float(ENV("STORY_DEAD_S", "3"))
BAD_BOUND_S = float(ENV("STORY_BAD_BOUND_S", "10"))
BACK_BOUND_S = float(ENV("STORY_BACK_BOUND_S", "30"))
BACK_BYTES = int(ENV("STORY_BACK_BYTES", str(1 << 20)))
TAIL_S = float(ENV("STORY_TAIL_S", "1"))
# Before the first delivered byte (connection set-up under a slow
# emulator included) and for the healthy phase.
START_BOUND_S = float(ENV("STORY_START_BOUND_S", "60"))


SAY = {
    "first_delivery": "the first data delivered",
    "fault": f"{HEALTHY_S:g} s of delivered data, through every spine: spine %(spine)s stops forwarding",
    "all_bad": f"all of the spine's EVs ASSUMED_BAD: the others carry the transfer alone for {DEAD_S:g} s",
    "restore": "spine %(spine)s forwards again",
    "back": "the spine carried %(bytes)s bytes again and its EVs are GOOD",
    "stop": "SIGUSR1: the client ends its stream",
    "timeout": "gave up waiting during %(during)s (bound %(bound_s)s s)",
    "client_ended": "the client ended on its own during %(during)s",
}


class Snapshots:
    """The client's --path-info-json file, read as it grows."""

    def __init__(self, path):
        self.path, self.f, self.rest, self.all = path, None, "", []

    def poll(self):
        if self.f is None:
            if not os.path.exists(self.path):
                return []
            self.f = open(self.path)
        self.rest += self.f.read()
        *lines, self.rest = self.rest.split("\n")
        new = [json.loads(l) for l in lines if l.strip()]
        self.all += new
        return new


def main():
    out, fifo, dead = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pids = [int(p) for p in sys.argv[4:]]
    k = len(pids)
    snaps = Snapshots(f"{out}/paths.jsonl")
    counters = open(f"{out}/counters.jsonl", "w")
    events = open(f"{out}/events.jsonl", "w")
    fault = open(fifo, "w")

    t0 = time.monotonic()

    def event(name, **kw):
        events.write(json.dumps({"event": name, "epoch_ns": time.time_ns(), **kw}) + "\n")
        events.flush()
        print(f"  {time.monotonic() - t0:5.1f} s  {SAY[name] % kw}", flush=True)

    def dead_evs(s):
        return [p for p in s.get("paths") or [] if p["ev"] % k == dead - 1]

    def all_in(s, state):
        evs = dead_evs(s)
        return bool(evs) and all(p["state"] == state for p in evs)

    def alive():
        try:
            os.kill(client, 0)
            return True
        except ProcessLookupError:
            return False

    base = spinecounters.sample(pids)
    counters.write(json.dumps(base) + "\n")
    base = base["spines"]
    open(f"{out}/ready", "w").close()
    while not os.path.exists(f"{out}/client.pid") or not open(f"{out}/client.pid").read().strip():
        if time.monotonic() - t0 > START_BOUND_S:
            event("timeout", during="the client's start", bound_s=START_BOUND_S)
            return
        time.sleep(0.05)
    client = int(open(f"{out}/client.pid").read())
    step, since = "start", time.monotonic()
    first_ns = fault_ns = restore_ns = None
    restored_base = None
    next_counters = 0.0
    while True:
        now = time.monotonic()
        if now >= next_counters:
            c = spinecounters.sample(pids)
            counters.write(json.dumps(c) + "\n")
            counters.flush()
            next_counters = now + 0.1
        new = snaps.poll()
        last = snaps.all[-1] if snaps.all else None
        if not alive():
            event("client_ended", during=step)
            break
        if step == "start":
            got = next((s for s in new if (s.get("info") or {}).get("bytes_acked", 0) > 0), None)
            if got:
                first_ns = int(got["epoch"] * 1e9)
                event("first_delivery", sample_epoch=got["epoch"])
                step, since = "healthy", now
            elif now - since > START_BOUND_S:
                event("timeout", during=step, bound_s=START_BOUND_S)
                break
        elif step == "healthy":
            spines = c["spines"]
            every = all(spines[i][1] > base[i][1] for i in range(k))
            if last and last["epoch"] * 1e9 - first_ns >= HEALTHY_S * 1e9 and every:
                fault.write(f"0 {out}/fault.log\n")
                fault.flush()
                fault_ns = time.time_ns()
                event("fault", spine=dead)
                step, since = "wait_bad", now
            elif now - since > START_BOUND_S:
                event("timeout", during=step, bound_s=START_BOUND_S)
                break
        elif step == "wait_bad":
            got = next((s for s in new if s["epoch"] * 1e9 >= fault_ns and all_in(s, "ASSUMED_BAD")), None)
            if got:
                event("all_bad", sample_epoch=got["epoch"])
                step, since = "dead", now
            elif now - since > BAD_BOUND_S:
                event("timeout", during=step, bound_s=BAD_BOUND_S)
                step, since = "dead", now
        elif step == "dead":
            if now - since >= DEAD_S:
                fault.write(f"1 {out}/restore.log\n")
                fault.flush()
                restore_ns = time.time_ns()
                restored_base = spinecounters.sample(pids)["spines"][dead - 1][1]
                event("restore", spine=dead)
                step, since = "wait_back", now
        elif step == "wait_back":
            carried = spinecounters.read(pids[dead - 1])[1] - restored_base
            good = last is not None and last["epoch"] * 1e9 >= restore_ns and all_in(last, "GOOD")
            if carried >= BACK_BYTES and good:
                event("back", bytes=carried, sample_epoch=last["epoch"])
                step, since = "tail", now
            elif now - since > BACK_BOUND_S:
                event("timeout", during=step, bound_s=BACK_BOUND_S, bytes=carried, evs_good=good)
                break
        elif step == "tail":
            if now - since >= TAIL_S:
                break
        time.sleep(0.05)
    # Whatever happened, the spine forwards again and the client ends.
    if fault_ns is not None and restore_ns is None:
        fault.write(f"1 {out}/restore.log\n")
        fault.flush()
    if alive():
        os.kill(client, signal.SIGUSR1)
        event("stop")
    c = spinecounters.sample(pids)
    counters.write(json.dumps(c) + "\n")


if __name__ == "__main__":
    main()
