#!/bin/bash
# The demo, run inside the VM by `make run`: AF_MRC registered, a socket
# from Python, then the leaf/spine fabric: one MRC connection sprays its
# packets over 4 spines with SRv6, a spine dies halfway and comes back, and
# the demo prints per-spine traffic, goodput and EV states before, during
# and after the failure.
set -e
say() { printf '\n--- %s\n' "$*"; }
say "guest kernel $(uname -r), $(nproc) CPUs"
say "loading mrc.ko"
insmod mrc.ko
dmesg | grep -E 'AF_MRC' | sed 's/^/  dmesg: /'
af=$(cat /sys/module/mrc/parameters/family)
echo "  AF_MRC is address family $af (/sys/module/mrc/parameters/family)"
grep -E '^(protocol|MRC) ' /proc/net/protocols | cut -c1-40 | sed 's/^/  \/proc\/net\/protocols: /'
echo "  net.mrc.udp_port = $(cat /proc/sys/net/mrc/udp_port)"

say "socket(AF_MRC, SOCK_SEQPACKET, 0) from Python"
python3 - "$af" <<'PY'
import socket, sys
af = int(sys.argv[1])
s = socket.socket(af, socket.SOCK_SEQPACKET)
print(f"  fd {s.fileno()}: type {s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)}, "
      f"protocol {s.getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)}")
try:
    socket.socket(af, socket.SOCK_STREAM)
except OSError as e:
    print(f"  SOCK_STREAM: {e.strerror}")
s.close()
PY

say "the leaf/spine fabric: host A - leaf A - 4 spines - leaf B - host B, each leaf-spine link 20 Mbit/s"
# topology.sh's helpers use arithmetic tests that "fail" when false.
set +e
. selftests/lib.sh
. selftests/topology.sh
PERF=$PWD/target/release/mrcperf
W=$(mktemp -d)
topo_up 4 20mbit 1ms || { echo "  topo_up failed"; exit 1; }
sa=() sb=()
for i in 1 2 3 4; do sa+=("$(topo_container "$i" a)") sb+=("$(topo_container "$i" b)"); done
echo "  SRv6 paths A->B: ${sb[*]}"
ha=$(topo_ns ha) hb=$(topo_ns hb)
# NSCC configured for this fabric, as a controller's CC profile would be:
# 80 Mbit/s in all, and the emulated base RTT.
for n in "$ha" "$hb"; do
	/usr/sbin/ip netns exec "$n" sh -c 'echo 80 >/proc/sys/net/mrc/cc_rate_mbit; echo 4000 >/proc/sys/net/mrc/cc_base_rtt_us'
done
echo "  NSCC: net.mrc.cc_rate_mbit=80, net.mrc.cc_base_rtt_us=4000 on both hosts"
/usr/sbin/ip netns exec "$hb" "$PERF" server --proto mrc --port 7000 --once \
	--srv6 "$(IFS=,; echo "${sa[*]}")" >"$W/server" 2>&1 &
sleep 1

say "one MRC connection, 32 EVs sprayed over the 4 spines; spine 2 dies after 5 s and returns 5 s later"
/usr/sbin/ip netns exec "$ha" "$PERF" client --proto mrc --connect fd00:b::1 --port 7000 \
	--seconds 18 --srv6 "$(IFS=,; echo "${sb[*]}")" --evs 32 --seed 1 -q \
	--json "$W/client.json" --path-info-json "$W/paths.json" --path-info-ms 50 >"$W/client" 2>&1 &
client=$!
t0=$EPOCHREALTIME
phase() { echo "$1 $EPOCHREALTIME $(topo_spine_counters | awk '{printf "%s ", $2}')" >>"$W/phases"; }
# Each phase ends when its marker is written; the blackhole and restore
# commands take time under emulation, so the phases are timed, not assumed.
phase start
sleep 5; phase healthy; topo_blackhole 2; phase blackholing
sleep 5; phase dead; topo_restore 2; phase restoring
wait $client || true
phase restored
cat "$W/client"
/usr/bin/python3 - "$W" "$t0" <<'PY'
import json, sys
w, t0 = sys.argv[1], float(sys.argv[2])
phases = [l.split() for l in open(f"{w}/phases")]
names = {'healthy': 'healthy', 'blackholing': 'tc blackhole', 'dead': 'spine 2 dead', 'restoring': 'tc restore', 'restored': 'restored'}
rep = json.load(open(f"{w}/client.json"))
samples = [json.loads(l) for l in open(f"{w}/paths.json")]
def states(at):
    s = [x for x in samples if "paths" in x and x["epoch"] <= at]
    if not s:
        return "-"
    by = {}
    for p in s[-1]["paths"]:
        spine = p["ev"] % 4 + 1
        by.setdefault(spine, []).append(p["state"])
    return " ".join(f"s{k}:{sum(v == 'GOOD' for v in vs)}/{len(vs)}" for k, vs in sorted(by.items()))
def goodput(t_from, t_to):
    iv = rep["intervals"]
    b = sum(i["bytes"] for i in iv if t_from - t0 <= i["t"] < t_to - t0)
    return b * 8 / max(t_to - t_from, 1e-9) / 1e6
print("  phase (until)         packets via spine 1..4 (A->B)   goodput      GOOD EVs per spine at its end")
for (_, t, *c), (name, t1, *c1) in zip(phases, phases[1:]):
    name = names[name]
    d = [int(b) - int(a) for a, b in zip(c, c1)]
    print(f"  {name + ' ' + format(float(t1) - float(t), '.1f') + ' s':<22}{' '.join(f'{x:>7}' for x in d)}  "
          f"{goodput(float(t), float(t1)):6.1f} Mbit/s  {states(float(t1))}")
fault, placed = float(phases[1][1]), float(phases[2][1])
bad = [x for x in samples if "paths" in x and x["epoch"] >= fault
       and any(p["state"] == "ASSUMED_BAD" for p in x["paths"])]
if bad:
    print(f"  spine 2's EVs were ASSUMED_BAD {1000 * (bad[0]['epoch'] - placed):+.0f} ms from the end of the "
          f"{1000 * (placed - fault):.0f} ms tc command that blackholed it (sampled every 50 ms)")
print(f"  data intact: {rep['intact']}, {rep['bytes_received']} bytes; goodput {rep['goodput_bps'] / 1e6:.1f} Mbit/s "
      f"of 80 Mbit/s over the whole run")
PY
topo_down
rm -rf "$W"

say "unloading"
rmmod mrc
echo "  done"
