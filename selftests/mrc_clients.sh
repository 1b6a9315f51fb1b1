#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# AF_MRC from three languages: one `mrcperf server --proto mrc` (Rust) in
# namespace B takes the C client (mrc_client.c), the Rust client (mrcperf)
# and the Python client (mrc_client.py, ctypes) from namespace A over a
# veth pair, one after the other and then all at once; then C and Rust
# clients talk to the Python server. Every transfer goes both ways in
# messages of mixed sizes (1 byte to 1 MiB, seeded), is checked byte for
# byte and message by message by both receivers, and the server's verdict
# per connection (matched by seed) must agree.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
PERF=${MRC_PERF:-$MRC_REPO/target/release/mrcperf}
CLIENT_PY=$MRC_REPO/selftests/mrc_client.py
A=mrc-cla-$$ B=mrc-clb-$$
netns="$A $B"
ADDR_A=fd00:6d72:65::1 ADDR_B=fd00:6d72:65::2
PORT=7000
# The Rust and C clients are fast; Python computes the pattern itself.
if [[ ${MRC_VARIANT:-} == debug ]]; then SIZE=2M PY_SIZE=512K; else SIZE=8M PY_SIZE=2M; fi
TMO=240
WORK=$(mktemp -d)
trap cleanup EXIT

ksft_begin
mrc_load || skip_all "mrc.ko does not load"
[[ -x $PERF ]] || skip_all "$PERF missing (cargo build --release -p mrcperf)"
[[ -x $PY ]] || skip_all "$PY missing"
CLIENT_C=$MRC_BIN/mrc_client
if [[ ! -x $CLIENT_C ]]; then
	# Not built by the host (scripts/test.sh): build it here.
	CLIENT_C=$WORK/mrc_client
	gcc -O2 -Wall -I"$MRC_REPO/include/uapi" -I"$MRC_REPO/selftests" -o "$CLIENT_C" \
		"$MRC_REPO/selftests/mrc_client.c" || skip_all "mrc_client.c does not build"
	echo "# built mrc_client in the guest"
fi

check "C client: size and pattern vectors match mrcperf's" "$CLIENT_C" --selfcheck
check "Python client: size and pattern vectors match mrcperf's" "$PY" "$CLIENT_PY" selfcheck

ip netns add "$A" && ip netns add "$B" &&
	ip link add mrc-cla netns "$A" type veth peer mrc-clb netns "$B" &&
	ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
	ip -n "$A" addr add "$ADDR_A/64" dev mrc-cla nodad &&
	ip -n "$B" addr add "$ADDR_B/64" dev mrc-clb nodad &&
	ip -n "$A" link set mrc-cla up && ip -n "$B" link set mrc-clb up
check "two namespaces joined by veth" test $? -eq 0

ip netns exec "$B" "$PERF" server --proto mrc --port "$PORT" >"$WORK/srv.out" 2>"$WORK/srv.err" &
srv=$!
pids+=" $srv"
if ! wait_until 60 grep -q listening "$WORK/srv.err"; then
	ksft_fail "mrcperf server listens on MRC port $PORT"
	sed 's/^/#   /' "$WORK/srv.err" | head -5
	ksft_end
fi
ksft_ok "mrcperf server listens on MRC port $PORT"

# in_a CMD...: run in namespace A, bounded.
in_a() { ip netns exec "$A" timeout "$TMO" "$@"; }

c_client() { in_a "$CLIENT_C" --connect "$ADDR_B" --port "$1" --bytes "$2" --seed "$3" --bidir; }
rust_client() {
	in_a "$PERF" client --proto mrc --connect "$ADDR_B" --port "$1" --bytes "$2" --seed "$3" \
		--bidir -q --json "$WORK/rust-$3.json"
}
py_client() { in_a "$PY" "$CLIENT_PY" client --connect "$ADDR_B" --port "$1" --bytes "$2" --seed "$3" --bidir; }

bytes_of() { numfmt --from=iec "$1"; }

# server_saw LOG SEED SIZE: the server's line for SEED says intact, both
# ways SIZE bytes, and the client's Bye arrived.
server_saw() {
	"$PY" - "$1" "$2" "$(bytes_of "$3")" <<-'PY'
		import json, sys
		log, seed, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
		for line in open(log):
		    try:
		        r = json.loads(line)
		    except ValueError:
		        continue
		    if r.get("seed") == seed:
		        ok = r["intact"] and r["bytes"] == size and r["reverse_bytes"] == size and r["bye"]
		        print(line.strip())
		        sys.exit(0 if ok else 1)
		print(f"no line for seed {seed}")
		sys.exit(1)
	PY
}

# judge NAME RC OUTFILE: TAP lines for one client run (the C client exits
# 3 when its data were intact but MRC_INFO / MRC_PATH_INFO were not).
judge() {
	local name=$1 rc=$2 out=$3
	sed 's/^/#   /' "$out"
	if [[ $name == C* ]]; then
		if ((rc == 0 || rc == 3)); then ksft_ok "$name: intact both ways"; else ksft_fail "$name: exit $rc"; fi
		if ((rc == 0)); then ksft_ok "$name: MRC_INFO and MRC_PATH_INFO from C"; else ksft_fail "$name: MRC_INFO / MRC_PATH_INFO (exit $rc)"; fi
	else
		if ((rc == 0)); then ksft_ok "$name: intact both ways"; else ksft_fail "$name: exit $rc"; fi
	fi
}

# ---------------------------------------------------------- one by one
c_client $PORT "$SIZE" 101 >"$WORK/c.out" 2>&1
judge "C client, $SIZE each way" $? "$WORK/c.out"
rust_client $PORT "$SIZE" 102 >"$WORK/rust.out" 2>&1
judge "Rust client (mrcperf), $SIZE each way" $? "$WORK/rust.out"
py_client $PORT "$PY_SIZE" 103 >"$WORK/py.out" 2>&1
judge "Python client, $PY_SIZE each way" $? "$WORK/py.out"
for s in "101 $SIZE" "102 $SIZE" "103 $PY_SIZE"; do
	read -r seed size <<<"$s"
	check "server: connection $seed intact, $size both ways, Bye received" server_saw "$WORK/srv.out" "$seed" "$size"
done

# ----------------------------------------------------------- at once
c_client $PORT "$SIZE" 111 >"$WORK/c2.out" 2>&1 &
cp=$!
rust_client $PORT "$SIZE" 112 >"$WORK/rust2.out" 2>&1 &
rp=$!
py_client $PORT "$PY_SIZE" 113 >"$WORK/py2.out" 2>&1 &
pp=$!
wait $cp; crc=$?
wait $rp; rrc=$?
wait $pp; prc=$?
judge "concurrent C client" $crc "$WORK/c2.out"
judge "concurrent Rust client" $rrc "$WORK/rust2.out"
judge "concurrent Python client" $prc "$WORK/py2.out"
for s in "111 $SIZE" "112 $SIZE" "113 $PY_SIZE"; do
	read -r seed size <<<"$s"
	check "server: concurrent connection $seed intact" server_saw "$WORK/srv.out" "$seed" "$size"
done
check "mrcperf server still running" kill -0 "$srv"

# --------------------------------------------- the Python server
# py_server PORT OUT: a one-shot Python server in B, ready when it says so.
py_server() {
	ip netns exec "$B" timeout "$TMO" "$PY" "$CLIENT_PY" serve --port "$1" >"$2" 2>"$2.err" &
	pyp=$!
	pids+=" $pyp"
	wait_until 60 grep -q listening "$2.err"
}
for who in C Rust; do
	port=$((PORT + 1))
	[[ $who == Rust ]] && port=$((PORT + 2))
	if ! py_server $port "$WORK/pysrv-$who.out"; then
		ksft_fail "Python server listens on MRC port $port"
		continue
	fi
	if [[ $who == C ]]; then
		c_client $port "$PY_SIZE" 121 >"$WORK/c3.out" 2>&1
		judge "C client to the Python server, $PY_SIZE each way" $? "$WORK/c3.out"
		seed=121
	else
		rust_client $port "$PY_SIZE" 122 >"$WORK/rust3.out" 2>&1
		judge "Rust client to the Python server, $PY_SIZE each way" $? "$WORK/rust3.out"
		seed=122
	fi
	wait "$pyp"
	check "Python server: connection $seed intact, Bye received" server_saw "$WORK/pysrv-$who.out" $seed "$PY_SIZE"
done

kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
ksft_end
