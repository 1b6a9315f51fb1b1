#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CPU-bound benchmark: one unshaped veth link between two namespaces in
# the test VM, so the guest's CPUs, not a link, set the speed. TCP, MPTCP
# and MRC run in the same boot, at MTU 1500 and 9000, with 1, 2 and 4
# connections at once (TCP and MRC; MPTCP with one, and one MRC connection
# sprayed packet by packet, net.mrc.burst=1, and received one datagram at a
# time, net.mrc.udp_gro=0, to show what the default bursts buy), and every
# figure that
# matters is a ratio within this boot: MRC's goodput and CPU time per GB
# against TCP's on the same link. Not part of `make test`.
#
#   scripts/bench-cpu.sh          build mrcperf and mrc.ko, boot the VM, run,
#                                 print the table, write it under "cpu"
#                                 in build/bench/bench.json (beside the
#                                 shaped bench's runs, if that file exists)
#                                 and draw it as build/bench/bench_cpu.png
#                                 (scripts/plot.py cpu)
#   scripts/bench-cpu.sh --guest  (inside the VM) the measurement itself
#
# Environment: BENCH_SECONDS (8 per run), BENCH_MTUS ("1500 9000"),
# BENCH_MRC_SYSCTLS (net.mrc settings for both ends, as "key=value ...";
# default: none, the module's defaults),
# BENCH_CONNS ("1 2 4"), BENCH_TIMEOUT (VM timeout, 900), BENCH_PROFILE
# (1: also record a system-wide perf profile of one MRC connection, four
# MRC connections and one TCP connection at each MTU of BENCH_PROFILE_MTUS,
# "1500" unless set, written as build/bench/profile-*-<mtu>.txt; the
# profile's own cost makes those runs' figures meaningless, so they are
# extra runs, not in the table; perf's idle share is not the guest's, see
# below), BENCH_IDLE_CHECK (1: check each run's busy share a second way,
# by an idle-priority spinner per CPU, `mrcperf idle`, whose loops in the
# run over its loops in a quiet guest are the share left idle: the
# "spin" column; the spinners take only what the run leaves, but they keep
# the CPUs from halting), BENCH_HOST_LOAD (N: N busy loops on the host
# while the VM runs, to measure a host whose CPUs are shared; none unless
# set). The host's own load is measured before the boot and after the
# runs (scripts/host-busy.sh, which warns above a quarter of its CPUs)
# and written beside the runs.
#
# CPU s/GB is the guest's busy time (all CPUs, from /proc/stat) over the
# run, per GB of verified payload delivered: sender, receiver and the veth
# between them, as one host would spend it twice. "busy" is the share of
# the guest's CPU time that was busy during the run: near 100% the run was
# CPU-bound; well below, its stages waited on each other (latency-bound),
# and CPU s/GB then counts the cost of the bytes, not the limit on them.
# /proc/stat samples each CPU at every tick; the spinners of
# BENCH_IDLE_CHECK find the runs 4-7 points busier in the TCG guest,
# where perf's samples put 30-60% of the time in the idle loop of runs
# that were 73-91% busy (Documentation/performance.rst, "How busy the
# guest is"). "kernel s/GB" is the kernel's part of CPU s/GB (system, irq,
# softirq): the transport, without mrcperf's filling and checking of the
# bytes in user space, which is most of TCP's CPU time.
# MRC's retransmissions come from MRC_INFO at the end of each run; on this
# lossless link every one is self-inflicted.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_PER_RUN=${BENCH_SECONDS:-8}
MTUS=${BENCH_MTUS:-1500 9000}
CONNS=${BENCH_CONNS:-1 2 4}

if [[ ${1:-} != --guest ]]; then
	set -e
	cd "$here"
	scripts/progress.sh "bench-cpu: building mrcperf" cargo build --release -q -p mrcperf
	scripts/progress.sh "bench-cpu: building mrc.ko" make --no-print-directory KVARIANT=release modules >/dev/null
	mkdir -p build/release && cp mrc.ko build/release/mrc.ko
	out=$here/build/vm/release
	rm -f "$out/bench_cpu.json" "$out"/profile-*.txt
	rc=0
	busy_before=$(scripts/host-busy.sh "bench-cpu: before the boot")
	loaders=()
	for ((i = 0; i < ${BENCH_HOST_LOAD:-0}; i++)); do
		(while :; do :; done) &
		loaders+=($!)
	done
	if ((${#loaders[@]} > 0)); then
		trap 'kill "${loaders[@]}" 2>/dev/null' EXIT
		echo "bench-cpu: ${#loaders[@]} busy loops on the host during the runs (BENCH_HOST_LOAD)"
	fi
	scripts/vm.sh --timeout "${BENCH_TIMEOUT:-900}" -- env BENCH_SECONDS="$SECONDS_PER_RUN" \
		BENCH_MTUS="$MTUS" BENCH_CONNS="$CONNS" BENCH_PROFILE="${BENCH_PROFILE:-}" BENCH_PROFILE_MTUS="${BENCH_PROFILE_MTUS:-}" \
		BENCH_MRC_SYSCTLS="${BENCH_MRC_SYSCTLS:-}" BENCH_IDLE_CHECK="${BENCH_IDLE_CHECK:-}" \
		MRC_KO="$here/build/release/mrc.ko" scripts/bench-cpu.sh --guest || rc=$?
	if ((${#loaders[@]} > 0)); then
		kill "${loaders[@]}"
		trap - EXIT
	fi
	busy_after=$(scripts/host-busy.sh "bench-cpu: after the runs")
	echo "bench-cpu: other work took ${busy_before} of the host's CPUs before the boot, ${busy_after} after the runs"
	mkdir -p build/bench
	cp "$out"/profile-*.txt build/bench/ 2>/dev/null && echo "bench-cpu: wrote build/bench/profile-*.txt"
	if [[ -f $out/bench_cpu.json ]]; then
		/usr/bin/python3 - "$out/bench_cpu.json" build/bench/bench.json "$busy_before" "$busy_after" "${#loaders[@]}" <<-'PY'
			import json, os, sys
			cpu = json.load(open(sys.argv[1]))
			out = sys.argv[2]
			cpu["host_busy_before"] = float(sys.argv[3])
			cpu["host_busy_after"] = float(sys.argv[4])
			cpu["host_load_loops"] = int(sys.argv[5])
			res = json.load(open(out)) if os.path.exists(out) else {}
			res["cpu"] = cpu
			json.dump(res, open(out, "w"), indent=1)
		PY
		echo "bench-cpu: wrote build/bench/bench.json (\"cpu\")"
		/usr/bin/python3 scripts/plot.py cpu build/bench || echo "bench-cpu: the plot failed" >&2
	fi
	((rc == 0)) || echo "bench-cpu: FAILED (a run failed or delivered damaged data; exit $rc)" >&2
	exit "$rc"
fi

# ------------------------------------------------------------------ guest
IP=/usr/sbin/ip
PERF=$here/target/release/mrcperf
OUT=${BENCH_OUT:-$here/build/vm/release}
WORK=$(mktemp -d)
NSA=mrc-cpu-a NSB=mrc-cpu-b
A=fd00:c::1 B=fd00:c::2
cleanup() {
	pkill -f "$PERF server" 2>/dev/null
	$IP netns del "$NSA" 2>/dev/null
	$IP netns del "$NSB" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
[[ -x $PERF ]] || { echo "bench-cpu: $PERF missing"; exit 1; }
lsmod | grep -q '^mrc ' || insmod "${MRC_KO:-$here/build/release/mrc.ko}" || { echo "bench-cpu: mrc.ko does not load"; exit 1; }

$IP netns add "$NSA" && $IP netns add "$NSB" || exit 1
$IP -n "$NSA" link add veth0 type veth peer name veth0 netns "$NSB" || exit 1
for ns in "$NSA" "$NSB"; do
	$IP -n "$ns" link set lo up
	$IP -n "$ns" link set veth0 up
done
$IP -n "$NSA" addr add "$A/64" dev veth0 nodad
$IP -n "$NSB" addr add "$B/64" dev veth0 nodad
for kv in ${BENCH_MRC_SYSCTLS:-}; do
	for ns in "$NSA" "$NSB"; do
		$IP netns exec "$ns" sh -c "echo ${kv#*=} >/proc/sys/net/mrc/${kv%%=*}" || exit 1
	done
done
$IP -n "$NSA" mptcp limits set subflows 4
$IP -n "$NSB" mptcp limits set subflows 4

# The guest's CPU time so far, all CPUs, in ticks: busy (user, system,
# irq, softirq, steal), idle (idle, iowait), nice (the spinners of
# BENCH_IDLE_CHECK, niced, and nothing else the guest runs), then user
# alone (mrcperf's own work: filling and checking the bytes).
cpu_busy() {
	awk '$1 == "cpu" { print $2 + $4 + $7 + $8 + $9, $5 + $6, $3, $2; exit }' /proc/stat
}

# run NAME PROTO PORT N [perf-output]: N clients at once from A to B's
# server on PORT; writes WORK/NAME-<i>.json and WORK/NAME.cpu.
run() {
	local name=$1 proto=$2 port=$3 n=$4 prof=${5:-} i pids=() rc=0 rec= spin=
	cpu_busy >"$WORK/$name.cpu"
	$IP netns exec "$NSB" cat /proc/net/mrc_snmp >"$WORK/$name.rx0"
	$IP netns exec "$NSA" cat /proc/net/mrc_snmp >"$WORK/$name.tx0"
	if [[ -n ${BENCH_IDLE_CHECK:-} ]]; then
		"$PERF" idle --seconds "$SECONDS_PER_RUN" >"$WORK/$name.idle" &
		spin=$!
	fi
	if [[ -n $prof ]]; then
		perf record -a -g -o "$WORK/$name.data" -- sleep "$SECONDS_PER_RUN" >/dev/null 2>&1 &
		rec=$!
	fi
	for ((i = 1; i <= n; i++)); do
		$IP netns exec "$NSA" "$PERF" client --proto "$proto" --connect "$B" --port "$port" \
			--seconds "$SECONDS_PER_RUN" -q --json "$WORK/$name-$i.json" >/dev/null 2>"$WORK/$name-$i.err" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	cpu_busy >>"$WORK/$name.cpu"
	[[ -z $spin ]] || wait "$spin" || rc=1
	$IP netns exec "$NSB" cat /proc/net/mrc_snmp >"$WORK/$name.rx1"
	$IP netns exec "$NSA" cat /proc/net/mrc_snmp >"$WORK/$name.tx1"
	if [[ -n $rec ]]; then
		wait "$rec"
		# Who ran (threads), what ran (flat), and what each entry point
		# costs with its callees (inclusive): enough to account for a
		# packet's stages. Then the call chains that end spinning on a
		# mutex: which lock the CPUs wait for.
		{
			awk 'NR == 1 { b = $1; i = $2 + $3 } NR == 2 { b = $1 - b; i = $2 + $3 - i }
			     END { printf "busy by /proc/stat: %.0f%% (the idle share perf shows below is wrong in a TCG guest)\n", 100 * b / (b + i) }' \
				"$WORK/$name.cpu"
			perf report -i "$WORK/$name.data" --stdio --sort comm -g none
			perf report -i "$WORK/$name.data" --stdio --no-children --percent-limit 0.3 --sort dso,symbol -g none
			perf report -i "$WORK/$name.data" --stdio --children --percent-limit 1.5 --sort symbol -g none
			echo "--- call chains into mutex_spin_on_owner"
			perf report -i "$WORK/$name.data" --stdio --no-children --sort symbol \
				--symbols mutex_spin_on_owner -g caller,2,callee --percent-limit 0.5
		} 2>/dev/null | grep -v '^#' | grep -v '^$' | sed 's/ *$//' >"$OUT/$prof"
	fi
	((rc == 0)) || { touch "$WORK/$name.failed"; sed "s/^/bench-cpu: $name: /" "$WORK/$name"-*.err; }
	return $rc
}

# The spinners' loops in the quiet guest, before any run.
[[ -z ${BENCH_IDLE_CHECK:-} ]] || "$PERF" idle --seconds "$SECONDS_PER_RUN" >"$WORK/quiet.idle" || exit 1

for mtu in $MTUS; do
	$IP -n "$NSA" link set veth0 mtu "$mtu"
	$IP -n "$NSB" link set veth0 mtu "$mtu"
	$IP netns exec "$NSB" "$PERF" server --proto tcp --port 5301 >/dev/null 2>&1 &
	$IP netns exec "$NSB" "$PERF" server --proto mptcp --port 5302 >/dev/null 2>&1 &
	$IP netns exec "$NSB" "$PERF" server --proto mrc --port 5303 >/dev/null 2>&1 &
	sleep 1
	echo "bench-cpu: MTU $mtu, ${SECONDS_PER_RUN}s per run"
	for n in $CONNS; do
		run "tcp_${mtu}_$n" tcp 5301 "$n" || echo "bench-cpu: tcp_${mtu}_$n failed"
		run "mrc_${mtu}_$n" mrc 5303 "$n" || echo "bench-cpu: mrc_${mtu}_$n failed"
	done
	run "mptcp_${mtu}_1" mptcp 5302 1 || echo "bench-cpu: mptcp_${mtu}_1 failed"
	# One MRC connection whose sender sprays every packet on its own
	# (net.mrc.burst=1 on the client's side: the data goes from A to B),
	# each packet one datagram through the receiver's encap_rcv
	# (net.mrc.udp_gro=0 on both ends: B's data and A's SACKs).
	burst=$($IP netns exec "$NSA" cat /proc/sys/net/mrc/burst)
	gro=$($IP netns exec "$NSB" cat /proc/sys/net/mrc/udp_gro)
	$IP netns exec "$NSA" sh -c "echo 1 >/proc/sys/net/mrc/burst"
	for ns in "$NSA" "$NSB"; do $IP netns exec "$ns" sh -c "echo 0 >/proc/sys/net/mrc/udp_gro"; done
	run "mrcpkt_${mtu}_1" mrc 5303 1 || echo "bench-cpu: mrcpkt_${mtu}_1 failed"
	$IP netns exec "$NSA" sh -c "echo $burst >/proc/sys/net/mrc/burst"
	for ns in "$NSA" "$NSB"; do $IP netns exec "$ns" sh -c "echo $gro >/proc/sys/net/mrc/udp_gro"; done
	if [[ -n ${BENCH_PROFILE:-} && " ${BENCH_PROFILE_MTUS:-1500} " == *" $mtu "* ]]; then
		run "profile_mrc" mrc 5303 1 "profile-mrc-$mtu.txt" || true
		run "profile_mrc4" mrc 5303 4 "profile-mrc4-$mtu.txt" || true
		run "profile_tcp" tcp 5301 1 "profile-tcp-$mtu.txt" || true
	fi
	pkill -f "$PERF server"
	sleep 1
done

/usr/bin/python3 - "$WORK" "$OUT/bench_cpu.json" "$SECONDS_PER_RUN" "$MTUS" "$CONNS" <<'PY'
import glob, json, os, sys
work, out, secs, mtus, conns = sys.argv[1:]
res = {"seconds": int(secs), "runs": {}}
def spun(name):
    """The spinners' loops of `mrcperf idle` over one run, all CPUs."""
    try:
        return sum(json.load(open(f"{work}/{name}.idle"))["loops"])
    except (OSError, ValueError, KeyError):
        return None
quiet = spun("quiet")
MRC_FIELDS = ["retransmitted_packets", "credit_probes", "srtt_us", "cwnd", "rack_losses",
              "timeout_losses", "ecn_echoes", "receiver_mrc_snmp", "sender_mrc_snmp"]
for mtu in mtus.split():
    for proto in ["tcp", "mptcp", "mrc", "mrcpkt"]:
        for n in conns.split():
            name = f"{proto}_{mtu}_{n}"
            files = sorted(glob.glob(f"{work}/{name}-*.json"))
            if not files and not os.path.exists(f"{work}/{name}.cpu"):
                continue
            clients = [json.load(open(f)) for f in files]
            # Busy, idle, nice and user ticks before and after the run.
            cpu = [[int(x) for x in l.split()] for l in open(f"{work}/{name}.cpu") if l.strip()]
            busy = cpu[1][0] - cpu[0][0] if len(cpu) == 2 else None
            kernel = busy - (cpu[1][3] - cpu[0][3]) if busy is not None else None
            spins = spun(name)
            # The spinners' time (nice) is neither the run's nor idle: the
            # run left it idle.
            idle = cpu[1][1] - cpu[0][1] + cpu[1][2] - cpu[0][2] if len(cpu) == 2 else None
            delivered = sum(c["bytes_received"] for c in clients)
            # An MRC run's figures: each client's last MRC_INFO, and the
            # /proc/net/mrc_snmp counters that moved at each end.
            infos = [((c.get("mrc") or {}).get("last_sample") or {}).get("info") or {} for c in clients]
            def moved(side):
                snmp = [dict((l.split()[0], int(l.split()[1])) for l in open(f"{work}/{name}.{side}{i}") if l.strip())
                        for i in (0, 1)]
                return {k: v - snmp[0].get(k, 0) for k, v in snmp[1].items() if v != snmp[0].get(k, 0)}
            total = lambda key: sum(i.get(key, 0) for i in infos)
            most = lambda key: max((i.get(key, 0) for i in infos), default=0)
            mrc = {
                "retransmitted_packets": total("packets_retrans"),
                "credit_probes": total("credit_probes"),
                "srtt_us": most("srtt_us"),
                "cwnd": most("cwnd"),
                "rack_losses": total("rack_losses"),
                "timeout_losses": total("timeout_losses"),
                "ecn_echoes": total("ecn_echoes"),
                "receiver_mrc_snmp": moved("rx"),
                "sender_mrc_snmp": moved("tx"),
            } if proto.startswith("mrc") else dict.fromkeys(MRC_FIELDS)
            res["runs"][name] = {
                "proto": proto, "mtu": int(mtu), "connections": int(n),
                "goodput_bps": sum(c["goodput_bps"] for c in clients),
                "bytes": delivered,
                "cpu_seconds_per_gb": busy / 100 / (delivered / 1e9) if delivered and busy is not None else None,
                # The kernel's part of it (system, irq, softirq): the
                # transport without mrcperf's own work on the bytes.
                "kernel_cpu_seconds_per_gb": kernel / 100 / (delivered / 1e9) if delivered and kernel is not None else None,
                # The share of the guest's CPU time that was busy: near 1,
                # the run was CPU-bound; well below, it waited on something.
                "cpu_busy_share": busy / (busy + idle) if busy is not None and busy + idle > 0 else None,
                # The same share by the spinners (BENCH_IDLE_CHECK): what
                # they could not spin of the quiet guest's loops.
                "spinner_busy_share": 1 - spins / quiet if quiet and spins is not None else None,
                **mrc,
                "intact": len(clients) == int(n) and all(c["intact"] for c in clients) and not os.path.exists(f"{work}/{name}.failed"),
            }
# The ratios the performance issue asks for, each within this run.
ratios = {}
for mtu in mtus.split():
    r = res["runs"]
    t1, m1 = r.get(f"tcp_{mtu}_1"), r.get(f"mrc_{mtu}_1")
    if t1 and m1 and t1["goodput_bps"] and t1["cpu_seconds_per_gb"] and m1["cpu_seconds_per_gb"]:
        ratios[f"mrc_vs_tcp_goodput_{mtu}"] = m1["goodput_bps"] / t1["goodput_bps"]
        ratios[f"mrc_vs_tcp_cpu_per_gb_{mtu}"] = m1["cpu_seconds_per_gb"] / t1["cpu_seconds_per_gb"]
        if t1["kernel_cpu_seconds_per_gb"]:
            ratios[f"mrc_vs_tcp_kernel_cpu_per_gb_{mtu}"] = m1["kernel_cpu_seconds_per_gb"] / t1["kernel_cpu_seconds_per_gb"]
    p1 = r.get(f"mrcpkt_{mtu}_1")
    if t1 and p1 and t1["goodput_bps"] and t1["cpu_seconds_per_gb"] and p1["cpu_seconds_per_gb"]:
        ratios[f"mrc_per_packet_vs_tcp_goodput_{mtu}"] = p1["goodput_bps"] / t1["goodput_bps"]
        ratios[f"mrc_per_packet_vs_tcp_cpu_per_gb_{mtu}"] = p1["cpu_seconds_per_gb"] / t1["cpu_seconds_per_gb"]
    m4 = r.get(f"mrc_{mtu}_4")
    if m1 and m4 and m1["goodput_bps"]:
        ratios[f"mrc_4_vs_1_goodput_{mtu}"] = m4["goodput_bps"] / m1["goodput_bps"]
res["ratios"] = ratios
json.dump(res, open(out, "w"), indent=1)

print(f"\nunshaped veth, {secs} s per run; MRC messages of mrcperf's default sizes (1 B to 1 MiB)")
print(f"{'run':<18}{'conns':>6}{'Mbit/s':>10}{'CPU s/GB':>10}{'kernel s/GB':>12}{'busy':>6}{'spin':>6}{'retrans':>9}{'probes':>8}{'srtt us':>9}{'ECN echo':>9}{'intact':>8}")
for name, x in res["runs"].items():
    cpu = "-" if x["cpu_seconds_per_gb"] is None else f"{x['cpu_seconds_per_gb']:.1f}"
    kern = "-" if x["kernel_cpu_seconds_per_gb"] is None else f"{x['kernel_cpu_seconds_per_gb']:.1f}"
    share = "-" if x["cpu_busy_share"] is None else f"{100 * x['cpu_busy_share']:.0f}%"
    spin = "-" if x["spinner_busy_share"] is None else f"{100 * x['spinner_busy_share']:.0f}%"
    rt = "-" if x["retransmitted_packets"] is None else str(x["retransmitted_packets"])
    probes = "-" if x["credit_probes"] is None else str(x["credit_probes"])
    srtt = "-" if x["srtt_us"] is None else str(x["srtt_us"])
    ecn = "-" if x["ecn_echoes"] is None else str(x["ecn_echoes"])
    print(f"{name:<18}{x['connections']:>6}{x['goodput_bps']/1e6:>10.1f}{cpu:>10}{kern:>12}{share:>6}{spin:>6}{rt:>9}{probes:>8}{srtt:>9}{ecn:>9}{str(x['intact']):>8}")
for k, v in ratios.items():
    print(f"{k}: {v:.2f}")
for name, x in res["runs"].items():
    for side in ("sender", "receiver"):
        drops = {k: v for k, v in (x[f"{side}_mrc_snmp"] or {}).items()
                 if k not in ("MrcInDatagrams", "MrcOutPackets", "MrcRxMemBytes", "MrcPassiveOpens", "MrcActiveOpens")}
        if drops:
            print(f"{name}: {side}'s MRC counters: " + " ".join(f"{k}={v}" for k, v in drops.items()))
bad = [n for n, x in res["runs"].items() if not x["intact"]]
if bad:
    print("bench-cpu: failed or damaged:", " ".join(bad))
sys.exit(1 if bad else 0)
PY
