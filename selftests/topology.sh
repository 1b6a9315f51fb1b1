# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The leaf/spine test fabric of ARCHITECTURE.md, built with network
# namespaces inside the test VM. Source this file, then:
#
#   topo_up [K] [RATE] [DELAY] [LOSS]   build it (K spines, 1..8; RATE a tc
#                                       rate such as 50mbit; DELAY a netem
#                                       delay such as 1ms; LOSS a percentage)
#   topo_down                           delete every namespace it made
#   topo_spine_counters                 "s<i> pkts->B pkts->A bytes->B bytes->A"
#   topo_blackhole SPINE [toward-b] / topo_restore SPINE
#   topo_fault_arm SPINE / topo_fault 0|1 [LOG]  the fast fault: a spine
#                                       stops (0) or resumes (1) forwarding
#   topo_watch                          one idle process per spine: its
#                                       counters in /proc/<pid>/net/dev
#   topo_impair LOSS [REORDER] [DELAY]  on every leaf-spine link
#   topo_steer_srv6                     host A: source fd00:a::1<i> -> spine i
#   topo_hash l4|flowlabel              the leaves' ECMP hash, at run time
#   topo_ns NODE                        the namespace name of ha la s<i> lb hb
#   topo_up_checked K RATE              topo_up as a selftest's TAP check
#   topo_srv6_paths                     SRV6_B / SRV6_A: the K containers
#
#      host A --- leaf A ===== spine 1..K ===== leaf B --- host B
#      (ha)        (la)         (s1..sK)         (lb)       (hb)
#
# Host links are unshaped ("fat"); every leaf-spine link is shaped to RATE in
# both directions (netem at the root for delay/loss/blackholes, tbf as its
# child for the rate), so the capacity between the hosts is K x RATE and a
# path through one spine carries at most RATE.
#
# Addresses. Host A owns fd00:a::1 and one address per spine, fd00:a::1<i>
# (fd00:a::11 .. fd00:a::18); host B owns fd00:b::1; both on lo. Links use
# fixed link-local next hops (fe80::1 on the A side, fe80::2 on the B side)
# and permanent neighbour entries, so no neighbour discovery runs and the
# counters count only the traffic a test sends.
#
# Two routing flavours over the same links, installed together:
#  - SRv6 micro-SIDs (TOOLCHAIN.md): every node owns fcbb:0:<id>::/48; the
#    spines (<id> = 1<i>) and leaves (a0, b0) run `End flavors next-csid
#    lblen 32 nflen 16`, the hosts (a1, b1) `End.DT6 table 255` (the local
#    table: with `table main` the decapsulated packets are dropped). The path
#    via spine i to host B is the container fcbb:0:1<i>:b0:b1::, to host A
#    fcbb:0:1<i>:a0:a1::.
#  - plain IPv6 ECMP: the leaves reach the other host's /64 over all spines
#    (multipath next hops); TOPO_HASH=l4 (default) sets
#    net.ipv6.fib_multipath_hash_policy=1 (5-tuple), TOPO_HASH=flowlabel sets
#    0 (addresses, next header and flow label). Leaf B also routes each
#    fd00:a::1<i>/128 via spine i, so replies to a per-spine address come
#    back over the same spine.
#
# Tools are called by full path: busybox's built-in `ip` would shadow
# iproute2 inside busybox sh.

IP=${IP:-/usr/sbin/ip}
TC=${TC:-/usr/sbin/tc}
TOPO_PREFIX=${TOPO_PREFIX:-mrc}
TOPO_HASH=${TOPO_HASH:-l4}
TOPO_K=0 TOPO_RATE= TOPO_DELAY= TOPO_LOSS=
# tbf: bucket and queue. The queue is sized in time (latency), the bucket
# to cover one timer tick at the rate (HZ=1000) with room to spare.
TOPO_TBF_LATENCY=${TOPO_TBF_LATENCY:-50ms}
TOPO_MTU=${TOPO_MTU:-1500}
# TOPO_GSO_SEGS=1 makes the hosts send one packet per skb (gso_max_segs on
# their uplinks), as a datapath without GSO does: per-packet costs count.
TOPO_GSO_SEGS=${TOPO_GSO_SEGS:-}

TOPO_HA=fd00:a::1
TOPO_HB=fd00:b::1
# TOPO_HA_VIA <i>: host A's address whose traffic topo_steer_srv6 sends via spine i.
topo_ha_via() { echo "fd00:a::1$1"; }
# topo_container <i> [a|b]: the uSID container to host B (or A) via spine i.
topo_container() {
	if [[ ${2:-b} == a ]]; then echo "fcbb:0:1$1:a0:a1::"; else echo "fcbb:0:1$1:b0:b1::"; fi
}

topo_ns() { echo "$TOPO_PREFIX-$1"; }

# topo_up_checked K RATE: topo_up as a selftest's first check (lib.sh's
# TAP); a fabric that does not come up ends the test.
topo_up_checked() {
	if ! topo_up "$1" "$2"; then
		ksft_fail "topo_up: $1 spines, $2"
		ksft_end
	fi
	ksft_ok "topo_up: $1 spines, $2 leaf-spine links"
}

# topo_srv6_paths: after topo_up, sets SRV6_B and SRV6_A to the K
# containers toward host B and toward host A, comma-separated (the form of
# mrcperf --srv6 and MRC_SRV6_PATHS: EV i via container i).
topo_srv6_paths() {
	local i to_b=() to_a=()
	for ((i = 1; i <= TOPO_K; i++)); do to_b+=("$(topo_container "$i")") to_a+=("$(topo_container "$i" a)"); done
	SRV6_B=$(IFS=,; echo "${to_b[*]}") SRV6_A=$(IFS=,; echo "${to_a[*]}")
}

# _topo_mac LINK SIDE: a fixed MAC for one end of link number LINK.
_topo_mac() { printf '02:00:00:00:%02x:%02x' "$1" "$2"; }

# _topo_sysctl NS KEY VALUE (KEY as a path below /proc/sys)
_topo_sysctl() { "$IP" netns exec "$1" bash -c "echo $3 > /proc/sys/$2"; }

# _topo_link N LEFT_NS LEFT_IF RIGHT_NS RIGHT_IF: a veth pair, fe80::1 on the
# left (A side), fe80::2 on the right, each knowing the other's MAC.
_topo_link() {
	local n=$1 lns=$2 lif=$3 rns=$4 rif=$5
	local lmac rmac
	lmac=$(_topo_mac "$n" 1) rmac=$(_topo_mac "$n" 2)
	"$IP" -n "$lns" link add "$lif" address "$lmac" mtu "$TOPO_MTU" type veth \
		peer name "$rif" address "$rmac" mtu "$TOPO_MTU" netns "$rns" || return 1
	"$IP" -6 -n "$lns" -batch - <<-EOF || return 1
		addr add fe80::1/64 dev $lif nodad
		link set $lif up
		neigh replace fe80::2 lladdr $rmac dev $lif nud permanent
	EOF
	"$IP" -6 -n "$rns" -batch - <<-EOF || return 1
		addr add fe80::2/64 dev $rif nodad
		link set $rif up
		neigh replace fe80::1 lladdr $lmac dev $rif nud permanent
	EOF
}

# _topo_qdisc NS DEV: netem (delay/loss) at the root, tbf (rate) below it.
_topo_qdisc() {
	local ns=$1 dev=$2 netem=()
	[[ -n $TOPO_DELAY && $TOPO_DELAY != 0 ]] && netem+=(delay "$TOPO_DELAY")
	[[ -n $TOPO_LOSS && $TOPO_LOSS != 0 ]] && netem+=(loss "$TOPO_LOSS%")
	"$TC" -n "$ns" qdisc add dev "$dev" root handle 1: netem limit 100000 "${netem[@]}" || return 1
	"$TC" -n "$ns" qdisc add dev "$dev" parent 1:1 handle 10: tbf rate "$TOPO_RATE" \
		burst "$(_topo_burst)" latency "$TOPO_TBF_LATENCY" || return 1
}

# The tbf bucket in bytes: 4 ms at the rate, at least 4 full frames.
_topo_burst() {
	local r=${TOPO_RATE,,} bps
	case $r in
	*gbit) bps=$(( ${r%gbit} * 1000000000 )) ;;
	*mbit) bps=$(( ${r%mbit} * 1000000 )) ;;
	*kbit) bps=$(( ${r%kbit} * 1000 )) ;;
	*bit) bps=${r%bit} ;;
	*) bps=$r ;;
	esac
	local b=$(( bps / 8 / 250 ))
	(( b < 4 * (TOPO_MTU + 14) )) && b=$(( 4 * (TOPO_MTU + 14) ))
	echo "$b"
}

# TOPO_QDISCS: "NS:DEV" of the egress qdiscs on spine $1's two links, both
# directions, the data direction A->B (leaf A's side) first. No forks and
# no process substitution (the guest has no /dev/fd): under TCG every fork
# costs, and topo_blackhole should hit the first link at once.
_topo_spine_qdiscs() {
	local i=$1 p=$TOPO_PREFIX
	TOPO_QDISCS=("$p-la:s$i" "$p-s$i:lb" "$p-s$i:la" "$p-lb:s$i")
}

# _topo_netem NS DEV OPTS...: replace the root netem's options (tbf stays).
_topo_netem() {
	local ns=$1 dev=$2; shift 2
	"$TC" -n "$ns" qdisc change dev "$dev" root handle 1: netem limit 100000 "$@"
}

topo_down() {
	local n
	topo_fault_disarm
	((${#TOPO_WATCH_PIDS[@]})) && kill "${TOPO_WATCH_PIDS[@]}" 2>/dev/null
	TOPO_WATCH_PIDS=()
	for n in ha la s1 s2 s3 s4 s5 s6 s7 s8 lb hb; do
		"$IP" netns del "$(topo_ns "$n")" 2>/dev/null
	done
	TOPO_K=0
	return 0
}

topo_up() {
	local k=${1:-4}
	TOPO_RATE=${2:-${TOPO_RATE_DEFAULT:-20mbit}} TOPO_DELAY=${3:-} TOPO_LOSS=${4:-}
	if ((k < 1 || k > 8)); then echo "topo_up: K must be 1..8" >&2; return 1; fi
	topo_down
	TOPO_K=$k
	local nodes=(ha la lb hb) i ns ecmp_a="" ecmp_b="" hash
	for ((i = 1; i <= k; i++)); do nodes+=("s$i"); done
	case $TOPO_HASH in
	l4) hash=1 ;;
	flowlabel) hash=0 ;;
	*) echo "topo_up: TOPO_HASH must be l4 or flowlabel" >&2; return 1 ;;
	esac

	for n in "${nodes[@]}"; do
		ns=$(topo_ns "$n")
		"$IP" netns add "$ns" || return 1
		"$IP" -n "$ns" link set lo up
		"$IP" netns exec "$ns" bash -c "
			for c in all default; do
				echo 1 > /proc/sys/net/ipv6/conf/\$c/forwarding
				echo 0 > /proc/sys/net/ipv6/conf/\$c/accept_dad
				echo 0 > /proc/sys/net/ipv6/conf/\$c/accept_ra
				echo 0 > /proc/sys/net/ipv6/conf/\$c/router_solicitations
				echo 1 > /proc/sys/net/ipv6/conf/\$c/addr_gen_mode
				echo 1 > /proc/sys/net/ipv6/conf/\$c/seg6_enabled
			done
			echo $hash > /proc/sys/net/ipv6/fib_multipath_hash_policy
		" || return 1
	done

	local HA HLA LB HB
	HA=$(topo_ns ha) HLA=$(topo_ns la) LB=$(topo_ns lb) HB=$(topo_ns hb)
	_topo_link 1 "$HA" la "$HLA" ha || return 1
	_topo_link 2 "$LB" hb "$HB" lb || return 1
	if [[ -n $TOPO_GSO_SEGS ]]; then
		"$IP" -n "$HA" link set dev la gso_max_segs "$TOPO_GSO_SEGS" || return 1
		"$IP" -n "$HB" link set dev lb gso_max_segs "$TOPO_GSO_SEGS" || return 1
	fi
	for ((i = 1; i <= k; i++)); do
		ns=$(topo_ns "s$i")
		_topo_link $((0x10 + i)) "$HLA" "s$i" "$ns" la || return 1
		_topo_link $((0x20 + i)) "$ns" lb "$LB" "s$i" || return 1
		_topo_qdisc "$HLA" "s$i" && _topo_qdisc "$ns" la && _topo_qdisc "$ns" lb &&
			_topo_qdisc "$LB" "s$i" || return 1
		ecmp_a+=" nexthop via fe80::2 dev s$i"
		ecmp_b+=" nexthop via fe80::1 dev s$i"
	done

	local end="encap seg6local action End flavors next-csid lblen 32 nflen 16"
	local dt6="encap seg6local action End.DT6 table 255"
	# Host A.
	{
		echo "addr add $TOPO_HA/128 dev lo"
		for ((i = 1; i <= k; i++)); do echo "addr add $(topo_ha_via "$i")/128 dev lo"; done
		echo "route add default via fe80::2 dev la src $TOPO_HA"
		echo "route add fcbb:0:a1::/48 $dt6 dev la"
	} | "$IP" -6 -n "$HA" -batch - || return 1
	# Leaf A.
	{
		echo "route add fd00:a::/64 via fe80::1 dev ha"
		echo "route add fcbb:0:a1::/48 via fe80::1 dev ha"
		echo "route add fcbb:0:a0::/48 $end dev ha"
		echo "route add fd00:b::/64$ecmp_a"
		echo "route add fcbb:0:b0::/48$ecmp_a"
		echo "route add fcbb:0:b1::/48$ecmp_a"
		for ((i = 1; i <= k; i++)); do echo "route add fcbb:0:1$i::/48 via fe80::2 dev s$i"; done
	} | "$IP" -6 -n "$HLA" -batch - || return 1
	# Spines.
	for ((i = 1; i <= k; i++)); do
		{
			echo "route add fcbb:0:1$i::/48 $end dev lb"
			for p in fd00:a::/64 fcbb:0:a0::/48 fcbb:0:a1::/48; do echo "route add $p via fe80::1 dev la"; done
			for p in fd00:b::/64 fcbb:0:b0::/48 fcbb:0:b1::/48; do echo "route add $p via fe80::2 dev lb"; done
		} | "$IP" -6 -n "$(topo_ns "s$i")" -batch - || return 1
	done
	# Leaf B.
	{
		echo "route add fd00:b::/64 via fe80::2 dev hb"
		echo "route add fcbb:0:b1::/48 via fe80::2 dev hb"
		echo "route add fcbb:0:b0::/48 $end dev hb"
		echo "route add fd00:a::/64$ecmp_b"
		echo "route add fcbb:0:a0::/48$ecmp_b"
		echo "route add fcbb:0:a1::/48$ecmp_b"
		for ((i = 1; i <= k; i++)); do
			echo "route add fcbb:0:1$i::/48 via fe80::1 dev s$i"
			echo "route add $(topo_ha_via "$i")/128 via fe80::1 dev s$i"
		done
	} | "$IP" -6 -n "$LB" -batch - || return 1
	# Host B.
	{
		echo "addr add $TOPO_HB/128 dev lo"
		echo "route add default via fe80::1 dev lb src $TOPO_HB"
		echo "route add fcbb:0:b1::/48 $dt6 dev lb"
	} | "$IP" -6 -n "$HB" -batch - || return 1
}

# topo_steer_srv6: on host A, traffic from fd00:a::1<i> to host B is
# encapsulated toward the container via spine i (policy routing by source:
# rule pref 100+i, table 100+i).
topo_steer_srv6() {
	local i HA
	HA=$(topo_ns ha)
	for ((i = 1; i <= TOPO_K; i++)); do
		"$IP" -6 -n "$HA" -batch - <<-EOF || return 1
			rule add pref $((100 + i)) from $(topo_ha_via "$i") lookup $((100 + i))
			route add fd00:b::/64 encap seg6 mode encap segs $(topo_container "$i") dev la table $((100 + i))
		EOF
	done
}

# topo_hash l4|flowlabel: the ECMP hash of both leaves (5-tuple, or
# addresses + next header + flow label).
topo_hash() {
	local v n
	case $1 in l4) v=1 ;; flowlabel) v=0 ;; *) echo "topo_hash: l4 or flowlabel" >&2; return 1 ;; esac
	for n in la lb; do _topo_sysctl "$(topo_ns $n)" net/ipv6/fib_multipath_hash_policy $v || return 1; done
	TOPO_HASH=$1
}

# One line per spine: "s<i> <tx packets toward leaf B> <tx packets toward
# leaf A> <tx bytes toward leaf B> <tx bytes toward leaf A>" (from
# /sys/class/net/*/statistics inside the spine's namespace).
topo_spine_counters() {
	local i
	for ((i = 1; i <= TOPO_K; i++)); do
		"$IP" netns exec "$(topo_ns "s$i")" bash -c 'cd /sys/class/net && echo "s'"$i"' $(<lb/statistics/tx_packets) $(<la/statistics/tx_packets) $(<lb/statistics/tx_bytes) $(<la/statistics/tx_bytes)"'
	done
}

# TOPO_NETEM: the base netem options of every link (what topo_up /
# topo_impair set); with $1 = noloss, without loss and reordering.
_topo_base_netem() {
	TOPO_NETEM=()
	[[ -n $TOPO_DELAY && $TOPO_DELAY != 0 ]] && TOPO_NETEM+=(delay "$TOPO_DELAY")
	[[ ${1:-} == noloss ]] && return 0
	[[ -n $TOPO_LOSS && $TOPO_LOSS != 0 ]] && TOPO_NETEM+=(loss "$TOPO_LOSS%")
	[[ -n ${TOPO_REORDER:-} && $TOPO_REORDER != 0 ]] && TOPO_NETEM+=(reorder "$TOPO_REORDER%")
	return 0
}

# topo_blackhole SPINE: netem loss 100% on both links of the spine, both
# directions: packets vanish silently (no link down, no ICMP). The delay is
# kept. TOPO_FAULT_FIRST is set to $EPOCHREALTIME right after the first
# change (leaf A -> spine: the data direction is dead from then on).
topo_blackhole() {
	local q first=1
	_topo_spine_qdiscs "$1"
	# toward-b: only the A->B direction (the first two qdiscs).
	[[ ${2:-} == toward-b ]] && TOPO_QDISCS=("${TOPO_QDISCS[@]:0:2}")
	_topo_base_netem noloss
	for q in "${TOPO_QDISCS[@]}"; do
		_topo_netem "${q%:*}" "${q#*:}" "${TOPO_NETEM[@]}" loss 100% || return 1
		((first)) && TOPO_FAULT_FIRST=$EPOCHREALTIME first=0
	done
	return 0
}

# topo_restore SPINE: back to the base impairment of the fabric.
topo_restore() {
	local q
	_topo_spine_qdiscs "$1"
	_topo_base_netem
	for q in "${TOPO_QDISCS[@]}"; do
		_topo_netem "${q%:*}" "${q#*:}" "${TOPO_NETEM[@]}" || return 1
	done
}

# topo_impair LOSS [REORDER] [DELAY]: loss (%), reordering (% of packets sent
# early; netem needs a delay for that, 1ms if none) and delay on every
# leaf-spine link, both directions. topo_impair 0 clears them.
topo_impair() {
	TOPO_LOSS=${1:-0} TOPO_REORDER=${2:-0}
	[[ -n ${3:-} ]] && TOPO_DELAY=$3
	if [[ $TOPO_REORDER != 0 && ( -z $TOPO_DELAY || $TOPO_DELAY == 0 ) ]]; then TOPO_DELAY=1ms; fi
	local i
	for ((i = 1; i <= TOPO_K; i++)); do topo_restore "$i" || return 1; done
}

# topo_fault_arm SPINE: starts the spine's fault writer, in the spine's
# namespace, at a real-time priority, with its
# net.ipv6.conf.all.forwarding sysctl already open; topo_fault then costs
# one write(2) in it and no fork. Forwarding off drops every packet
# through the spine, both ways, silently: no link goes down, no ICMP.
# Faster than topo_blackhole, whose tc processes took effect 25 to 60 ms
# after they were started under TCG (MRC_PATH_INFO showed acks for
# packets on the spine that long). Commands go through a FIFO kept open
# in TOPO_FAULT_FD (inherited by subshells, so `(sleep 3; topo_fault 0) &`
# forks only at its start); each is "VALUE [LOG]", and the writer appends
# "VALUE T1 T2" to LOG, the wall clock ($EPOCHREALTIME) just before and
# after the write.
TOPO_FAULT_FD= TOPO_FAULT_PID= TOPO_FAULT_FIFO=
topo_fault_arm() {
	topo_fault_disarm
	TOPO_FAULT_FIFO=$(mktemp -u /tmp/mrc-fault.XXXXXX)
	mkfifo "$TOPO_FAULT_FIFO" || return 1
	# Read-write: opening never blocks, and the writer sees no EOF until
	# topo_fault_disarm closes it.
	exec {TOPO_FAULT_FD}<>"$TOPO_FAULT_FIFO"
	# The sysctl is opened again after each write: a numeric sysctl
	# ignores a write at a file offset other than 0.
	"$IP" netns exec "$(topo_ns "s$1")" chrt -f 50 bash -c '
		f=/proc/sys/net/ipv6/conf/all/forwarding
		exec {fd}>"$f" || exit 1
		while read -r v log; do
			t1=$EPOCHREALTIME
			echo "$v" >&"$fd"
			t2=$EPOCHREALTIME
			exec {fd}>&- {fd}>"$f"
			[[ -n $log ]] && echo "$v $t1 $t2" >>"$log"
		done' <"$TOPO_FAULT_FIFO" {TOPO_FAULT_FD}>&- &
	TOPO_FAULT_PID=$!
}

# topo_fault 0|1 [LOG]: the armed spine stops (0) or resumes (1)
# forwarding; the writer logs the times to LOG.
topo_fault() { echo "$1 ${2:-}" >&"$TOPO_FAULT_FD"; }

# topo_fault_disarm: the writer ends (the spine stays as it is). Killed,
# not left to see the FIFO's end: every process started after the arming
# (a server that runs on) holds the FIFO open too.
topo_fault_disarm() {
	[[ -n $TOPO_FAULT_PID ]] || return 0
	exec {TOPO_FAULT_FD}>&-
	kill "$TOPO_FAULT_PID" 2>/dev/null
	wait "$TOPO_FAULT_PID" 2>/dev/null
	rm -f "$TOPO_FAULT_FIFO"
	TOPO_FAULT_FD= TOPO_FAULT_PID= TOPO_FAULT_FIFO=
	return 0
}

# topo_watch: one idle process in each spine's namespace,
# TOPO_WATCH_PIDS[i-1] for spine i, so that /proc/<pid>/net/dev shows that
# spine's interface counters to any reader in any namespace: counters
# without an `ip netns exec` per reading. topo_down ends them.
TOPO_WATCH_PIDS=()
topo_watch() {
	local i
	for ((i = 1; i <= TOPO_K; i++)); do
		"$IP" netns exec "$(topo_ns "s$i")" sleep 100000 &
		TOPO_WATCH_PIDS+=($!)
	done
}
