#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# AF_MRC moving data over the leaf/spine fabric (topology.sh, K = 4 spines),
# with `mrcperf --proto mrc`: messages of mixed sizes (1 byte to 1 MiB,
# seeded), every byte and every message boundary checked by the receiver
# of each direction.
#
#  (a) UDP/STEV entropy (the AUTO profile's EVs, ECMP-hashed by the
#      leaves): SIZE each way at once, intact; every spine carried some.
#      Again with the client spraying packet by packet (net.mrc.burst=1)
#      and the server at the default net.mrc.burst (bursts, each one UDP
#      GSO batch, where its windows release enough at once): intact.
#  (b) SRv6: MRC_SRV6_PATHS = the K containers toward B on the client, the
#      K containers toward A on the server's listener: SIZE each way, intact.
#  (c) Spraying: one way, SRv6; each spine's packets toward B within
#      +-20% of the mean.
#  (d) A spine blackholed (netem loss 100%, both directions) in the middle
#      of a timed SRv6 transfer, then restored: the transfer completes
#      intact, data kept flowing during the blackhole, MRC_PATH_INFO
#      showed that spine's EVs (EV i goes via container i mod K) all
#      ASSUMED_BAD during it, all at once (one container, one route), and
#      every EV active again after the restore (GOOD, or SKIP: an ECN mark
#      on one of the last packets skips the EV's next turn, which an idle
#      connection never takes).
#  (e) 1% loss and 1% reordering on every leaf-spine link: SIZE each way,
#      intact.
#  (f) The controller (mrcctl): an explicit SRv6 EV profile, one EV per
#      spine, named by the connection (MRC_EV_PROFILE); a denied EV's spine
#      carries nothing; with one spine failed toward B, the monitor reports
#      its EV ASSUMED_BAD and `mrcctl probe` times out on that EV alone.
#
# SIZE is 64 MiB on the release kernel and 1 MiB on the debug kernel
# (MRC_TRANSFER_MIB overrides), which also skips (c) and (e) to keep its
# time for integrity and failure; links are shaped to MRC_TRANSFER_RATE
# (100mbit), enough that the emulated CPUs, not the links, limit a TCG run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"

K=4
PY=/usr/bin/python3
PERF=${MRC_PERF:-$MRC_REPO/target/release/mrcperf}
CTL=${MRC_CTL:-$MRC_REPO/target/release/mrcctl}
RATE=${MRC_TRANSFER_RATE:-100mbit}
# The debug kernel (KASAN, lockdep under TCG) runs an order of magnitude
# slower: less data, more time; the checks are the same.
if [[ ${MRC_VARIANT:-} == debug ]]; then
	MIB=${MRC_TRANSFER_MIB:-1} TMO=${MRC_TRANSFER_TIMEOUT:-600}
else
	MIB=${MRC_TRANSFER_MIB:-64} TMO=${MRC_TRANSFER_TIMEOUT:-150}
fi
SIZE=$((MIB << 20))
BH_SPINE=2
BH_SECONDS=5
# (d) sends for 20 s on the release kernel. The debug kernel moves 0.2 to
# 2 Mbit/s, so what 20 s of writes leave in the send buffer (8 MiB) could
# take longer to drain than the client waits for its report: it sends four
# times SIZE, which outlasts the blackhole at its fastest.
if [[ ${MRC_VARIANT:-} == debug ]]; then
	BH_AMOUNT=(--bytes $((4 * SIZE)))
else
	BH_AMOUNT=(--seconds 20)
fi
F_SECONDS=40
[[ ${MRC_VARIANT:-} == debug ]] && F_SECONDS=240
PORT_STEV=7000 PORT_SRV6=7001
WORK=$(mktemp -d)
trap cleanup EXIT

ksft_begin
for t in "$IP" "$TC" "$PY"; do [[ -x $t ]] || skip_all "$t missing"; done
[[ -x $PERF ]] || skip_all "$PERF missing (cargo build --release -p mrcperf)"
[[ -x $CTL ]] || skip_all "$CTL missing (cargo build --release -p mrcctl)"
mrc_load || skip_all "mrc.ko does not load"

# Verdicts on mrcperf's JSON report, the spine counters and the path
# snapshots (--path-info-json).
cat >"$WORK/judge.py" <<'PY'
import json, sys

def report(path):
    return json.load(open(path))

def counters(path):
    return {l.split()[0]: [int(x) for x in l.split()[1:]] for l in open(path) if l.strip()}

cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "intact":
    # intact REPORT SIZE BIDIR: intact, SIZE bytes each way.
    r, size, bidir = report(args[0]), int(args[1]), args[2] == "1"
    m = r["mrc"]
    rev = m["reverse"]
    print(f"forward {r['bytes_received']} B in {m['messages_received']} messages, "
          f"{r['goodput_bps'] / 1e6:.1f} Mbit/s"
          + (f"; reverse {rev['bytes_received']} B, {rev['goodput_bps'] / 1e6:.1f} Mbit/s" if rev else "")
          + f"; {m['last_sample'] and m['last_sample'].get('info', {}).get('packets_retrans')} retransmitted")
    ok = r["intact"] and r["bytes_received"] == size and m["forward_intact"]
    if bidir:
        ok = ok and rev is not None and rev["intact"] and rev["bytes_received"] == size
    sys.exit(0 if ok else 1)
elif cmd == "spread":
    # spread BEFORE AFTER COLUMN TOL_PERCENT [MIN_SHARE_PERCENT]: per-spine
    # packet deltas of COLUMN (1 toward B, 2 toward A) within TOL% of the
    # mean; with MIN_SHARE, only: each spine carried at least MIN_SHARE%.
    b, a, col, tol = counters(args[0]), counters(args[1]), int(args[2]), float(args[3])
    d = {s: a[s][col - 1] - b[s][col - 1] for s in sorted(a)}
    total = sum(d.values())
    mean = total / len(d)
    print("packets per spine:", " ".join(f"{s}={v}" for s, v in d.items()), f"(mean {mean:.0f})")
    if total == 0:
        sys.exit(1)
    if len(args) > 4:
        sys.exit(0 if all(v * 100 >= total * float(args[4]) for v in d.values()) else 1)
    sys.exit(0 if all(abs(v - mean) <= mean * tol / 100 for v in d.values()) else 1)
elif cmd == "denied":
    # denied BEFORE AFTER SPINE: SPINE's packets toward B did not grow
    # (within 1% of the total), the others' did.
    b, a, spine = counters(args[0]), counters(args[1]), f"s{args[2]}"
    d = {s: a[s][0] - b[s][0] for s in sorted(a)}
    total = sum(d.values())
    print("packets toward B per spine:", " ".join(f"{s}={v}" for s, v in d.items()))
    sys.exit(0 if total > 0 and d[spine] * 100 <= total else 1)
elif cmd == "probe":
    # probe JSON DEAD: EV DEAD timed out, every other EV has an RTT.
    dead = int(args[1])
    try:
        p = json.load(open(args[0]))
    except ValueError:
        print(open(args[0]).read()[:300])
        sys.exit(1)
    res = p["results"]
    print(" ".join(f"ev{r['index']}=" + (f"{r['rtt_ns'] / 1000:.0f}us" if "rtt_ns" in r else "timeout")
                   for r in res))
    ok = res and all(r["timed_out"] == (r["index"] == dead) for r in res)
    sys.exit(0 if ok else 1)
elif cmd == "event":
    # event JSON PROFILE INDEX: an ASSUMED_BAD event of EV INDEX of a
    # connection on EV profile PROFILE.
    prof, index = int(args[1]), int(args[2])
    ev = [json.loads(l) for l in open(args[0]) if l.strip()]
    hit = [e for e in ev if e["ev_profile_id"] == prof and e["index"] == index
           and e["new_state"] == "assumed-bad"]
    print(f"{len(ev)} events, {len(hit)} of EV {index} going ASSUMED_BAD on profile {prof}")
    sys.exit(0 if hit else 1)
elif cmd == "blackhole":
    # blackhole SNAPSHOTS K SPINE FAULT_EPOCH RESTORE_EPOCH WHAT: WHAT is
    # bad (every EV of SPINE ASSUMED_BAD in some snapshot during the
    # blackhole, and all of them already in the first snapshot showing any:
    # they share the container's route, so they fail together), flow (bytes acked grew during it) or active (the last
    # snapshot, after the restore, has every EV active: GOOD, or SKIP, which an ECN mark on
    # one of the last packets leaves on an EV of an idle connection, whose turn never comes).
    k, spine, t0, t1, what = int(args[1]), int(args[2]), float(args[3]), float(args[4]), args[5]
    samples = [json.loads(l) for l in open(args[0]) if l.strip()]
    samples = [s for s in samples if "paths" in s and "info" in s]
    during = [s for s in samples if t0 <= s["epoch"] <= t1]
    mine = lambda s: [p for p in s["paths"] if p["ev"] % k == spine - 1]
    if not samples:
        print("no snapshots with path info")
        sys.exit(1)
    if what == "bad":
        nbad = lambda s: sum(p["state"] == "ASSUMED_BAD" for p in mine(s))
        bad = [s for s in during if mine(s) and nbad(s) == len(mine(s))]
        seen = sorted({p["state"] for s in during for p in mine(s)})
        first = next((s for s in during if nbad(s)), None)
        print(f"{len(during)} snapshots during the blackhole, {len(bad)} with spine {spine}'s "
              f"{len(mine(samples[-1]))} EVs all ASSUMED_BAD (states seen: {' '.join(seen)})"
              + (f"; first at +{bad[0]['epoch'] - t0:.2f} s" if bad else "")
              + (f"; the first snapshot with any had {nbad(first)}" if first else ""))
        sys.exit(0 if bad and nbad(first) == len(mine(first)) else 1)
    if what == "flow":
        acked = [s["info"]["bytes_acked"] for s in during]
        grew = acked[-1] - acked[0] if len(acked) > 1 else 0
        print(f"{grew} bytes acked during the blackhole's {t1 - t0:.1f} s")
        sys.exit(0 if grew > 0 else 1)
    if what == "active":
        last = samples[-1]
        after = [s for s in samples if s["epoch"] > t1]
        active = lambda s: all(p["state"] in ("GOOD", "SKIP") for p in s["paths"])
        first = next((s for s in after if active(s)), None)
        print(f"last snapshot at +{last['epoch'] - t1:.2f} s after the restore: "
              + " ".join(p["state"] for p in last["paths"])
              + (f"; all active from +{first['epoch'] - t1:.2f} s" if first else ""))
        ok = last["epoch"] > t1 and last["paths"] and active(last)
        sys.exit(0 if ok else 1)
sys.exit(2)
PY
judge() { "$PY" "$WORK/judge.py" "$@"; }

# A check whose judge's output is shown as a comment even when it passes.
verdict() {
	local name=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	printf '#   %s\n' "$out" | head -5
	if ((rc == 0)); then ksft_ok "$name"; else ksft_fail "$name"; fi
}

# completed RC NAME RUN: a timed client run (its output RUN.out, report
# RUN.json) exited with RC: it completed, and all it sent arrived intact.
completed() {
	local rc=$1 name=$2 json=$WORK/$3.json
	sed 's/^/#   /' "$WORK/$3.out" | head -6
	if ((rc == 0)); then
		verdict "$name completed intact" judge intact "$json" \
			"$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_sent"])' "$json")" 0
	else
		ksft_fail "$name: the client failed (exit $rc)"
	fi
}

topo_up_checked $K "$RATE"
NSA=$(topo_ns ha) NSB=$(topo_ns hb)
topo_srv6_paths

start_server() {
	local port=$1; shift
	"$IP" netns exec "$NSB" "$PERF" server --proto mrc --port "$port" "$@" \
		>"$WORK/srv-$port.out" 2>"$WORK/srv-$port.err" &
	pids+=" $!"
	wait_until 60 grep -q listening "$WORK/srv-$port.err"
}
if start_server $PORT_STEV && start_server $PORT_SRV6 --srv6 "$SRV6_A"; then
	ksft_ok "mrcperf servers on host B: MRC port $PORT_STEV (STEV), $PORT_SRV6 (SRv6 via $SRV6_A)"
else
	ksft_fail "mrcperf servers on host B"
	cat "$WORK"/srv-*.err | sed 's/^/#   /' | head -5
	ksft_end
fi

# client NAME PORT ARGS...: mrcperf client on host A; report in NAME.json,
# spine counters in NAME.before / NAME.after.
client() {
	local name=$1 port=$2; shift 2
	topo_spine_counters >"$WORK/$name.before"
	"$IP" netns exec "$NSA" timeout "$TMO" "$PERF" client --proto mrc --connect "$TOPO_HB" \
		--port "$port" -q --json "$WORK/$name.json" "$@" >"$WORK/$name.out" 2>&1
	local rc=$?
	topo_spine_counters >"$WORK/$name.after"
	sed 's/^/#   /' "$WORK/$name.out" | head -6
	return $rc
}

# ---------------------------------------------------------------- (a)
client stev $PORT_STEV --bytes $SIZE --bidir --seed 1
verdict "(a) STEV: $MIB MiB each way, mixed message sizes, intact" judge intact "$WORK/stev.json" $SIZE 1
verdict "(a) STEV: the EVs' entropy spread packets over every spine" \
	judge spread "$WORK/stev.before" "$WORK/stev.after" 1 0 5

# The client's new sockets spray packet by packet; the server's keep the
# default bursts of up to 8 (its listener was made before).
burst=$("$IP" netns exec "$NSA" cat /proc/sys/net/mrc/burst)
"$IP" netns exec "$NSA" sh -c 'echo 1 >/proc/sys/net/mrc/burst'
client burst $PORT_STEV --bytes $SIZE --bidir --seed 5
"$IP" netns exec "$NSA" sh -c "echo $burst >/proc/sys/net/mrc/burst"
verdict "(a) STEV, client per packet (net.mrc.burst=1), server at the default burst: $MIB MiB each way, intact" \
	judge intact "$WORK/burst.json" $SIZE 1

# ---------------------------------------------------------------- (b)
client srv6 $PORT_SRV6 --bytes $SIZE --bidir --seed 2 --srv6 "$SRV6_B"
verdict "(b) SRv6 (MRC_SRV6_PATHS, $K containers each side): $MIB MiB each way, intact" \
	judge intact "$WORK/srv6.json" $SIZE 1

# ---------------------------------------------------------------- (c)
if [[ ${MRC_VARIANT:-} == debug ]]; then
	# Spraying is the fabric's and the core's behaviour, the same on both
	# kernels; the debug kernel's time goes to integrity and failure.
	ksft_skip "(c) SRv6 spraying (release kernel only)"
else
	client spray $PORT_SRV6 --bytes $SIZE --seed 3 --srv6 "$SRV6_B"
	verdict "(c) SRv6 one way: $MIB MiB intact" judge intact "$WORK/spray.json" $SIZE 0
	verdict "(c) SRv6 spraying: each spine's packets toward B within 20% of the mean" \
		judge spread "$WORK/spray.before" "$WORK/spray.after" 1 20
fi

# ---------------------------------------------------------------- (d)
PI=$WORK/paths.jsonl
"$IP" netns exec "$NSA" timeout "$TMO" "$PERF" client --proto mrc --connect "$TOPO_HB" \
	--port $PORT_SRV6 --srv6 "$SRV6_B" "${BH_AMOUNT[@]}" --seed 4 -q \
	--path-info-json "$PI" --path-info-ms 100 --linger-active 30 \
	--json "$WORK/bh.json" >"$WORK/bh.out" 2>&1 &
cpid=$!
# Fault once data flows (connection set-up under TCG takes a while).
wait_until 60 grep -q '"bytes_acked":[1-9]' "$PI"
sleep 2
topo_blackhole $BH_SPINE
t_fault=$TOPO_FAULT_FIRST
sleep $BH_SECONDS
t_restore=$EPOCHREALTIME
topo_restore $BH_SPINE
wait $cpid
completed $? "(d) spine $BH_SPINE blackholed for ${BH_SECONDS}s mid-transfer: the transfer" bh
verdict "(d) data kept flowing over the other spines during the blackhole" \
	judge blackhole "$PI" $K $BH_SPINE "$t_fault" "$t_restore" flow
verdict "(d) MRC_PATH_INFO: spine $BH_SPINE's EVs ASSUMED_BAD during the blackhole, all at once" \
	judge blackhole "$PI" $K $BH_SPINE "$t_fault" "$t_restore" bad
verdict "(d) MRC_PATH_INFO: every EV active again after the restore (GOOD, or SKIP after an ECN mark)" \
	judge blackhole "$PI" $K $BH_SPINE "$t_fault" "$t_restore" active

# ---------------------------------------------------------------- (e)
if [[ ${MRC_VARIANT:-} == debug ]]; then
	ksft_skip "(e) 1% loss and reordering (release kernel only)"
elif topo_impair 1 1; then
	client lossy $PORT_STEV --bytes $SIZE --bidir --seed 5
	verdict "(e) 1% loss and 1% reordering on every link: $MIB MiB each way, intact" \
		judge intact "$WORK/lossy.json" $SIZE 1
	topo_impair 0
else
	ksft_fail "(e) topo_impair 1 1"
fi

# ---------------------------------------------------------------- (f)
# The controller, mrcctl in host A's namespace: an SRv6 format and an
# explicit EV profile whose EV i goes via spine i+1 toward B; a connection
# on it; EV 1 denied while it runs (spine 2 carries nothing toward B), then
# allowed; spine 3 failed toward B: the monitor gets EV 2's ASSUMED_BAD and
# a probe of every EV times out on EV 2 alone (replies come back over any
# spine: only the A->B direction fails). The transfer outlasts all of it
# (the steps' commands are slow under TCG, slower on the debug kernel);
# 512 KiB send buffers keep what its writes leave to drain short.
actl() { "$IP" netns exec "$NSA" "$CTL" "$@"; }
evs=()
for ((i = 1; i <= K; i++)); do evs+=(ev "$i"); done
actl ev-fmt add 1 mode srv6 widths 32,16,16,16,16,16,16 &&
	actl ev-fmt set 1 state offline && actl ev-fmt set 1 state online &&
	actl ev-profile add 2 mode explicit fmt 1 count $K events assumed-bad,good \
		field width=32,init=0xfcbb0000 field width=16,init=0x10,mask=0xf \
		field width=16,init=0xb0 field width=16,init=0xb1 "${evs[@]}" &&
	actl ev-profile set 2 state offline && actl ev-profile set 2 state online
check "(f) mrcctl: an SRv6 format and an explicit EV profile, EV i via spine i+1" test $? -eq 0
"$IP" netns exec "$NSA" sysctl -qw net.mrc.wmem_default=524288
"$IP" netns exec "$NSA" "$CTL" -j monitor >"$WORK/ctl-events.json" 2>/dev/null &
mon=$!
PI=$WORK/ctl-paths.jsonl
"$IP" netns exec "$NSA" timeout "$TMO" "$PERF" client --proto mrc --connect "$TOPO_HB" \
	--port $PORT_SRV6 --ev-profile 2 --seconds "$F_SECONDS" --until-signal --seed 6 -q \
	--path-info-json "$PI" --path-info-ms 200 --json "$WORK/ctl.json" >"$WORK/ctl.out" 2>&1 &
cpid=$!
wait_until 60 grep -q '"bytes_acked":[1-9]' "$PI"
actl ev set 2 1 state denied
sleep 0.5
topo_spine_counters >"$WORK/deny.before"
sleep 2
topo_spine_counters >"$WORK/deny.after"
actl ev set 2 1 state good
verdict "(f) EV 1 denied: spine 2 carries nothing toward B, the other spines all of it" \
	judge denied "$WORK/deny.before" "$WORK/deny.after" 2
topo_blackhole 3 toward-b
sleep 2
actl -j probe "$TOPO_HB" ev-profile 2 timeout 1000 >"$WORK/probe.json" 2>&1
check "(f) the transfer still ran through the failure" kill -0 $cpid
topo_restore 3
verdict "(f) mrcctl probe during the failure: EV 2 times out, the others answer" \
	judge probe "$WORK/probe.json" 2
# Every step is done: SIGUSR1 ends the stream now rather than at
# F_SECONDS (mrcperf under timeout, whose child it is).
pkill -USR1 -P $cpid || true
wait $cpid
completed $? "(f) the transfer on the profile" ctl
kill $mon 2>/dev/null
wait $mon 2>/dev/null
verdict "(f) mrcctl monitor: EV 2 of the connection on profile 2 went ASSUMED_BAD" \
	judge event "$WORK/ctl-events.json" 2 2

for p in $pids; do
	check "mrcperf server (pid $p) still running" kill -0 "$p"
done
ksft_end
