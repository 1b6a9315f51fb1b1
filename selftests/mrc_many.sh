#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 256 concurrent AF_MRC connections (32 on the debug kernel) between host
# A and host B of the leaf/spine fabric (UDP/STEV entropy, ECMP over 4
# spines), every one verified end to end by SHA-256 (selftests/mrc_many.py).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/topology.sh"

# The debug kernel (KASAN, lockdep under TCG) runs 32: its point there is
# the checkers, not the count. The release kernel runs 256 (about 30 s):
# before receive flow control and per-connection runs, 256 collapsed with
# 2 guest CPUs under TCG (2026-12-02: 104-169 of 256 verified, host A's
# receive queue overflowing while ACK timeouts sent EVs ASSUMED_BAD).
if [[ ${MRC_VARIANT:-} == debug ]]; then N=${MRC_MANY_N:-32}; else N=${MRC_MANY_N:-256}; fi
PORT=7200
WORK=$(mktemp -d)
trap cleanup EXIT
here=$(cd "$(dirname "$0")" && pwd)

ksft_begin
topo_up 4 200mbit
hb=$(topo_ns hb) ha=$(topo_ns ha)
"$IP" netns exec "$hb" /usr/bin/python3 "$here/mrc_many.py" server $PORT "$N" 500 >"$WORK/server" 2>&1 &
pids+=" $!"
check "server listening" wait_until 120 grep -q listening "$WORK/server"
"$IP" netns exec "$ha" /usr/bin/python3 "$here/mrc_many.py" client fd00:b::1 $PORT "$N" 480 >"$WORK/client" 2>&1
sed 's/^/# client: /' "$WORK/client"
check "$N connections verified" grep -qx "verified $N failed 0 missing 0" "$WORK/client"
check "server answered all $N" wait_until 60 grep -qx "answered $N" "$WORK/server"
sed 's/^/# server: /' "$WORK/server"
for h in "$ha" "$hb"; do
	echo "# $h: $("$IP" netns exec "$h" awk '$2 != 0 && $1 !~ /Datagrams|Packets|Opens/ { printf "%s=%s ", $1, $2 }' /proc/net/mrc_snmp)"
done
opens=$("$IP" netns exec "$hb" awk '$1 == "MrcPassiveOpens" {print $2}' /proc/net/mrc_snmp)
check "host B counted $N passive opens ($opens)" test "$opens" = "$N"
ksft_end
