#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo's failure story (`make run`) as a selftest, so that it cannot
# rot: spine 2 dies during an MRC transfer over the fabric and comes back;
# story_check.py's checks are this test's (its EVs go ASSUMED_BAD within
# the bound, the traffic moves to the other spines, spine 2 carries
# traffic again, every byte arrives).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/topology.sh"
. "$here/story.sh"
ksft_begin
mrc_load || { ksft_fail "mrc.ko loads"; ksft_end; }
out=$(mktemp -d)
if ! story_run "$out" >"$out/run.txt" 2>&1; then
	sed 's/^/# /' "$out/run.txt"
	for f in "$out"/*.log; do [[ -s $f ]] && sed "s|^|# $(basename "$f"): |" "$f" | tail -5; done
fi
python3 "$here/story_check.py" --tap "$out" >"$out/check.txt" 2>&1
rc=$?
# The checks' TAP lines are this test's; it numbers them.
while IFS= read -r line; do
	case $line in
	"ok "*) ksft_ok "${line#ok * - }" ;;
	"not ok "*) ksft_fail "${line#not ok * - }" ;;
	*) echo "$line" ;;
	esac
done <"$out/check.txt"
# A checker that crashed before its checks fails the test too.
((rc == 0 || ksft_failed > 0)) || ksft_fail "story_check.py ended with exit $rc"
((ksft_n > 0)) || ksft_fail "story_check.py made no check"
rm -rf "$out"
ksft_end
