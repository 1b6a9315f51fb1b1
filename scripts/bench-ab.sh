#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two or more builds of mrc.ko (or settings of one) against each other in
# the CPU-bound benchmark, in one boot, round after round, alternating, so
# that the guest's drift from boot to boot and within one boot falls on
# every variant alike. One boot of the emulated guest varies by a tenth or
# more from run to run; compare the medians of several rounds, never one
# run. Not part of `make test`.
#
#   scripts/bench-ab.sh VARIANT...          build mrcperf, boot the VM, run
#                                           every variant once per round,
#                                           print each run's figures per
#                                           variant and round and their
#                                           medians, and write them to
#                                           build/bench/bench_ab.json
#   scripts/bench-ab.sh --guest VARIANT...  (inside the VM) the rounds
#
# A VARIANT is LABEL=MODULE[@SYSCTLS]: a module file (mrc.ko of some
# build, copied aside, e.g. build/mrc-try.ko) and, after "@", net.mrc
# settings for both ends as "key=value,key=value", e.g.
#   scripts/bench-ab.sh tree=build/tree.ko try=build/try.ko
#   scripts/bench-ab.sh b8=build/release/mrc.ko b1=build/release/mrc.ko@burst=1
# Environment: BENCH_ROUNDS (3), and BENCH_SECONDS (5), BENCH_MTUS
# ("1500"), BENCH_CONNS ("1") as scripts/bench-cpu.sh takes them, whose
# runs and figures each round is.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${BENCH_ROUNDS:-3}
OUT=$here/build/vm/release/ab

# variant LABEL=MODULE[@SYSCTLS]: sets label, module and sysctls.
variant() {
	label=${1%%=*} module=${1#*=} sysctls=
	if [[ $module == *@* ]]; then
		sysctls=${module#*@} module=${module%%@*}
	fi
}

if [[ ${1:-} != --guest ]]; then
	set -e
	cd "$here"
	(($# >= 1)) || { echo "usage: scripts/bench-ab.sh LABEL=MODULE[@key=value,...] ..." >&2; exit 2; }
	variants=()
	for v in "$@"; do
		variant "$v"
		[[ $v == *=* && -f $module ]] || { echo "bench-ab: $v: not LABEL=MODULE with MODULE a file" >&2; exit 2; }
		variants+=("$label=$(realpath "$module")${sysctls:+@$sysctls}")
	done
	scripts/progress.sh "bench-ab: building mrcperf" cargo build --release -q -p mrcperf
	rm -rf "$OUT"
	rc=0
	scripts/host-busy.sh "bench-ab: before the boot" >/dev/null
	scripts/vm.sh --timeout "${BENCH_TIMEOUT:-3600}" -- env BENCH_ROUNDS="$ROUNDS" \
		BENCH_SECONDS="${BENCH_SECONDS:-5}" BENCH_MTUS="${BENCH_MTUS:-1500}" BENCH_CONNS="${BENCH_CONNS:-1}" \
		scripts/bench-ab.sh --guest "${variants[@]}" || rc=$?
	scripts/host-busy.sh "bench-ab: after the runs" >/dev/null
	mkdir -p build/bench
	[[ -f $OUT/bench_ab.json ]] && cp "$OUT/bench_ab.json" build/bench/ && echo "bench-ab: wrote build/bench/bench_ab.json"
	exit "$rc"
fi

# ------------------------------------------------------------------ guest
shift
rc=0
lsmod | grep -q '^mrc ' && { rmmod mrc || exit 1; }
for ((r = 1; r <= ROUNDS; r++)); do
	for v in "$@"; do
		variant "$v"
		echo "bench-ab: round $r, $label"
		insmod "$module" || exit 1
		mkdir -p "$OUT/$label-$r"
		BENCH_OUT="$OUT/$label-$r" BENCH_MRC_SYSCTLS="${sysctls//,/ }" "$here/scripts/bench-cpu.sh" --guest \
			>"$OUT/$label-$r/table.txt" 2>&1 || rc=1
		rmmod mrc || exit 1
	done
done

/usr/bin/python3 - "$OUT" "$ROUNDS" "$@" <<'PY'
import json, statistics, sys
out, rounds, variants = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
labels = [v.split("=", 1)[0] for v in variants]
res = {"rounds": rounds, "variants": variants, "runs": {}}
FIGURES = [("goodput_bps", 1e-6, "Mbit/s", ".0f"), ("cpu_seconds_per_gb", 1, "CPU s/GB", ".1f"),
           ("kernel_cpu_seconds_per_gb", 1, "kernel s/GB", ".1f")]
for label in labels:
    for r in range(1, rounds + 1):
        try:
            runs = json.load(open(f"{out}/{label}-{r}/bench_cpu.json"))["runs"]
        except (OSError, ValueError, KeyError):
            runs = {}
        for name, x in runs.items():
            res["runs"].setdefault(name, {}).setdefault(label, []).append(x)
for name, by_label in res["runs"].items():
    print(f"\n{name}: per round, then the median")
    for key, scale, title, fmt in FIGURES:
        print(f"  {title}")
        for label in labels:
            xs = by_label.get(label, [])
            vals = [x[key] * scale for x in xs if x.get(key) is not None]
            bad = sum(1 for x in xs if not x["intact"] or x.get("retransmitted_packets"))
            cells = "  ".join(format(v, fmt) for v in vals)
            med = format(statistics.median(vals), fmt) if vals else "-"
            note = f"  ({bad} run(s) damaged or retransmitting)" if bad else ""
            print(f"    {label:<12}{cells:<40} median {med}{note}")
json.dump(res, open(f"{out}/bench_ab.json", "w"), indent=1)
PY
exit "$rc"
