# SPDX-License-Identifier: GPL-2.0
"""The spines' interface counters, read from /proc/<pid>/net/dev of one
process in each spine's namespace (topology.sh's topo_watch): no fork per
reading. As a program, it samples them every MS milliseconds into FILE,
one JSON line each, until it is terminated:

    spinecounters.py FILE MS PID...

A line: {"epoch_ns": N, "spines": [[to_spine, to_b, from_b, to_a], ...]},
per spine (in PID order) the bytes leaf A sent to it (its "la" receive
counter: what the sender sprayed that way), the bytes it forwarded toward
leaf B ("lb" transmit: what it delivered), the bytes it got from leaf B
and the bytes it forwarded toward leaf A (the acks' way)."""

import json
import signal
import sys
import time


def read(pid):
    """[to_spine, to_b, from_b, to_a] of the spine whose namespace PID is in."""
    dev = {}
    with open(f"/proc/{pid}/net/dev") as f:
        for line in f.readlines()[2:]:
            name, _, rest = line.partition(":")
            v = rest.split()
            dev[name.strip()] = (int(v[0]), int(v[8]))  # rx bytes, tx bytes
    return [dev["la"][0], dev["lb"][1], dev["lb"][0], dev["la"][1]]


def sample(pids):
    return {"epoch_ns": time.time_ns(), "spines": [read(p) for p in pids]}


def main():
    path, every_ms, pids = sys.argv[1], int(sys.argv[2]), [int(p) for p in sys.argv[3:]]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(path, "w") as out:
        while True:
            out.write(json.dumps(sample(pids)) + "\n")
            out.flush()
            time.sleep(every_ms / 1000)


if __name__ == "__main__":
    main()
