#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test fabric itself (selftests/topology.sh), before anything runs over
# it: real namespaces, real packets, the guest kernel's SRv6 and ECMP.
# Every verdict comes from counters (the spines' interface statistics and
# the receiver's own count), never from a ping's exit status.
#
#  - SRv6: UDP from host A's fd00:a::1<i> is encapsulated toward the uSID
#    container fcbb:0:1<i>:b0:b1::; 16 flows (which plain ECMP would
#    spread) all cross spine i, in encapsulated frames, and reach host B's
#    socket after End.DT6. The same back from host B via fcbb:0:1<i>:a0:a1::.
#  - ECMP: 64 x K flows spread over all spines, each spine within [0.5, 1.6]
#    of its fair share (binomial: a miss is a > 4.5 sigma event), both with
#    the L4 hash and with the flow-label hash; with the flow-label hash and
#    the sender's automatic flow labels off, every flow takes one spine (the
#    control that shows the spread comes from the label).
#  - A blackholed spine (netem loss 100%) carries nothing, the flows hashed
#    to it are lost, and restoring it brings them back; topo_impair loss
#    drops the expected share of packets.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"

K=${MRC_FABRIC_K:-4}
PY=/usr/bin/python3
WORK=$(mktemp -d)
trap cleanup EXIT

ksft_begin
for t in "$IP" "$TC" "$PY"; do
	[[ -x $t ]] || skip_all "$t missing"
done

# The traffic tool: "recv PORT READY DONE" creates READY once bound, counts
# datagrams until the file DONE exists and 0.5 s pass without any (or
# 120 s in all), and prints the count; "send SRC DST PORT FLOWS PKTS" sends
# PKTS datagrams on each of FLOWS sockets (distinct source ports). No idle
# timeout decides alone: under TCG on a loaded host, starting python can
# take seconds.
cat >"$WORK/udp.py" <<'PY'
import os, socket, sys, time
SO_RCVBUFFORCE = 33
if sys.argv[1] == "recv":
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    s.bind(("::", int(sys.argv[2])))
    open(sys.argv[3], "w").close()
    s.settimeout(0.5)
    n, end = 0, time.monotonic() + 120
    while time.monotonic() < end:
        try:
            s.recv(2048)
            n += 1
        except socket.timeout:
            if os.path.exists(sys.argv[4]):
                break
    print(n)
else:
    src, dst, port, flows, pkts = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    for f in range(flows):
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind((src, 0))
        for p in range(pkts):
            s.sendto(b"mrc-fabric %6d %6d " % (f, p) + b"." * 64, (dst, port))
        s.close()
PY
PAYLOAD=$((64 + 21))

# traffic FROM_NODE SRC TO_NODE DST FLOWS PKTS: sends, and sets RECEIVED
# and the per-spine deltas TO_B[i] / TO_A[i] (packets) and BYTES_B[i].
traffic() {
	local from=$1 src=$2 to=$3 dst=$4 flows=$5 pkts=$6 i
	rm -f "$WORK/ready" "$WORK/done"
	"$IP" netns exec "$(topo_ns "$to")" "$PY" "$WORK/udp.py" recv 9000 "$WORK/ready" "$WORK/done" >"$WORK/count" &
	local rpid=$!
	for ((i = 0; i < 600; i++)); do [[ -e $WORK/ready ]] && break; sleep 0.1; done
	[[ -e $WORK/ready ]] || echo "# the receiver did not start within 60 s"
	topo_spine_counters >"$WORK/before"
	"$IP" netns exec "$(topo_ns "$from")" "$PY" "$WORK/udp.py" send "$src" "$dst" 9000 "$flows" "$pkts"
	touch "$WORK/done"
	wait "$rpid"
	topo_spine_counters >"$WORK/after"
	RECEIVED=$(<"$WORK/count")
	SENT=$((flows * pkts))
	local s b1 a1 bb1 ab1 b2 a2 bb2 ab2
	TO_B=() TO_A=() BYTES_B=()
	while read -r s b1 a1 bb1 ab1; do
		read -r _ b2 a2 bb2 ab2 <<<"$(grep "^$s " "$WORK/after")"
		i=${s#s}
		TO_B[i]=$((b2 - b1)) TO_A[i]=$((a2 - a1)) BYTES_B[i]=$((bb2 - bb1))
	done <"$WORK/before"
	echo "# sent $SENT received $RECEIVED; per spine to B: ${TO_B[*]:1}; to A: ${TO_A[*]:1}"
}

# spread_ok TOTAL: every spine's packets toward B within [0.5, 1.6] of TOTAL/K.
spread_ok() {
	local total=$1 i
	for ((i = 1; i <= K; i++)); do
		((TO_B[i] * K * 10 >= total * 5 && TO_B[i] * K * 10 <= total * 16)) || return 1
	done
}

# ------------------------------------------------------------------ up
if ! topo_up "$K" 20mbit; then
	ksft_fail "topo_up $K spines"
	ksft_end
fi
ksft_ok "topo_up: $K spines, 20mbit leaf-spine links, $((K + 4)) namespaces"
topo_steer_srv6 || ksft_fail "topo_steer_srv6"

# ------------------------------------------------------------------ SRv6
# 16 flows x 8 packets per spine. Other spines may see at most a couple of
# stray packets (none are expected: neighbours are static).
FLOWS=16 PKTS=8
for ((s = 1; s <= K; s++)); do
	traffic ha "$(topo_ha_via "$s")" hb "$TOPO_HB" $FLOWS $PKTS
	others=0
	for ((i = 1; i <= K; i++)); do ((i != s)) && others=$((others + TO_B[i])); done
	# An encapsulated frame: 14 Ethernet + 40 outer IPv6 + 24 SRH + 40 + 8 + payload.
	avg=$(( TO_B[s] ? BYTES_B[s] / TO_B[s] : 0 ))
	if ((RECEIVED == SENT && TO_B[s] >= SENT && others <= 2 && avg >= 14 + 40 + 24 + 40 + 8 + PAYLOAD)); then
		ksft_ok "srv6 A->B via $(topo_container "$s"): $RECEIVED/$SENT delivered, spine $s carried ${TO_B[s]} (avg frame $avg B), others $others"
	else
		ksft_fail "srv6 A->B via $(topo_container "$s"): $RECEIVED/$SENT delivered, spine $s carried ${TO_B[s]} (avg frame $avg B), others $others"
	fi
done
# Back from host B: steer its traffic to fd00:a::1 (which ECMP would spread)
# through the container toward host A via spine s.
for ((s = 1; s <= K; s++)); do
	"$IP" -6 -n "$(topo_ns hb)" route replace "$TOPO_HA/128" encap seg6 mode encap \
		segs "$(topo_container "$s" a)" dev lb
	traffic hb "$TOPO_HB" ha "$TOPO_HA" $FLOWS $PKTS
	others=0
	for ((i = 1; i <= K; i++)); do ((i != s)) && others=$((others + TO_A[i])); done
	if ((RECEIVED == SENT && TO_A[s] >= SENT && others <= 2)); then
		ksft_ok "srv6 B->A via $(topo_container "$s" a): $RECEIVED/$SENT delivered, spine $s carried ${TO_A[s]}, others $others"
	else
		ksft_fail "srv6 B->A via $(topo_container "$s" a): $RECEIVED/$SENT delivered, spine $s carried ${TO_A[s]}, others $others"
	fi
done
"$IP" -6 -n "$(topo_ns hb)" route del "$TOPO_HA/128"

# ------------------------------------------------------------------ ECMP
FLOWS=$((64 * K)) PKTS=2
traffic ha "$TOPO_HA" hb "$TOPO_HB" $FLOWS $PKTS
if ((RECEIVED == SENT)) && spread_ok "$SENT"; then
	ksft_ok "ecmp l4 hash: $FLOWS flows over $K spines: ${TO_B[*]:1}"
else
	ksft_fail "ecmp l4 hash: $RECEIVED/$SENT delivered, per spine ${TO_B[*]:1} (band [0.5, 1.6] x $((SENT / K)))"
fi

topo_hash flowlabel
traffic ha "$TOPO_HA" hb "$TOPO_HB" $FLOWS $PKTS
if ((RECEIVED == SENT)) && spread_ok "$SENT"; then
	ksft_ok "ecmp flow-label hash: $FLOWS flows over $K spines: ${TO_B[*]:1}"
else
	ksft_fail "ecmp flow-label hash: $RECEIVED/$SENT delivered, per spine ${TO_B[*]:1} (band [0.5, 1.6] x $((SENT / K)))"
fi
# Control: same addresses, no flow labels -> one hash -> one spine.
_topo_sysctl "$(topo_ns ha)" net/ipv6/auto_flowlabels 0
traffic ha "$TOPO_HA" hb "$TOPO_HB" $FLOWS $PKTS
max=0
for ((i = 1; i <= K; i++)); do ((TO_B[i] > max)) && max=${TO_B[i]}; done
if ((RECEIVED == SENT && max >= SENT)); then
	ksft_ok "ecmp flow-label hash without flow labels: all $SENT packets on one spine"
else
	ksft_fail "ecmp flow-label hash without flow labels: per spine ${TO_B[*]:1} (expected all on one)"
fi
_topo_sysctl "$(topo_ns ha)" net/ipv6/auto_flowlabels 1
topo_hash l4

# ------------------------------------------------------------------ faults
BH=2
((K < 2)) && BH=1
topo_blackhole $BH
traffic ha "$TOPO_HA" hb "$TOPO_HB" $FLOWS $PKTS
carried=0
for ((i = 1; i <= K; i++)); do ((i != BH && TO_B[i] > 0)) && carried=$((carried + 1)); done
# The flows hashed to the dead spine are lost: about 1/K of them (binomial,
# sd at most 0.03 with 64 x K flows); the band is +-0.15 around (K-1)/K.
lo=$((SENT * (K - 1) / K - SENT * 15 / 100)) hi=$((SENT * (K - 1) / K + SENT * 15 / 100))
if ((TO_B[BH] == 0 && TO_A[BH] == 0 && carried == K - 1 && RECEIVED >= lo && RECEIVED <= hi)); then
	ksft_ok "blackhole spine $BH: it carried nothing, $RECEIVED/$SENT delivered (band $lo..$hi)"
else
	ksft_fail "blackhole spine $BH: it carried ${TO_B[BH]}/${TO_A[BH]}, $carried others carried, $RECEIVED/$SENT delivered (band $lo..$hi)"
fi
topo_restore $BH
traffic ha "$TOPO_HA" hb "$TOPO_HB" $FLOWS $PKTS
if ((RECEIVED == SENT && TO_B[BH] > 0)) && spread_ok "$SENT"; then
	ksft_ok "restore spine $BH: $RECEIVED/$SENT delivered, per spine ${TO_B[*]:1}"
else
	ksft_fail "restore spine $BH: $RECEIVED/$SENT delivered, per spine ${TO_B[*]:1}"
fi

# 10% loss on every leaf-spine link: a packet crosses two, so 81% arrive
# (sd 1.7% for 512 packets; band 70..92%).
topo_impair 10
traffic ha "$TOPO_HA" hb "$TOPO_HB" $FLOWS $PKTS
if ((RECEIVED * 100 >= SENT * 70 && RECEIVED * 100 <= SENT * 92)); then
	ksft_ok "impair 10% loss per link: $RECEIVED/$SENT delivered (expected ~81%)"
else
	ksft_fail "impair 10% loss per link: $RECEIVED/$SENT delivered (expected 70..92%)"
fi
topo_impair 0
traffic ha "$TOPO_HA" hb "$TOPO_HB" $FLOWS $PKTS
check "impair cleared: $RECEIVED/$SENT delivered" test "$RECEIVED" -eq "$SENT"

topo_down
left=$("$IP" netns list | grep -c "^$TOPO_PREFIX-")
check "topo_down removes every namespace ($left left)" test "$left" -eq 0
ksft_end
