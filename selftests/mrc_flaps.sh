#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Path flaps during a transfer: one AF_MRC connection sprayed over the K = 4
# spines of the fabric (topology.sh) by SRv6, while spine 2 stops and
# resumes forwarding (topology.sh's fast fault, both directions, silent)
# FLAPS times, every PERIOD ms (half of it down). The transfer must go on
# through every flap and end intact: every byte and every message boundary
# checked by the receiver, nothing lost or duplicated (mrcperf verifies the
# seeded pattern, the message sizes and their order).
#
# MRC_FLAPS sets the number (60; `make soak` runs 1000), MRC_FLAP_MS the
# period (300). Release kernel only in `make test` (run.sh's RELEASE_ONLY):
# the debug kernel's share of CI time goes to the attacks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"

K=4
PY=/usr/bin/python3
PERF=${MRC_PERF:-$MRC_REPO/target/release/mrcperf}
RATE=${MRC_FLAP_RATE:-100mbit}
SPINE=2
PERIOD_MS=${MRC_FLAP_MS:-300}
FLAPS=${MRC_FLAPS:-60}
PORT=7100
WORK=$(mktemp -d)
trap cleanup EXIT

ksft_begin
for t in "$IP" "$PY"; do [[ -x $t ]] || skip_all "$t missing"; done
[[ -x $PERF ]] || skip_all "$PERF missing (cargo build --release -p mrcperf)"
mrc_load || skip_all "mrc.ko does not load"

topo_up_checked $K "$RATE"
NSA=$(topo_ns ha) NSB=$(topo_ns hb)
topo_srv6_paths
# Not through `check`: its subshell would lose the writer's descriptor.
if topo_fault_arm $SPINE; then
	ksft_ok "topo_fault_arm: spine $SPINE's fault writer"
else
	ksft_fail "topo_fault_arm: spine $SPINE's fault writer"
	ksft_end
fi

"$IP" netns exec "$NSB" "$PERF" server --proto mrc --port $PORT --srv6 "$SRV6_A" \
	>"$WORK/srv.out" 2>"$WORK/srv.err" &
pids+=" $!"
check "mrcperf server on host B (SRv6)" wait_until 60 grep -q listening "$WORK/srv.err"

# The transfer runs until the flaps are over (SIGUSR1 ends it with its
# report); its time limit only bounds a hang.
PI=$WORK/paths.jsonl
limit=$((FLAPS * PERIOD_MS / 1000 + 120))
"$IP" netns exec "$NSA" timeout $((limit + 60)) "$PERF" client --proto mrc --connect "$TOPO_HB" \
	--port $PORT --srv6 "$SRV6_B" --seconds "$limit" --until-signal --seed 7 -q \
	--path-info-json "$PI" --path-info-ms 500 --json "$WORK/flaps.json" >"$WORK/flaps.out" 2>&1 &
cpid=$!
check "data flows before the first flap" wait_until 60 grep -q '"bytes_acked":[1-9]' "$PI"

# half PERIOD: sleep for half the period without a fork per flap.
half=$(awk -v p="$PERIOD_MS" 'BEGIN { printf "%.3f", p / 2000 }')
exec {nap}<> <(:)
done_flaps=0
for ((n = 0; n < FLAPS; n++)); do
	topo_fault 0
	read -r -t "$half" -u "$nap"
	topo_fault 1
	read -r -t "$half" -u "$nap"
	done_flaps=$((n + 1))
	kill -0 $cpid 2>/dev/null || break
done
check "$done_flaps of $FLAPS flaps of spine $SPINE (${PERIOD_MS} ms each, half of it down) while the transfer ran" \
	test $done_flaps -eq "$FLAPS"
# A last stretch with every spine up, then the end of the transfer.
sleep 2
pkill -USR1 -P $cpid 2>/dev/null || kill -USR1 $cpid 2>/dev/null
wait $cpid
rc=$?
sed 's/^/#   /' "$WORK/flaps.out" | head -6
check "the client completed (exit $rc)" test $rc -eq 0
verdict=$("$PY" - "$WORK/flaps.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = r["mrc"]
info = (m.get("last_sample") or {}).get("info") or {}
print(f"{r['bytes_received']} of {r['bytes_sent']} bytes in {m['messages_received']} messages, "
      f"{r['goodput_bps'] / 1e6:.1f} Mbit/s; {info.get('packets_retrans')} retransmitted, "
      f"{info.get('timeout_losses')} timeout losses")
ok = r["intact"] and m["forward_intact"] and r["bytes_received"] == r["bytes_sent"] and r["bytes_sent"] > 0
# The flaps were felt: packets through the dead spine were lost and sent
# again (a fault that did nothing would pass the check above too).
felt = (info.get("packets_retrans") or 0) > 0
sys.exit(0 if ok and felt else 2 if ok else 1)
PY
)
rc=$?
echo "#   $verdict"
check "every byte arrived once, in order, message boundaries kept" test $rc -ne 1
check "the flaps were felt: packets through spine $SPINE lost and sent again" test $rc -eq 0
# The writer reads its FIFO for ever: ended before cleanup waits.
topo_fault_disarm
exec {nap}<&-
ksft_end
