#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/host-busy.sh WHAT: how busy the host's CPUs are over two seconds
# (/proc/stat), as a share from 0 to 1 on stdout. When other work takes
# more than a quarter of them it says so on stderr, prefixed by WHAT: the
# emulated guest's vCPUs then get less of the host, a CPU-bound
# benchmark measures the host's load instead of the module (under two
# busy loops MRC kept an eighth of its goodput at MTU 1500, TCP two
# fifths; Documentation/performance.rst, "Measuring"), and timed checks
# run slow. The benchmarks and `make test` call it before they boot the
# VM (the benchmarks also after it stops), when none of their own work
# runs.
what=${1:-host}
read -r _ a1 a2 a3 a4 a5 a6 a7 a8 _ </proc/stat
sleep 2
read -r _ b1 b2 b3 b4 b5 b6 b7 b8 _ </proc/stat
total=$(((b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8) - (a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8)))
idle=$(((b4 + b5) - (a4 + a5)))
busy=$(awk -v t="$total" -v i="$idle" 'BEGIN { printf "%.3f", (t > 0 ? (t - i) / t : 0) }')
echo "$busy"
if awk -v b="$busy" 'BEGIN { exit !(b > 0.25) }'; then
	echo "$what: WARNING: the host is $(awk -v b="$busy" 'BEGIN { printf "%.0f", 100 * b }')% busy with other work; the guest's timings will be slow and noisy" >&2
fi
