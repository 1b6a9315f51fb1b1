#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mrcctl against the netlink family: a SRv6 uSID format and an explicit EV
# profile for the leaf/spine fabric's four spines, a CC profile, text and
# JSON from the same data, one EV denied and allowed, the kernel's refusals as messages that name the
# attribute with exit code 1, EPERM as 4, and no module as 3.
source "$(dirname "$0")/lib.sh"
CTL=${MRC_CTL:-$MRC_REPO/target/release/mrcctl}

ksft_begin
[[ -x $CTL ]] || skip_all "$CTL missing (cargo build --release -p mrcctl)"

# expect CODE NAME COMMAND...: the command exits with CODE.
expect() {
	local code=$1 name=$2 out rc; shift 2
	out=$("$@" 2>&1); rc=$?
	if ((rc == code)); then ksft_ok "$name"; else ksft_fail "$name (exit $rc)"; printf '#   %s\n' "$out" | head -3; fi
}

# says NAME TEXT COMMAND...: the command's stdout and stderr contain TEXT.
says() {
	local name=$1 text=$2 out; shift 2
	out=$("$@" 2>&1)
	if [[ $out == *"$text"* ]]; then ksft_ok "$name"; else ksft_fail "$name"; printf '#   %s\n' "$out" | head -5; fi
}

mrc_unload
expect 3 "no module: exit 3" "$CTL" dev show
says "no module: the message says so" "is mrc.ko loaded?" "$CTL" dev show
mrc_load

says "dev show: limits" "evs 256 fields 16 field-width 64 ev-bytes 32" "$CTL" dev show
says "dev show -j" '"ev_fmt_modes":["udp","stev","srv6"]' "$CTL" -j dev show

# The fabric's uSID container fcbb:0:1X:b::, X = spine 1..4 (topology.sh).
check "ev-fmt add: SRv6 uSID container" "$CTL" ev-fmt add 1 mode srv6 widths 32,16,16,16,16,16,16
check "ev-fmt online" bash -c "$CTL ev-fmt set 1 state offline && $CTL ev-fmt set 1 state online"
check "ev-profile add: explicit, one EV per spine" "$CTL" ev-profile add 2 mode explicit fmt 1 count 4 \
	events assumed-bad,good field width=32,init=0xfcbb0000 \
	field width=16,init=0x10,min=1,max=4,mask=0xf field width=16,init=0xb \
	ev 1 ev 2 ev 3 ev 4
check "ev-profile online" bash -c "$CTL ev-profile set 2 state offline && $CTL ev-profile set 2 state online"
says "ev-profile show: spine 3's EV" "ev 2 3" "$CTL" ev-profile show 2
says "ev-profile show -j: events" '"events":["assumed-bad","good"]' "$CTL" -j ev-profile show 2
json=$("$CTL" -j ev-profile show)
if python3 -c 'import json, sys; p = json.loads(sys.argv[1]); sys.exit(not (len(p) == 1 and p[0]["state"] == "online" and "evs" not in p[0]))' "$json"; then
	ksft_ok "ev-profile show -j: a list without EVs"
else
	ksft_fail "ev-profile show -j: a list without EVs"; echo "#   $json"
fi
says "ev-fmt show: one user" "ev-fmt 1 state online mode srv6 widths 32,16,16,16,16,16,16 users 1" "$CTL" ev-fmt show

expect 1 "E2BIG: exit 1" "$CTL" ev-profile show 2 max-evs 3
says "E2BIG: the number needed" "ev-array-max: the profile has 4 EVs (Argument list too long)" "$CTL" ev-profile show 2 max-evs 3
says "EBUSY: the format is in use" "state: ONLINE EV profiles use the format" "$CTL" ev-fmt set 1 state offline
says "EINVAL: a field rule, named" "field: 0: max_val must fit in popcount(mask) bits" \
	"$CTL" ev-profile add 3 mode generated fmt 1 count 2 field width=8,max=8,mask=7
says "EINVAL: a stray EV bit, at that EV" "ev: 1: EV bits set past the bits the fields read" \
	"$CTL" ev-profile add 3 mode explicit fmt 1 count 2 field width=32,mask=0xff ev 01 ev 0101
says "ERANGE: the policy's bound, named by its offset" "ev-count: integer out of range" \
	"$CTL" ev-profile add 3 mode auto fmt 1 count 300
expect 2 "usage: state alone" "$CTL" ev-profile set 2 state offline count 2

check "ev set: spine 2's EV denied" "$CTL" ev set 2 1 state denied
says "ev show: denied, with its value" "ev 2 1 denied 2000" "$CTL" ev show 2
says "ev show -j: one EV" '"state":"good"' "$CTL" -j ev show 2 0
check "ev set: allowed again" "$CTL" ev set 2 1 state good
says "ev show: an index past the count, named" "index: the profile has 4 EVs" "$CTL" ev show 2 7
check "cc-profile add" "$CTL" cc-profile add 5 link-rate 1250000000 base-rtt 10us gamma 700
says "cc-profile show: the BDP's window" "max-cwnd 18750" "$CTL" cc-profile show 5
says "cc-profile: an NSCC rule, named" "qa-threshold: must be target-delay" "$CTL" cc-profile set 5 qa-threshold 1us

expect 4 "unprivileged: EPERM is exit 4" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$CTL" ev-fmt del 1
expect 0 "unprivileged: show works" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$CTL" ev-profile show 2

check "cleanup: offline and delete" bash -c "$CTL ev-profile set 2 state offline && $CTL ev-profile del 2 \
	&& $CTL ev-fmt set 1 state offline && $CTL ev-fmt del 1 && $CTL cc-profile del 5"
says "nothing left" "[]" "$CTL" -j ev-fmt show
ksft_end
