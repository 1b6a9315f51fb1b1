#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The pictures of `make run` and `make bench`, drawn on the host from what
the VM left in its output share, with Debian's matplotlib:

    scripts/plot.py story DIR    the demo's failure story (selftests/story.sh's
                                 files): DIR/story_goodput.png (per spine
                                 and in all, over time, fault and restore
                                 marked) and DIR/story_ev_states.png
    scripts/plot.py bench DIR    DIR/bench.json and the blackhole runs' series:
                                 bench_goodput.png (the table as bars),
                                 bench_failover.png (per spine and in all
                                 over time, MPTCP beside MRC) and
                                 bench_ev_states.png (MRC's EVs); the same
                                 series as text rows in the terminal
    scripts/plot.py cpu DIR      DIR/bench.json's "cpu" runs (make bench-cpu):
                                 bench_cpu.png, goodput and CPU s/GB of each
                                 run as bars, one column per MTU, with the
                                 targets drawn (0.8x TCP's goodput, 1.5x
                                 its CPU per byte, four MRC connections
                                 1.6x one)

Prints the path of each PNG it wrote."""

import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "selftests"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sparkline import marks, sparkline  # noqa: E402
from story_data import DEAD, K, STATES, Story  # noqa: E402


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"plot: wrote {os.path.relpath(path)}")


def smooth(points, window):
    """Means over `window` seconds (a 10 ms series is mostly noise)."""
    out, acc, start = [], [], None
    for t, v in points:
        if start is None or t >= start + window:
            if acc:
                out.append((start, sum(acc) / len(acc)))
            acc, start = [], t
        acc.append(v)
    if acc:
        out.append((start, sum(acc) / len(acc)))
    return out


def spines_panel(ax, series, goodput, events, title, rate):
    for i in range(len(series[0][1]) if series else 0):
        ax.plot([t for t, _ in series], [v[i] for _, v in series], label=f"spine {i + 1}", lw=1.2)
    if goodput:
        ax.plot([t for t, _ in goodput], [v for _, v in goodput], label="goodput (receiver)", color="black", lw=1.6)
    for t, label, color in events:
        if t is not None:
            ax.axvline(t, color=color, ls="--", lw=1)
            ax.text(t, ax.get_ylim()[1] * 0.97 if ax.get_ylim()[1] else 1, f" {label}", color=color, va="top", fontsize=8)
    if rate:
        ax.axhline(rate, color="gray", ls=":", lw=0.8)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("seconds")
    ax.set_ylabel("Mbit/s")
    ax.legend(fontsize=7, loc="lower left")


def ev_panel(ax, states, events, title, k=K):
    """Per spine, its EVs' states over time: GOOD up, ASSUMED_BAD down."""
    for sp in range(1, k + 1):
        ts = [t for t, _ in states]
        ax.plot(ts, [per[sp]["ASSUMED_BAD"] for _, per in states], label=f"spine {sp} ASSUMED_BAD", lw=1.2)
    ax.plot([t for t, _ in states], [sum(per[sp]["GOOD"] for sp in per) for _, per in states],
            label="GOOD, all spines", color="black", lw=1.6)
    for t, label, color in events:
        if t is not None:
            ax.axvline(t, color=color, ls="--", lw=1)
            ax.text(t, ax.get_ylim()[1] * 0.97, f" {label}", color=color, va="top", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("seconds")
    ax.set_ylabel("EVs")
    ax.legend(fontsize=7, loc="center left")


def story(d):
    st = Story(d)
    ev = [(st.t(st.fault[1]) if st.fault else None, "fault", "red"),
          (st.t(st.restore[1]) if st.restore else None, "restore", "green")]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    spines_panel(ax, st.spine_series(1), st.goodput_series(), ev,
                 f"one MRC connection over {K} spines: forwarded toward host B per spine, and goodput; "
                 f"spine {DEAD} fails and returns", 20)
    save(fig, f"{d}/story_goodput.png")
    fig, ax = plt.subplots(figsize=(10, 3.5))
    ev_panel(ax, st.state_series(), ev, "MRC_PATH_INFO: the EVs' states over time (8 EVs per spine)")
    save(fig, f"{d}/story_ev_states.png")


def counters_series(path, t0_ns):
    """(t, [Mbit/s toward B per spine]) from a spinecounters.py file."""
    if not os.path.exists(path):
        return []
    rows = [json.loads(l) for l in open(path) if l.strip()]
    out = []
    for a, b in zip(rows, rows[1:]):
        dt = (b["epoch_ns"] - a["epoch_ns"]) / 1e9
        if dt > 0:
            out.append(((a["epoch_ns"] - t0_ns) / 1e9,
                        [(y[1] - x[1]) * 8 / dt / 1e6 for x, y in zip(a["spines"], b["spines"])]))
    return out


def bench(d):
    res = json.load(open(f"{d}/bench.json"))
    runs = {n: r for n, r in res["runs"].items() if "fraction" in r}
    fig, ax = plt.subplots(figsize=(9, 4))
    names = list(runs)
    bars = ax.bar(names, [runs[n]["fraction"] for n in names],
                  color=["tab:blue" if n.startswith("mrc") else "tab:gray" for n in names])
    for b, n in zip(bars, names):
        ax.text(b.get_x() + b.get_width() / 2, b.get_height(), f"{runs[n]['fraction']:.2f}"
                + ("" if runs[n]["intact"] else " DAMAGED"), ha="center", va="bottom", fontsize=8)
    ax.axhline(1, color="black", lw=0.8)
    ax.set_ylabel(f"goodput / (K x R = {res['capacity_bps'] / 1e6:g} Mbit/s)")
    ax.set_title(f"make bench: K={res['k']} spines x {res['rate']}, delay {res['delay']} per link, "
                 f"{res['seconds']:g} s per run", fontsize=10)
    plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
    save(fig, f"{d}/bench_goodput.png")

    pair = [n for n in ("mptcp_blackhole", "mrc_blackhole") if "blackhole" in runs.get(n, {})]
    if not pair:
        return
    fig, axes = plt.subplots(1, len(pair), figsize=(6 * len(pair), 4.5), sharey=True, squeeze=False)
    rate = res["rate_bps"] / 1e6
    print(f"\nspine 2 blackholed: bytes toward host B per spine, full block = {rate:g} Mbit/s; F: the fault")
    for ax, n in zip(axes[0], pair):
        r, b = runs[n], runs[n]["blackhole"]
        c = r["clients"][0]
        t0 = c["receiver_start_epoch_ns"]
        step = c["interval_ms"] / 1000
        good = smooth([(x["t"], x["bits_per_second"] / 1e6) for x in c["intervals"]], 0.1)
        span = len(c["intervals"]) * step
        ser = [x for x in counters_series(f"{d}/counters.jsonl", t0) if 0 <= x[0] < span]
        spines_panel(ax, ser, good, [(b["fault_at_s"], "spine 2 blackholed", "red")],
                     f"{n}: recovered in " + ("never" if b["time_to_recover_s"] is None
                                              else f"{b['time_to_recover_s'] * 1000:.0f} ms"), rate)
        print(f"  {n}")
        print(f"    {'':9}|{marks([(b['fault_at_s'], 'F')], span, 60)}|")
        for i in range(res["k"]):
            print(f"    spine {i + 1}  |{sparkline([(t, v[i]) for t, v in ser], span, 60, rate)}|")
        print(f"    goodput  |{sparkline(good, span, 60, rate * res['k'])}|")
    save(fig, f"{d}/bench_failover.png")

    paths = f"{d}/mrc_blackhole.paths.jsonl"
    if "mrc_blackhole" in pair and os.path.exists(paths):
        b = runs["mrc_blackhole"]["blackhole"]
        t0 = runs["mrc_blackhole"]["clients"][0]["receiver_start_epoch_ns"] / 1e9
        k, states = res["k"], []
        for s in (json.loads(l) for l in open(paths) if l.strip()):
            if s.get("paths"):
                per = {sp: dict.fromkeys(STATES, 0) for sp in range(1, k + 1)}
                for p in s["paths"]:
                    per[p["ev"] % k + 1][p["state"]] = per[p["ev"] % k + 1].get(p["state"], 0) + 1
                states.append((s["epoch"] - t0, per))
        fig, ax = plt.subplots(figsize=(10, 3.5))
        ev_panel(ax, states, [(b["fault_at_s"], "spine 2 blackholed", "red")],
                 "mrc_blackhole: MRC_PATH_INFO, the EVs' states over time", k)
        save(fig, f"{d}/bench_ev_states.png")


def cpu(d):
    res = json.load(open(f"{d}/bench.json"))["cpu"]
    runs = res["runs"]
    mtus = sorted({r["mtu"] for r in runs.values()})
    fig, axes = plt.subplots(2, len(mtus), figsize=(5.5 * len(mtus), 6.5), squeeze=False)
    for col, mtu in enumerate(mtus):
        names = [n for n, r in runs.items() if r["mtu"] == mtu]
        labels = [f"{'mrc per packet' if runs[n]['proto'] == 'mrcpkt' else runs[n]['proto']} x{runs[n]['connections']}"
                  for n in names]
        colors = ["tab:blue" if runs[n]["proto"].startswith("mrc") else "tab:gray" for n in names]
        tcp = runs.get(f"tcp_{mtu}_1")
        for row, (key, scale, unit, bound) in enumerate((("goodput_bps", 1e6, "goodput, Mbit/s", 0.8),
                                                        ("cpu_seconds_per_gb", 1, "CPU s/GB", 1.5))):
            ax = axes[row][col]
            values = [(runs[n][key] or 0) / scale for n in names]
            bars = ax.bar(labels, values, color=colors)
            for b, n, v in zip(bars, names, values):
                text = f"{v:.0f}" if row == 0 else f"{v:.1f}"
                ax.text(b.get_x() + b.get_width() / 2, b.get_height(),
                        text + ("" if runs[n]["intact"] else "\nDAMAGED"), ha="center", va="bottom", fontsize=8,
                        color="black" if runs[n]["intact"] else "tab:red")
            top = max(values, default=0)
            if tcp and tcp[key]:
                line = bound * tcp[key] / scale
                top = max(top, line)
                ax.axhline(line, color="tab:red", lw=1, ls="--",
                           label=f"{bound:g}x TCP's (the target's {'floor' if row == 0 else 'ceiling'})")
            mrc1, four = runs.get(f"mrc_{mtu}_1"), f"mrc_{mtu}_4"
            if row == 0 and mrc1 and four in names:
                x = names.index(four)
                line = 1.6 * mrc1[key] / scale
                top = max(top, line)
                ax.hlines(line, x - 0.45, x + 0.45, color="tab:red", lw=1.5, ls=":",
                          label="1.6x one MRC connection (the target for four)")
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=8, loc="upper left")
            ax.set_ylim(0, top * 1.45 or 1)
            ax.set_ylabel(unit)
            plt.setp(ax.get_xticklabels(), rotation=20, ha="right", fontsize=8)
        ratio = res["ratios"]
        g, c = ratio.get(f"mrc_vs_tcp_goodput_{mtu}"), ratio.get(f"mrc_vs_tcp_cpu_per_gb_{mtu}")
        axes[0][col].set_title(f"MTU {mtu}" + (f": one MRC connection {g:.2f}x TCP's goodput at {c:.2f}x its CPU"
                                             if g is not None and c is not None else ""), fontsize=9)
    fig.suptitle(f"make bench-cpu: one unshaped veth link, {res['seconds']} s per run", fontsize=10)
    save(fig, f"{d}/bench_cpu.png")


if __name__ == "__main__":
    {"story": story, "bench": bench, "cpu": cpu}[sys.argv[1]](sys.argv[2])
