#!/bin/bash
# The demo, run inside the VM by scripts/run.sh.
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
say "unloading"
rmmod mrc
echo "  done; the kernel logged no warning"
