#!/usr/bin/env bash
# Boots the test kernel in QEMU and runs one command inside it.
#
#   scripts/vm.sh [--debug] [--timeout SECONDS] [--log FILE] -- COMMAND...
#
# The guest's root is the host's file system, shared read-only over
# virtio-9p (as virtme-ng does), so the repository, mrc.ko, python3 and
# iproute2 are all there at the same paths; a writable share at
# build/vm/<variant> carries the exit status (and anything a test writes)
# back. TCG by default; KVM only if a short probe boot succeeded on this
# machine (/dev/kvm can exist and hang). The serial log is kept; any kernel
# warning, BUG, oops, KASAN, lockdep or kmemleak report in it fails the run.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
variant=release timeout=900 log=
while (($#)); do
	case $1 in
	--debug) variant=debug ;;
	--timeout) timeout=$2; shift ;;
	--log) log=$2; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
	shift
done
(($#)) || { echo "usage: $0 [--debug] [--timeout S] [--log FILE] -- COMMAND..." >&2; exit 2; }

kdir=$("$here/scripts/kernel.sh" "$variant" | tail -1)
out=$here/build/vm/$variant
mkdir -p "$out"
rm -f "$out/status" "$out/cmd" "$out/dmesg"
log=${log:-$here/logs/vm-$variant.log}
mkdir -p "$(dirname "$log")"
printf '%q ' "$@" >"$out/cmd"

accel=tcg
kvm_ok=${MRC_CACHE:-$HOME/.cache/mrc}/kvm-ok
if [[ -z ${MRC_NO_KVM:-} && -w /dev/kvm ]]; then
	if [[ ! -f $kvm_ok.checked ]]; then
		# A probe: boot to the guest init with KVM and give it 20 s.
		if timeout 20 qemu-system-x86_64 -accel kvm -m 256 -nographic -no-reboot \
			-kernel "$kdir/arch/x86/boot/bzImage" -append "console=ttyS0 panic=-1" 2>/dev/null \
			| grep -q "Linux version"; then
			touch "$kvm_ok"
		fi
		touch "$kvm_ok.checked"
	fi
	[[ -f $kvm_ok ]] && accel=kvm
fi

cpus=$(nproc)
((cpus > 2)) && cpus=2
# The guest needs a ns clock: TSC, trusted (TCG's is steady, its jiffies
# are not) and not calibrated against a PIT that a loaded host delays.
khz=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
cmdline="console=ttyS0 loglevel=4 tsc=reliable${khz:+ tsc_early_khz=$khz} root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144 ro"
cmdline+=" init=$here/scripts/guest-init.sh panic=-1 oops=panic mrc.out=$out mrc.repo=$here mrc.variant=$variant"
# ACPI is there for the MADT (the guest's CPUs); the PCI interrupt routing
# comes from the BIOS's $PIR table instead: under KASAN and TCG the _PRT
# method ran past ACPICA's loop timeout, the virtio devices got no IRQ, and
# the debug kernel never finished booting.
cmdline+=" acpi=noirq"
echo "vm: booting the $variant kernel in QEMU ($accel, $cpus CPUs); serial log: $log"
# Until the guest's first line, a line every 20 s (under TCG the boot
# alone can take a minute on a busy machine).
: >"$log"
(
	t=0
	while sleep 20; do
		t=$((t + 20))
		grep -q '^MRC-GUEST-BEGIN' "$log" 2>/dev/null && exit 0
		echo "vm: still booting ($t s)"
	done
) &
booting=$!
set +e
timeout --foreground -k 10 "$timeout" qemu-system-x86_64 -accel "$accel" -m 2048 -smp "$cpus" \
	-nographic -no-reboot -kernel "$kdir/arch/x86/boot/bzImage" -append "$cmdline" \
	-fsdev local,id=root,path=/,security_model=none,readonly=on \
	-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root \
	-fsdev local,id=out,path="$out",security_model=none \
	-device virtio-9p-pci,fsdev=out,mount_tag=mrc-out \
	</dev/null 2>&1 | tee "$log" | sed -u -n '/^MRC-GUEST-BEGIN/,/^MRC-GUEST-END/{/^MRC-GUEST-/d;p}'
qemu_rc=${PIPESTATUS[0]}
kill "$booting" 2>/dev/null
set -e

if ((qemu_rc == 124)); then
	echo "vm: timed out after ${timeout}s (log: $log)" >&2
	exit 1
fi
# The console shows errors and worse; the guest's dmesg (saved at the end)
# has warnings too. Only kernel messages count (each has its
# CONFIG_PRINTK_TIME stamp, even mid-line) and kmemleak's list (which
# guest-init prints unstamped): a test's own output may name a report's
# word, as a skip reason that says "KASAN" does.
[[ -f $out/dmesg ]] && cat "$out/dmesg" >>"$log"
reports=$(grep -E '^unreferenced object|\[ *[0-9]+\.[0-9]+\] .*(WARNING:|BUG:|Oops|KASAN|Kernel panic|unreferenced object|possible circular|possible recursive|inconsistent lock|suspicious RCU|rcu_sched self-detected|general protection|UBSAN|refcount_t:)' "$log" || true)
if [[ -n $reports ]]; then
	echo "vm: the kernel reported problems (log: $log):" >&2
	echo "$reports" | head -20 >&2
	exit 1
fi
[[ -f $out/status ]] || { echo "vm: the guest ended without a status (log: $log)" >&2; exit 1; }
exit "$(cat "$out/status")"
