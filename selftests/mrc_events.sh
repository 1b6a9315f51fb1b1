#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The events group: `mrcctl monitor` in namespace A while an MRC transfer
# from A to B over a veth pair loses every packet for a second (netem loss
# 100%): the connection's EVs go ASSUMED_BAD, then GOOD again once probes
# get through, and each change reaches the monitor as an event of that
# connection (with a count of those lost on the way, if any); the
# transfer ends intact.
. "$(dirname "$0")/lib.sh"

PERF=${MRC_PERF:-$MRC_REPO/target/release/mrcperf}
CTL=${MRC_CTL:-$MRC_REPO/target/release/mrcctl}
A=mrc-eva-$$ B=mrc-evb-$$
netns="$A $B"
ADDR_A=fd00:6d72:66::1 ADDR_B=fd00:6d72:66::2
PORT=7100
WORK=$(mktemp -d)
trap cleanup EXIT

ksft_begin
mrc_load || skip_all "mrc.ko does not load"
[[ -x $PERF ]] || skip_all "$PERF missing (cargo build --release -p mrcperf)"
[[ -x $CTL ]] || skip_all "$CTL missing (cargo build --release -p mrcctl)"

ip netns add "$A" && ip netns add "$B" &&
	ip link add mrc-eva netns "$A" type veth peer mrc-evb netns "$B" &&
	ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
	ip -n "$A" addr add "$ADDR_A/64" dev mrc-eva nodad &&
	ip -n "$B" addr add "$ADDR_B/64" dev mrc-evb nodad &&
	ip -n "$A" link set mrc-eva up && ip -n "$B" link set mrc-evb up
check "two namespaces joined by veth" test $? -eq 0

ip netns exec "$B" "$PERF" server --proto mrc --port "$PORT" >"$WORK/srv.out" 2>"$WORK/srv.err" &
pids+=" $!"
wait_until 60 grep -q listening "$WORK/srv.err"
check "mrcperf server listens" grep -q listening "$WORK/srv.err"

ip netns exec "$A" "$CTL" -j monitor >"$WORK/a.json" 2>"$WORK/a.err" &
mon_a=$!
pids+=" $mon_a"
sleep 1

# Six seconds of data (on the debug kernel, whose 0.2 to 2 Mbit/s could
# take minutes to drain what six seconds of writes buffer: 2 MiB); from
# the second, every packet A sends is lost for one.
if [[ ${MRC_VARIANT:-} == debug ]]; then amount=(--bytes 2097152); else amount=(--seconds 6); fi
ip netns exec "$A" timeout 300 "$PERF" client --proto mrc --connect "$ADDR_B" --port "$PORT" \
	"${amount[@]}" --seed 7 -q --json "$WORK/client.json" >"$WORK/client.out" 2>&1 &
client=$!
pids+=" $client"
sleep 2
kill -0 "$client" 2>/dev/null || echo "# the transfer ended before the blackhole"
ip netns exec "$A" tc qdisc add dev mrc-eva root netem loss 100%
sleep 1
ip netns exec "$A" tc qdisc del dev mrc-eva root
if wait "$client"; then ksft_ok "the transfer survives the blackhole"; else
	ksft_fail "the transfer survives the blackhole"; sed 's/^/#   /' "$WORK/client.out" | head -5; fi
# Probes bring the EVs back; give the events time to arrive.
wait_until 30 grep -q '"new_state":"good"' "$WORK/a.json"
kill "$mon_a" 2>/dev/null
[[ -s $WORK/a.err ]] && sed 's/^/# monitor: /' "$WORK/a.err" | head -5

# Judge the events (python prints "ok - NAME" per check, counted here).
judge() {
	python3 - "$WORK/a.json" <<'EOF'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
bad = [e for e in events if e["new_state"] == "assumed-bad"]
good = [e for e in events if e["new_state"] == "good"]
conns = {e["conn"] for e in events}
dropped = sum(e["dropped"] for e in events)
print(f"# {len(events)} events: {len(bad)} assumed-bad, {len(good)} good, "
      f"{dropped} dropped, connections {sorted(conns)}")
ok = lambda c, name: print(f"{'' if c else 'not '}ok - {name}")
ok(bad, "events: EVs of A's connection went ASSUMED_BAD")
ok(good, "events: and back to GOOD")
ok(all(e["old_state"] == "good" for e in bad) and all(e["old_state"] == "assumed-bad" for e in good),
   "events: old and new states pair up")
ok(len(conns) == 1 and all(e["ev_profile_id"] == 0 for e in events), "events: one connection, the built-in profile")
ok(all(0 <= e["index"] < 256 for e in events), "events: EV indexes within the connection")
EOF
}
verdicts=$(judge 2>&1)
rc=$?
while read -r line; do
	case $line in
	"ok - "*) ksft_ok "${line#ok - }" ;;
	"not ok - "*) ksft_fail "${line#not ok - }" ;;
	"#"*) echo "$line" ;;
	*) echo "# $line" ;;
	esac
done <<<"$verdicts"
# A judge that died (the monitor's output did not parse) judged nothing.
((rc == 0)) || ksft_fail "events: the monitor's JSON judged to the end (python exit $rc)"
ksft_end
