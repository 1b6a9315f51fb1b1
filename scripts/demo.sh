#!/bin/bash
# The demo, run inside the VM by `make run`: AF_MRC registered, a
# socket from Python, and the MRC endpoints of two namespaces talking over a
# veth pair (a probe answered with its service time, a connect request to a
# port nobody listens on rejected, a malformed packet counted).
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

say "two namespaces: host A speaks MRC by hand from UDP 4791, host B's mrc.ko answers"
ip netns add demo-a && ip netns add demo-b
ip link add veth-a netns demo-a type veth peer veth-b netns demo-b
ip -n demo-a addr add fd00::a/64 dev veth-a nodad && ip -n demo-a link set veth-a up
ip -n demo-b addr add fd00::b/64 dev veth-b nodad && ip -n demo-b link set veth-b up
ip netns exec demo-a sh -c 'echo 5000 > /proc/sys/net/mrc/udp_port'
ip netns exec demo-a python3 - <<'PY'
import socket, sys, time
sys.path.insert(0, "selftests")
from mrcwire import connect_request, parse_probe_response, probe_request
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("fd00::a", 4791))
s.settimeout(5)
for ev in range(4):
    t = time.monotonic_ns()
    s.sendto(probe_request(100 + ev, ev, t), ("fd00::b", 4791))
    pid, got_ev, echo, service = parse_probe_response(s.recvfrom(64)[0])
    rtt = time.monotonic_ns() - echo - service
    print(f"  probe {pid} on EV {got_ev}: RTT {rtt / 1000:.0f} us (B held it {service / 1000:.0f} us)")
s.sendto(connect_request(0x42, 80), ("fd00::b", 4791))
reply = s.recvfrom(64)[0]
print(f"  connect request to MRC port 80: opcode {reply[0]:#x} (CONNECT_REJECT), reason {reply[12]} (NO_LISTENER)")
s.sendto(b"not an MRC packet", ("fd00::b", 4791))
PY
sleep 1
echo "  host B's /proc/net/mrc_snmp:"
ip netns exec demo-b cat /proc/net/mrc_snmp | grep -v ' 0$' | sed 's/^/    /'
ip netns del demo-a; ip netns del demo-b

say "unloading"
rmmod mrc
echo "  done"
