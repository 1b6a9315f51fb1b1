#!/bin/bash
# The demo, run inside the VM by `make run`: AF_MRC registered, a socket
# from Python, then the failure story on the leaf/spine fabric
# (selftests/story.sh): one MRC connection sprays its packets over 4
# spines with SRv6, a spine dies and comes back, each step placed by what
# the transfer does. story_check.py tells what was measured and checks
# it: the demo exits non-zero, naming the part, if any part of the story
# did not happen. The recorded series stay in build/vm/<variant>/demo for
# the host's plots.
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
echo "  one MRC connection sprays 32 EVs over the 4 spines (SRv6, EV i via spine i mod 4 + 1);"
echo "  after 3 s of delivered data spine 2 stops forwarding, and it comes back once the others"
echo "  have carried the transfer alone for 3 s; each step waits for what the transfer does"
# topology.sh's helpers use arithmetic tests that "fail" when false.
set +e
. selftests/lib.sh
. selftests/topology.sh
. selftests/story.sh
# The writable share: the host plots from here (scripts/plot.py).
out=$PWD/build/vm/${MRC_VARIANT:-release}/demo
story_run "$out"
run=$?

say "the story, as measured"
python3 selftests/story_check.py "$out"
told=$?
((run == 0)) || echo "  (the transfer or its driver failed; logs: build/vm/${MRC_VARIANT:-release}/demo/*.log)"

say "unloading"
rmmod mrc
echo "  done"
((run == 0 && told == 0))
