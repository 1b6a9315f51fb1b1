#!/usr/bin/env bash
# The generic netlink family's spec (Documentation/netlink/specs/mrc.yaml)
# is the one source of its constants and policies: this runs the kernel's
# own YNL generator (tools/net/ynl/ynl-gen-c.py of the 6.12 source the test
# kernel is built from), which first validates the spec against the
# kernel's genetlink-legacy schema, and writes
#   include/uapi/linux/mrc_netlink.h   the uapi header (bindgen gives Rust
#                                      the same constants)
#   rust/mrc_nl_gen.[ch]               the kernel's policies and ops table
#
#   scripts/ynl-gen.sh          regenerate
#   scripts/ynl-gen.sh --check  fail (listing the differences) when the
#                               committed files are not what the spec gives
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${MRC_CACHE:-$HOME/.cache/mrc}
check=${1:-}

src=$(ls -d "$cache"/src/linux-source-6.12-* 2>/dev/null | tail -1) || true
[[ -n $src && -f $src/tools/net/ynl/ynl-gen-c.py ]] ||
	{ echo "ynl-gen: no kernel source in $cache/src (run make kernel)" >&2; exit 1; }

# ynl-gen-c finds the schema next to the spec's directory and names the
# spec relative to a directory holding MAINTAINERS: give it that layout.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/Documentation/netlink/specs" "$tmp/out"
touch "$tmp/MAINTAINERS"
cp "$src/Documentation/netlink/genetlink-legacy.yaml" "$tmp/Documentation/netlink/"
cp "$here/Documentation/netlink/specs/mrc.yaml" "$tmp/Documentation/netlink/specs/"
spec=$tmp/Documentation/netlink/specs/mrc.yaml
gen() { python3 "$src/tools/net/ynl/ynl-gen-c.py" --spec "$spec" "$@"; }

gen --mode uapi --header -o "$tmp/out/mrc_netlink.h"
gen --mode kernel --header -o "$tmp/out/mrc_nl_gen.h"
gen --mode kernel --source -o "$tmp/out/mrc_nl_gen.c"

status=0
# The attribute names the kernel's refusals use (rust/netlink/*.rs:
# Name::new(bindings::MRC_A_..., "name")) must be the spec's.
python3 - "$spec" "$here"/rust/netlink/*.rs <<'PY' || status=1
import re, sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
c = lambda s: s.upper().replace("-", "_")
known = {f"MRC_A_{c(s['name'])}_{c(a['name'])}": a["name"]
         for s in spec["attribute-sets"] for a in s["attributes"]}
bad = 0
for path in sys.argv[2:]:
    for const, name in re.findall(r'Name::new\(\s*bindings::(MRC_A_\w+),\s*"([^"]*)"', open(path).read()):
        if known.get(const) != name:
            print(f"ynl-gen: {path}: {const} is named \"{name}\", the spec says {known.get(const)!r}", file=sys.stderr)
            bad = 1
sys.exit(bad)
PY
for f in include/uapi/linux/mrc_netlink.h rust/mrc_nl_gen.h rust/mrc_nl_gen.c; do
	new=$tmp/out/$(basename "$f")
	if [[ $check == --check ]]; then
		if ! diff -u "$here/$f" "$new"; then
			echo "ynl-gen: $f differs from what the spec gives (run scripts/ynl-gen.sh)" >&2
			status=1
		fi
	else
		cp "$new" "$here/$f"
	fi
done
exit $status
