#!/usr/bin/env bash
# scripts/progress.sh WHAT COMMAND...: runs COMMAND, saying "WHAT" when it
# starts, "WHAT: still at it (N s)" every 20 s while it runs, and how long
# it took, on stderr; exits with its status. For the steps that would otherwise be
# silent for minutes (cargo -q, the module's build).
what=$1
shift
echo "$what" >&2
start=$SECONDS
"$@" &
pid=$!
while :; do
	sleep 20 &
	tick=$!
	wait -n -p done "$pid" "$tick"
	rc=$?
	if [[ $done == "$pid" ]]; then
		kill "$tick" 2>/dev/null
		break
	fi
	echo "$what: still at it ($((SECONDS - start)) s)" >&2
done
((SECONDS - start < 20)) || echo "$what: done in $((SECONDS - start)) s" >&2
exit "$rc"
