#!/bin/bash
# PID 1 of the test VM (see scripts/vm.sh): mounts what a test needs on top
# of the read-only 9p root, runs the command the host left in the output
# share, writes its exit status there and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# What udev would add: /dev/fd (bash's process substitution) and the
# standard streams.
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
out= repo=
for arg in $(cat /proc/cmdline); do
	case $arg in
	mrc.out=*) out=${arg#mrc.out=} ;;
	mrc.repo=*) repo=${arg#mrc.repo=} ;;
	mrc.variant=*) export MRC_VARIANT=${arg#mrc.variant=} ;;
	esac
done
# Writable scratch space. A repository that lives under one of these (a
# clone in /tmp) is bound back from the host root after they are mounted.
mount -t tmpfs run /run
mkdir -p /run/host /run/netns
mount --bind / /run/host
for d in /tmp /var/tmp; do mount -t tmpfs tmp "$d" 2>/dev/null; done
if [[ ! -d $repo/scripts ]]; then
	mkdir -p "$repo" && mount --bind "/run/host$repo" "$repo"
fi
[[ -d /sys/kernel/debug ]] && mount -t debugfs debugfs /sys/kernel/debug
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 mrc-out "$out"
ip link set lo up
cd "$repo"
echo MRC-GUEST-BEGIN
bash -c "$(cat "$out/cmd")" </dev/null 2>&1
status=$?
if [[ -w /sys/kernel/debug/kmemleak ]]; then
	# Leaks show up as "unreferenced object" in the log, which the host reads.
	echo scan >/sys/kernel/debug/kmemleak; sleep 1; echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
fi
echo MRC-GUEST-END
dmesg >"$out/dmesg"
echo "$status" >"$out/status"
sync
/bin/busybox reboot -f
