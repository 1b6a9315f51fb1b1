#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Goodput benchmark on the leaf/spine fabric (selftests/topology.sh), in the
# test VM: K spine paths shaped to RATE each, so the physical limit is
# K x RATE, and every figure is reported as a fraction of it, all measured
# in one boot (absolute speeds in an emulated VM mean little; ratios in one
# run do). Not part of `make test`.
#
#   scripts/bench.sh            build mrcperf, boot the VM, run, print, and
#                               write build/bench/bench.json (and the MRC
#                               blackhole run's MRC_INFO / MRC_PATH_INFO
#                               snapshots, mrc_blackhole.paths.jsonl)
#   scripts/bench.sh --guest    (inside the VM) the measurement itself
#
# Environment: BENCH_K (4), BENCH_RATE (tc rate, 20mbit), BENCH_DELAY (netem
# delay per leaf-spine link and direction, 1ms), BENCH_SECONDS (8),
# BENCH_TIMEOUT (VM timeout, 900), TOPO_GSO_SEGS (1: hosts send one packet
# per skb, as a datapath without GSO would; default: the stack's GSO),
# BENCH_MTU (the fabric's MTU, 9000: jumbo frames, as AI fabrics run; at
# 1500 the SRv6 encapsulation every run uses leaves about 0.91 of the link
# for payload), BENCH_CC_BASE_RTT_US (6000: the base RTT NSCC is configured
# for, net.mrc.cc_base_rtt_us; its rate is set to K x RATE, as a
# controller's CC profile for this fabric would), BENCH_ACK_TIMEOUT (15:
# MRC's ACK timeout exponent, 1.024 us << 15 = 33.6 ms, above the queueing
# delay the emulated fabric reaches, net.mrc.ack_timeout), BENCH_EVS (64:
# the EVs an MRC connection sprays over, net.mrc.ev_count), BENCH_OUT
# (build/bench: where the JSON and the plots go; `make bench` runs K=8 with
# 128 EVs into build/bench/k8).
#
# The default rate was chosen by measurement (TCG guest, 2 vCPUs, on a
# loaded 2-core host): unshaped, K=4 parallel TCP connections reached about
# 1.5 Gbit/s in total with GSO and about 280 Mbit/s with one packet per skb,
# so 4 x 20 Mbit/s leaves the guest's CPU several times the capacity even
# for a per-packet datapath, and the links, not the emulation, are the
# bottleneck (tcp_parallel is the run that checks it).
#
# Runs, each with the per-spine byte counters of the run and the guest's
# CPU time per GB delivered (busy time from /proc/stat, the fabric's
# forwarding included, so only differences between transports mean much):
#   tcp_1path     one TCP connection, pinned to spine 1 (fraction ~ 1/K)
#   tcp_parallel  K TCP connections, connection i pinned to spine i: the
#                 control that shows the VM can fill all K paths at once
#   mptcp         one MPTCP connection, K subflows, subflow i on spine i
#   mptcp_blackhole  the same, with spine 2 blackholed (it stops
#                 forwarding) a third of the way through: time to recover and
#                 whether every byte still arrived. The receiver's
#                 goodput in 10 ms intervals, averaged over 100 ms
#                 windows sliding by 10 ms; recovered at the start of the
#                 first window back at >= 90% of the surviving capacity,
#                 that is (K-1)/K of tcp_parallel's goodput, after the
#                 first window below it starting within 200 ms of the
#                 fault (none: 0);
#                 the fault's time is the wall clock's, placed on the
#                 series by the server's start (receiver_start_epoch_ns).
#                 Also the longest run of 10 ms intervals without a
#                 delivered byte, and when delivery resumed after it.
#   mrc           one AF_MRC connection (mrcperf --proto mrc), SRv6:
#                 MRC_SRV6_PATHS = the K containers (EV i via spine i) on
#                 the client, the K containers toward A on the server
#   mrc_stev      the same over UDP/STEV entropy (the AUTO profile's EVs,
#                 ECMP-hashed by the leaves)
#   mrc_blackhole mrc with spine 2 blackholed a third of the way through,
#                 like mptcp_blackhole (time to recover, data intact), plus
#                 the time until MRC_PATH_INFO showed spine 2's EVs
#                 ASSUMED_BAD (snapshots every 20 ms); its messages are
#                 all one full packet, so that 100 ms windows hold many
#                 (bench_mrc; skipped, with the reason in the JSON, when
#                 mrc.ko does not load)
# A connection is pinned to spine i by its source address fd00:a::1<i>:
# host A encapsulates that source's traffic toward the SRv6 micro-SID
# container fcbb:0:1<i>:b0:b1:: (topo_steer_srv6), and leaf B routes
# fd00:a::1<i> back through spine i, so both directions of a subflow share
# one spine. Every transfer is checked byte for byte by the receiver.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
K=${BENCH_K:-4}
RATE=${BENCH_RATE:-20mbit}
DELAY=${BENCH_DELAY:-1ms}
SECONDS_PER_RUN=${BENCH_SECONDS:-8}
MTU=${BENCH_MTU:-9000}
CC_BASE_RTT_US=${BENCH_CC_BASE_RTT_US:-6000}
ACK_TIMEOUT=${BENCH_ACK_TIMEOUT:-15}
EVS=${BENCH_EVS:-64}

if [[ ${1:-} != --guest ]]; then
	set -e
	cd "$here"
	scripts/progress.sh "bench: building mrcperf" cargo build --release -q -p mrcperf
	# The MRC runs need the module, built against the test kernel like
	# `make test` builds it; without it they are skipped.
	if scripts/progress.sh "bench: building mrc.ko" make --no-print-directory KVARIANT=release modules >/dev/null; then
		mkdir -p build/release && cp mrc.ko build/release/mrc.ko
	else
		echo "bench: mrc.ko did not build; the MRC runs will be skipped" >&2
	fi
	out=$here/build/vm/release
	rm -f "$out/bench.json" "$out/mrc_blackhole.paths.jsonl" "$out/counters.jsonl"
	rc=0
	scripts/vm.sh --timeout "${BENCH_TIMEOUT:-900}" -- env BENCH_K="$K" BENCH_RATE="$RATE" \
		BENCH_DELAY="$DELAY" BENCH_SECONDS="$SECONDS_PER_RUN" TOPO_GSO_SEGS="${TOPO_GSO_SEGS:-}" \
		BENCH_MTU="$MTU" BENCH_CC_BASE_RTT_US="$CC_BASE_RTT_US" BENCH_ACK_TIMEOUT="$ACK_TIMEOUT" \
		BENCH_EVS="$EVS" MRC_KO="$here/build/release/mrc.ko" scripts/bench.sh --guest || rc=$?
	dest=${BENCH_OUT:-build/bench}
	if [[ -f $out/bench.json ]]; then
		mkdir -p "$dest"
		cp "$out/bench.json" "$dest/bench.json"
		cp "$out/mrc_blackhole.paths.jsonl" "$out/counters.jsonl" "$dest/" 2>/dev/null || true
		echo "bench: wrote $dest/bench.json"
		/usr/bin/python3 scripts/plot.py bench "$dest" || echo "bench: the plots failed" >&2
	fi
	((rc == 0)) || echo "bench: FAILED (a run failed or delivered damaged data; exit $rc)" >&2
	exit "$rc"
fi

# ------------------------------------------------------------------ guest
# shellcheck source=../selftests/topology.sh
. "$here/selftests/topology.sh"
PERF=$here/target/release/mrcperf
OUT=${BENCH_OUT:-$here/build/vm/release}
WORK=$(mktemp -d)
SAMPLER=
trap '[[ -n $SAMPLER ]] && kill "$SAMPLER"; topo_down; rm -rf "$WORK"' EXIT
NSA=$(topo_ns ha) NSB=$(topo_ns hb)
[[ -x $PERF ]] || { echo "bench: $PERF missing (cargo build --release -p mrcperf)"; exit 1; }

# Rate in bit/s, for the fractions.
rate_bps() {
	local r=${1,,}
	case $r in
	*gbit) echo $(( ${r%gbit} * 1000000000 )) ;;
	*mbit) echo $(( ${r%mbit} * 1000000 )) ;;
	*kbit) echo $(( ${r%kbit} * 1000 )) ;;
	*) echo "${r%bit}" ;;
	esac
}

TOPO_MTU=$MTU topo_up "$K" "$RATE" "$DELAY" || { echo "bench: topo_up failed"; exit 1; }
topo_steer_srv6 || { echo "bench: topo_steer_srv6 failed"; exit 1; }
topo_fault_arm 2 || { echo "bench: topo_fault_arm failed"; exit 1; }
topo_watch
# The spines' counters every 100 ms through the whole bench, for the
# plots: one sampler for all runs (Python takes seconds to start in the
# loaded guest; one started per run missed the short ones).
python3 "$here/selftests/spinecounters.py" "$OUT/counters.jsonl" 100 "${TOPO_WATCH_PIDS[@]}" &
SAMPLER=$!
# MPTCP: host A announces one extra subflow endpoint per spine beyond the
# first (the initial subflow leaves from fd00:a::11); both sides allow K.
/usr/sbin/ip -n "$NSA" mptcp limits set subflows 8 add_addr_accepted 8
/usr/sbin/ip -n "$NSB" mptcp limits set subflows 8 add_addr_accepted 8
for ((i = 2; i <= K; i++)); do
	/usr/sbin/ip -n "$NSA" mptcp endpoint add "$(topo_ha_via "$i")" id "$i" subflow
done

/usr/sbin/ip netns exec "$NSB" "$PERF" server --proto tcp --port 5201 >"$WORK/srv-tcp.log" 2>&1 &
/usr/sbin/ip netns exec "$NSB" "$PERF" server --proto mptcp --port 5202 >"$WORK/srv-mptcp.log" 2>&1 &
sleep 1

# run_clients NAME PROTO PORT SRC...: one client per source address, in
# parallel; writes $WORK/NAME-<n>.json and $WORK/NAME.counters (spine bytes
# before/after). BENCH_CLIENT_ARGS: more client options (word-split).
# The guest's busy CPU time so far, in USER_HZ ticks (/proc/stat: all but
# idle and iowait). Every run's figure includes the fabric's forwarding and
# shaping, the same for every transport; the differences are the
# transports' own.
cpu_busy() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

run_clients() {
	local name=$1 proto=$2 port=$3; shift 3
	local n=0 pids=() src rc=0
	# shellcheck disable=SC2206
	local extra=(${BENCH_CLIENT_ARGS:-})
	topo_spine_counters >"$WORK/$name.before"
	cpu_busy >"$WORK/$name.cpu"
	local fault_pid=
	if [[ -n ${BENCH_FAULT_AT:-} ]]; then
		# Blackhole spine 2 BENCH_FAULT_AT s after the clients' launch
		# with topology.sh's fast fault (its forwarding sysctl, written
		# once by a writer armed beforehand): every packet through it,
		# either way, is dropped silently. NAME.fault gets "0 T1 T2",
		# the wall clock just before and after the write
		# ($EPOCHREALTIME, the clock of the clients' start_epoch_ns).
		# Not topo_blackhole (netem loss 100%, the selftests' fault):
		# under TCG its tc processes applied that 25 to 60 ms after it
		# was written, and this measurement counted the delay as the
		# transports' recovery.
		(sleep "$BENCH_FAULT_AT"; topo_fault 0 "$WORK/$name.fault") &
		fault_pid=$!
	fi
	for src in "$@"; do
		n=$((n + 1))
		/usr/sbin/ip netns exec "$NSA" "$PERF" client --proto "$proto" --connect "$TOPO_HB" \
			--port "$port" --bind "$src" --seconds "$SECONDS_PER_RUN" --interval-ms "${BENCH_INTERVAL_MS:-250}" -q \
			--json "$WORK/$name-$n.json" "${extra[@]}" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	[[ -n $fault_pid ]] && wait "$fault_pid"
	cpu_busy >>"$WORK/$name.cpu"
	topo_spine_counters >"$WORK/$name.after"
	((rc == 0)) || touch "$WORK/$name.failed"
	return $rc
}

# AF_MRC: one connection sprayed over the K spines, measured like the
# runs above. In SRv6 mode the module encapsulates each EV toward its
# container itself, so the client binds host A's main address (the
# per-spine sources would add topo_steer_srv6's encapsulation).
bench_mrc() {
	local why= i n paths_b=() paths_a=()
	if ! lsmod | grep -q '^mrc ' && ! insmod "${MRC_KO:-$here/build/release/mrc.ko}" 2>"$WORK/insmod.err"; then
		why="mrc.ko does not load: $(head -1 "$WORK/insmod.err")"
	fi
	if [[ -n $why ]]; then
		echo "bench: mrc: skipped ($why)"
		for n in mrc mrc_stev mrc_blackhole; do
			/usr/bin/python3 -c 'import json, sys; print(json.dumps({"skipped": sys.argv[1]}))' "$why" >"$WORK/$n.skip"
		done
		return 0
	fi
	for ((i = 1; i <= K; i++)); do
		paths_b+=("$(topo_container "$i")") paths_a+=("$(topo_container "$i" a)")
	done
	local cc_mbit=$(( K * $(rate_bps "$RATE") / 1000000 ))
	for n in "$NSA" "$NSB"; do
		/usr/sbin/ip netns exec "$n" sh -c "echo $cc_mbit >/proc/sys/net/mrc/cc_rate_mbit; \
			echo $CC_BASE_RTT_US >/proc/sys/net/mrc/cc_base_rtt_us; \
			echo $ACK_TIMEOUT >/proc/sys/net/mrc/ack_timeout; \
			echo $EVS >/proc/sys/net/mrc/ev_count"
	done
	echo "bench: mrc: $EVS EVs; NSCC for ${cc_mbit} Mbit/s, base RTT ${CC_BASE_RTT_US} us; ACK timeout exponent $ACK_TIMEOUT"
	local srv6_b srv6_a
	srv6_b=$(IFS=,; echo "${paths_b[*]}") srv6_a=$(IFS=,; echo "${paths_a[*]}")
	/usr/sbin/ip netns exec "$NSB" "$PERF" server --proto mrc --port 5203 --srv6 "$srv6_a" \
		>"$WORK/srv-mrc.log" 2>&1 &
	/usr/sbin/ip netns exec "$NSB" "$PERF" server --proto mrc --port 5204 >"$WORK/srv-mrc-stev.log" 2>&1 &
	sleep 1
	BENCH_CLIENT_ARGS="--srv6 $srv6_b" run_clients mrc mrc 5203 "$TOPO_HA" || echo "bench: mrc failed"
	run_clients mrc_stev mrc 5204 "$TOPO_HA" || echo "bench: mrc_stev failed"
	# Messages of one full packet here (MRC's max_payload in SRv6 mode:
	# the MTU less the outer and inner IPv6, UDP and MRC data headers,
	# 8872 bytes at MTU 9000; MRC_INFO shows it): the receiver counts a
	# message when it is whole, and a 100 ms window at the surviving rate
	# holds about 80 of them, so one message more or less moves it by
	# about 1%; with mixed sizes up to 64 KiB it was 9% and more, and
	# windows dipped below 90% long after the fault for that reason
	# alone. Not 8 KiB: NSCC's window (90000 bytes here) holds ten
	# packets of either size, so 8 KiB ones would keep 8% less in
	# flight. (Mixed small sizes would make the run CPU-bound.)
	local msg=$((MTU - 128))
	BENCH_CLIENT_ARGS="--srv6 $srv6_b --min-msg $msg --max-msg $msg --path-info-json $WORK/mrc_blackhole.paths --path-info-ms 20" \
		BENCH_INTERVAL_MS=10 BENCH_FAULT_AT=$(awk -v s="$SECONDS_PER_RUN" 'BEGIN { print s / 3 }') \
		run_clients mrc_blackhole mrc 5203 "$TOPO_HA" || echo "bench: mrc_blackhole failed"
	topo_fault 1
	# MRC_INFO and MRC_PATH_INFO every 20 ms through the blackhole run.
	cp "$WORK/mrc_blackhole.paths" "$OUT/mrc_blackhole.paths.jsonl" 2>/dev/null
}

srcs=()
for ((i = 1; i <= K; i++)); do srcs+=("$(topo_ha_via "$i")"); done
echo "bench: K=$K RATE=$RATE DELAY=$DELAY MTU=$MTU, ${SECONDS_PER_RUN}s per run"
run_clients tcp_1path tcp 5201 "$(topo_ha_via 1)" || echo "bench: tcp_1path failed"
run_clients tcp_parallel tcp 5201 "${srcs[@]}" || echo "bench: tcp_parallel failed"
run_clients mptcp mptcp 5202 "$(topo_ha_via 1)" || echo "bench: mptcp failed"
BENCH_INTERVAL_MS=10 BENCH_FAULT_AT=$(awk -v s="$SECONDS_PER_RUN" 'BEGIN { print s / 3 }') \
	run_clients mptcp_blackhole mptcp 5202 "$(topo_ha_via 1)" || echo "bench: mptcp_blackhole failed"
topo_fault 1
bench_mrc

/usr/bin/python3 - "$WORK" "$OUT/bench.json" "$K" "$(rate_bps "$RATE")" "$RATE" "$DELAY" "$SECONDS_PER_RUN" "${TOPO_GSO_SEGS:-}" <<'PY'
import glob, json, os, sys
work, out, k, rate, rate_s, delay, secs, gso = sys.argv[1:]
k, rate = int(k), int(rate)
cap = k * rate

def spines(name):
    def read(f):
        return {l.split()[0]: [int(x) for x in l.split()[1:]] for l in open(f) if l.strip()}
    b, a = read(f"{work}/{name}.before"), read(f"{work}/{name}.after")
    return {s: {"pkts_to_b": a[s][0] - b[s][0], "pkts_to_a": a[s][1] - b[s][1],
                "bytes_to_b": a[s][2] - b[s][2], "bytes_to_a": a[s][3] - b[s][3]} for s in sorted(a)}

res = {"k": k, "rate_bps": rate, "rate": rate_s, "delay": delay, "seconds": float(secs),
       "capacity_bps": cap, "gso_max_segs": int(gso) if gso else None,
       "mtu": int(os.environ.get("BENCH_MTU", "1500")), "runs": {}}
for name in ["tcp_1path", "tcp_parallel", "mptcp", "mptcp_blackhole", "mrc", "mrc_stev", "mrc_blackhole"]:
    files = sorted(glob.glob(f"{work}/{name}-*.json"))
    if not files:
        skip = f"{work}/{name}.skip"
        res["runs"][name] = json.load(open(skip)) if os.path.exists(skip) else {"failed": True}
        continue
    clients = [json.load(open(f)) for f in files]
    good = sum(c["goodput_bps"] for c in clients)
    sp = spines(name)
    # Per spine, the bytes sent toward host B as a rate over the run.
    span = max(c["seconds"] for c in clients)
    # Guest CPU seconds per GB delivered (USER_HZ is 100).
    cpu = [int(x) for x in open(f"{work}/{name}.cpu").read().split()] if os.path.exists(f"{work}/{name}.cpu") else []
    delivered = sum(c["bytes_received"] for c in clients)
    cpu_per_gb = (cpu[1] - cpu[0]) / 100 / (delivered / 1e9) if len(cpu) == 2 and delivered else None
    res["runs"][name] = {
        "connections": len(clients),
        "goodput_bps": good,
        "fraction": good / cap,
        # A client that failed wrote no report: the run is not intact.
        "intact": all(c["intact"] for c in clients) and not os.path.exists(f"{work}/{name}.failed"),
        "mptcp_extra_subflows": [c.get("mptcp_subflows") for c in clients],
        "cpu_seconds_per_gb": cpu_per_gb,
        "spines": sp,
        "spine_share": {s: v["bytes_to_b"] / max(1, sum(x["bytes_to_b"] for x in sp.values())) for s, v in sp.items()},
        "spine_bps": {s: v["bytes_to_b"] * 8 / span for s, v in sp.items()},
        "clients": clients,
    }

# Recovery after the blackhole: surviving capacity = (K-1)/K of what K
# parallel TCP connections achieved in this run; recovered at the start of
# the first 100 ms window (sliding by one interval) averaging >= 90% of it
# after the fault's dip: the first window below it that starts within
# DIP_S of the fault (the loss of the dead spine's packets in flight shows
# by then; a later dip is the transport's own variation, which both
# transports have).
WINDOW_S = 0.1
DIP_S = 0.2
def recovery(name):
    bh = res["runs"].get(name, {})
    if not ("clients" in bh and os.path.exists(f"{work}/{name}.fault") and "goodput_bps" in res["runs"].get("tcp_parallel", {})):
        return None
    _, t1, t2 = map(float, open(f"{work}/{name}.fault").read().split())
    c = bh["clients"][0]
    # The fault on the receiver's series: the server reports its start on
    # the wall clock (the guest's one clock). The client's start_epoch_ns
    # would place it a one-way delay and the server's scheduling early:
    # 30 ms and more under TCG, all counted as recovery.
    fault = t1 - c["receiver_start_epoch_ns"] / 1e9
    surviving = res["runs"]["tcp_parallel"]["goodput_bps"] * (k - 1) / k
    iv = c["intervals"]
    step = c["interval_ms"] / 1000.0
    w = max(1, round(WINDOW_S / step))
    # The dip may show a little after the fault (data already in flight):
    # find the first window below the threshold, then the first one after
    # it back above; no dip at all counts as 0.
    avg = lambda j: sum(x["bits_per_second"] for x in iv[j:j + w]) / w
    js = [j for j in range(len(iv) - w + 1) if iv[j]["t"] >= fault]
    dip = next((j for j in js if iv[j]["t"] < fault + DIP_S and avg(j) < 0.9 * surviving), None)
    if dip is None:
        rec = 0.0 if js else None
    else:
        up = next((j for j in js if j > dip and avg(j) >= 0.9 * surviving), None)
        rec = None if up is None else iv[up]["t"] - fault
    # The longest run of intervals with nothing delivered, from the fault
    # on, and when delivery resumed after it (a stricter figure than the
    # windows', which count the catch-up of data held back by the stall).
    gap = run = 0
    resumed = None
    for x in iv:
        if x["t"] >= fault:
            run = run + 1 if x["bytes"] == 0 else 0
            if run > gap:
                gap, resumed = run, x["t"] + step - fault
    before = [x["bits_per_second"] for x in iv if x["t"] + step <= fault]
    after_ = [x["bits_per_second"] for x in iv if x["t"] >= fault + (rec or 0)]
    bh["blackhole"] = {"spine": 2, "fault_at_s": fault, "fault_written_in_s": t2 - t1, "surviving_bps": surviving,
                       "window_s": w * step, "time_to_recover_s": rec, "longest_gap_s": gap * step,
                       "delivery_resumed_s": resumed,
                       "goodput_before_bps": sum(before) / len(before) if before else None,
                       "goodput_after_recovery_bps": sum(after_) / len(after_) if after_ else None,
                       "bytes_lost": 0 if bh["intact"] else None}
    return bh["blackhole"], t1

recovery("mptcp_blackhole")
r = recovery("mrc_blackhole")
paths = f"{work}/mrc_blackhole.paths"
if r and os.path.exists(paths):
    # MRC's own view: the first snapshot with every EV of spine 2 (EV i
    # goes via container i mod K) ASSUMED_BAD, in seconds after the fault.
    b, t1 = r
    snaps = [json.loads(l) for l in open(paths) if l.strip()]
    bad = lambda s: [p for p in s.get("paths", []) if p["ev"] % k == 1]
    first = next((s for s in snaps if s["epoch"] >= t1 and bad(s) and all(p["state"] == "ASSUMED_BAD" for p in bad(s))), None)
    b["evs_assumed_bad_after_s"] = None if first is None else first["epoch"] - t1
    # The smoothed RTT when the fault struck (the ACK timeout is at least
    # twice it): the last snapshot before it.
    last = next((s for s in reversed(snaps) if s["epoch"] < t1 and "info" in s), None)
    b["srtt_at_fault_us"] = last["info"]["srtt_us"] if last else None
json.dump(res, open(out, "w"), indent=1)

print(f"\nK={k} paths x R={rate_s} ({rate/1e6:g} Mbit/s) = {cap/1e6:g} Mbit/s capacity; netem delay {delay}/link; {secs}s per run")
print(f"{'run':<14}{'conns':>6}{'Mbit/s':>10}{'of K*R':>9}{'intact':>8}{'CPU s/GB':>10}  share of bytes per spine (s1..s{k})")
for name, r in res["runs"].items():
    if "goodput_bps" not in r:
        print(f"{name:<14}  {r.get('skipped', 'FAILED')}")
        continue
    share = " ".join(f"{v:4.2f}" for v in r["spine_share"].values())
    cpu = "-" if r["cpu_seconds_per_gb"] is None else f"{r['cpu_seconds_per_gb']:.1f}"
    print(f"{name:<14}{r['connections']:>6}{r['goodput_bps']/1e6:>10.2f}{r['fraction']:>9.3f}{str(r['intact']):>8}{cpu:>10}  {share}")
for name in ["mptcp_blackhole", "mrc_blackhole"]:
    b = res["runs"].get(name, {}).get("blackhole")
    if not b:
        continue
    rec = "never (within the run)" if b["time_to_recover_s"] is None else f"{b['time_to_recover_s']*1000:.0f} ms"
    seen = b.get("evs_assumed_bad_after_s", "n/a")
    seen = "" if seen == "n/a" else ("; spine 2's EVs never all ASSUMED_BAD" if seen is None else f"; spine 2's EVs ASSUMED_BAD after {seen*1000:.0f} ms")
    resumed = "" if b["delivery_resumed_s"] is None else f", delivery resumed {b['delivery_resumed_s']*1000:.0f} ms after the fault"
    if b.get("srtt_at_fault_us"):
        seen += f" (srtt {b['srtt_at_fault_us']/1000:.1f} ms before the fault)"
    print(f"{name}: spine 2 blackholed at {b['fault_at_s']:.3f} s; recovery to 90% of the surviving "
          f"{b['surviving_bps']/1e6:.1f} Mbit/s ({b['window_s']*1000:.0f} ms windows): {rec}; longest gap in delivery "
          f"{b['longest_gap_s']*1000:.0f} ms{resumed}; data {'intact' if b['bytes_lost'] == 0 else 'DAMAGED'}{seen}")
bad = [n for n, r in res["runs"].items() if "skipped" not in r and not r.get("intact")]
if bad:
    print("bench: failed or damaged:", " ".join(bad))
mtu = int(os.environ.get("BENCH_MTU", "1500"))
print(f"(goodput counts verified payload only; at MTU {mtu} the headers, incl. the SRv6 encapsulation, "
      f"take about {130 / (mtu + 14):.1%} of each full frame)")
sys.exit(1 if bad else 0)
PY
status=$?
sed 's/^/bench: server: /' "$WORK"/srv-*.log | grep -v listening | grep -v '"intact":true' || true
exit $status
