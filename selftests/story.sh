# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The failure story, shared by the demo (scripts/demo.sh) and its selftest
# (mrc_story.sh): one MRC connection sprays 32 EVs over the 4 spines of
# the leaf/spine fabric (SRv6: EV i via spine i mod 4 + 1), spine 2 stops
# forwarding and comes back, and story_drive.py places each step by what
# the transfer does. Source it after topology.sh, with mrc.ko loaded, then:
#
#   story_run OUT    writes into OUT: client.json (mrcperf's report),
#                    paths.jsonl (MRC_INFO / MRC_PATH_INFO every 50 ms),
#                    counters.jsonl, events.jsonl, fault.log, restore.log;
#                    story_check.py OUT tells and checks the story.
#
# Environment: STORY_* (story_drive.py), STORY_MAX_S (120: the transfer's
# upper bound; the driver ends it earlier).

STORY_K=4 STORY_DEAD=2 STORY_RATE=20mbit STORY_DELAY=1ms
STORY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STORY_PERF=${STORY_PERF:-$STORY_DIR/../target/release/mrcperf}

story_run() {
	local out=$1 i sa=() sb=() n ha hb server driver client rc=0
	mkdir -p "$out" && rm -f "$out"/*.json "$out"/*.jsonl "$out"/*.log "$out/ready" "$out/client.pid"
	[[ -x $STORY_PERF ]] || { echo "story: $STORY_PERF missing (cargo build --release -p mrcperf)"; return 1; }
	echo "  building the fabric (namespaces, veths, qdiscs, SRv6 routes)"
	local t=$SECONDS beat
	# Under a loaded TCG host this took up to 2 minutes: a line every 20 s.
	(while sleep 20; do echo "  ... still building the fabric ($((SECONDS - t)) s)"; done) &
	beat=$!
	topo_up "$STORY_K" "$STORY_RATE" "$STORY_DELAY"
	rc=$?
	kill "$beat"
	wait "$beat" 2>/dev/null
	((rc == 0)) || { echo "story: topo_up failed"; return 1; }
	echo "  fabric up in $((SECONDS - t)) s; the transfer starts (driver's time since its start):"
	topo_watch
	topo_fault_arm "$STORY_DEAD" || { echo "story: topo_fault_arm failed"; return 1; }
	for ((i = 1; i <= STORY_K; i++)); do sa+=("$(topo_container "$i" a)") sb+=("$(topo_container "$i" b)"); done
	ha=$(topo_ns ha) hb=$(topo_ns hb)
	# NSCC configured for this fabric, as a controller's CC profile would
	# be: 4 x 20 Mbit/s in all, and the emulated base RTT.
	for n in "$ha" "$hb"; do
		"$IP" netns exec "$n" sh -c 'echo 80 >/proc/sys/net/mrc/cc_rate_mbit; echo 4000 >/proc/sys/net/mrc/cc_base_rtt_us'
	done
	"$IP" netns exec "$hb" "$STORY_PERF" server --proto mrc --port 7000 --once \
		--srv6 "$(IFS=,; echo "${sa[*]}")" >"$out/server.log" 2>&1 &
	server=$!
	wait_until 30 grep -q listening "$out/server.log" || { echo "story: the server did not start"; cat "$out/server.log"; return 1; }
	python3 "$STORY_DIR/story_drive.py" "$out" "$TOPO_FAULT_FIFO" "$STORY_DEAD" \
		"${TOPO_WATCH_PIDS[@]}" &
	driver=$!
	wait_until 60 test -e "$out/ready" || { echo "story: the driver did not start"; kill "$server" "$driver"; return 1; }
	# Messages of 64 KiB: the receiver counts a message when it is whole,
	# and mixed sizes up to 1 MiB made its 100 ms series lumpy.
	"$IP" netns exec "$ha" "$STORY_PERF" client --proto mrc --connect "$TOPO_HB" --port 7000 \
		--seconds "${STORY_MAX_S:-120}" --until-signal --srv6 "$(IFS=,; echo "${sb[*]}")" \
		--evs 32 --seed 1 -q --interval-ms 100 --min-msg 64K --max-msg 64K --json "$out/client.json" \
		--path-info-json "$out/paths.jsonl" --path-info-ms 50 >"$out/client.log" 2>&1 &
	client=$!
	echo "$client" >"$out/client.pid"
	wait "$driver" || rc=1
	wait "$client" || rc=1
	# A client that never got its report leaves the server waiting.
	((rc == 0)) || kill "$server" 2>/dev/null
	wait "$server" || rc=1
	topo_down
	return $rc
}
