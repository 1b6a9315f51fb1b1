# SPDX-License-Identifier: GPL-2.0
# Shared by the shell selftests: TAP 13 output and kselftest exit codes.
# Source it, call ksft_begin, then one ok/fail/skip per check, then ksft_end.

KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
ksft_n=0 ksft_failed=0

ksft_begin() { echo "TAP version 13"; }

ksft_ok() { ksft_n=$((ksft_n + 1)); echo "ok $ksft_n - $*"; }

ksft_fail() { ksft_n=$((ksft_n + 1)); ksft_failed=$((ksft_failed + 1)); echo "not ok $ksft_n - $*"; }

ksft_skip() { ksft_n=$((ksft_n + 1)); echo "ok $ksft_n - $* # SKIP"; }

# skip_all REASON: the whole test is skipped (kselftest's exit code 4, which
# run.sh reports as a skip), with no check run.
skip_all() { echo "# $*"; echo "1..0 # SKIP $*"; exit "$KSFT_SKIP"; }

# check NAME COMMAND...: ok if the command succeeds.
check() {
	local name=$1; shift
	local out
	if out=$("$@" 2>&1); then ksft_ok "$name"; else ksft_fail "$name"; printf '#   %s\n' "$out" | head -5; fi
}

# wait_until SECONDS COMMAND...: polls until the command succeeds; fails
# after SECONDS (debug kernels under TCG are slow: give them time, never
# weaker checks).
wait_until() {
	local deadline=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

# check_fails NAME COMMAND...: ok if the command fails.
check_fails() {
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then ksft_fail "$name (succeeded)"; else ksft_ok "$name"; fi
}

# ksft_end: the plan and the exit code; a test that ran no check did not
# pass (skip_all is the way to run none).
ksft_end() {
	echo "1..$ksft_n"
	((ksft_n == 0)) && echo "# no check ran"
	((ksft_failed == 0 && ksft_n > 0)) && exit $KSFT_PASS
	exit $KSFT_FAIL
}

# The repository and the module, as the runner sees them.
MRC_REPO=${MRC_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MRC_KO=${MRC_KO:-$MRC_REPO/mrc.ko}
MRC_BIN=${MRC_BIN:-$MRC_REPO/build/selftests}

mrc_family() { cat /sys/module/mrc/parameters/family; }

# What a test leaves behind, for `trap cleanup EXIT`: the background
# processes in $pids (killed, then waited for), the leaf/spine fabric if the
# test sourced topology.sh, the network namespaces in $netns and the
# directory $WORK.
pids= netns= WORK=
cleanup() {
	local p n
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	! declare -F topo_down >/dev/null || topo_down
	for n in $netns; do ip netns del "$n" 2>/dev/null; done
	[[ -z $WORK ]] || rm -rf "$WORK"
}
mrc_load() { lsmod | grep -q '^mrc ' || insmod "$MRC_KO" "$@"; }
mrc_unload() { ! lsmod | grep -q '^mrc ' || rmmod mrc; }
