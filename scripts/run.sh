#!/usr/bin/env bash
# `make run`: builds everything, boots the test VM, loads mrc.ko and shows
# AF_MRC at work. Serial log: logs/vm-release.log.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
make --no-print-directory modules
exec scripts/vm.sh --timeout 600 -- scripts/demo.sh
