#!/usr/bin/env bash
# Builds the test kernel (release or debug) from Debian's linux-source-6.12
# with LLVM=1 and Debian's rustc, configured from tinyconfig plus the
# fragments in selftests/. The build tree is cached outside the repository,
# keyed by the fragments, this script, the source version and the
# tool-chain versions, so only a change rebuilds. Prints the build tree path
# (a valid KDIR) on its last line of stdout.
set -euo pipefail

variant=${1:-release}
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${MRC_CACHE:-$HOME/.cache/mrc}
log() { printf 'kernel: %s\n' "$*" >&2; }
die() { printf 'kernel: error: %s\n' "$*" >&2; exit 1; }

fragments=("$here/selftests/config")
case $variant in
release) ;;
debug) fragments+=("$here/selftests/config.debug") ;;
*) die "unknown variant '$variant' (release|debug)" ;;
esac

tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | head -1) || true
[[ -n $tarball ]] || die "no /usr/src/linux-source-6.12*.tar.xz: run scripts/setup.sh"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
BINDGEN=${BINDGEN:-$(command -v bindgen || echo "$HOME/.cargo/bin/bindgen")}
# Bump RECIPE when a change here changes what is built (not how it is shown).
RECIPE=1
key=$( { cat "${fragments[@]}"; echo "recipe $RECIPE $srcver"; /usr/bin/rustc --version; clang --version | head -1;
	"$BINDGEN" --version; } | sha256sum | cut -c1-12)
out=$cache/kernel-$variant-$key

# One build of a tree at a time: a second `make` waits for the first
# instead of deleting the tree under it.
mkdir -p "$cache"
exec 9>"$cache/.lock-$variant"
flock 9 || die "cannot lock $cache/.lock-$variant"

src=$cache/src/linux-source-6.12-$srcver
mk=(make -C "$src" O="$out" LLVM=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc BINDGEN="$BINDGEN")

# Module.symvers (what out-of-tree modules link against) comes from a
# `modules` pass over the built tree; it takes seconds.
symvers() {
	[[ -f $out/Module.symvers ]] || "${mk[@]}" -s -j"$(nproc)" modules >>"$out/build.log" 2>&1 \
		|| die "make modules failed (log: $out/build.log)"
}

if [[ -f $out/.mrc-built ]]; then
	symvers
	log "cached $variant kernel: $out"
	echo "$out"
	exit 0
fi

# The source tree is shared by both variants: one unpacks it, the other waits.
exec 8>"$cache/.lock-src"
flock 8 || die "cannot lock $cache/.lock-src"
if [[ ! -f $src/.mrc-unpacked ]]; then
	log "unpacking $tarball"
	rm -rf "$src" && mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	touch "$src/.mrc-unpacked"
fi
exec 8>&-

rm -rf "$out" && mkdir -p "$out"
"${mk[@]}" -s rustavailable >/dev/null || die "Rust is not available for this kernel (see make rustavailable)"
"${mk[@]}" -s tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >/dev/null
"${mk[@]}" -s olddefconfig >/dev/null
# An option that did not stick (unmet dependency) must fail here, not at test time.
bad=0
while IFS= read -r line; do
	[[ $line =~ ^CONFIG_ ]] || continue
	opt=${line%%=*} want=${line#*=}
	if [[ $want == n ]]; then
		grep -q "^$opt=" "$out/.config" && { log "$opt is set, wanted off"; bad=1; }
	else
		grep -qx "$line" "$out/.config" || { log "$opt: wanted $want, got '$(grep "^$opt=" "$out/.config" || echo unset)'"; bad=1; }
	fi
done < <(cat "${fragments[@]}")
((bad == 0)) || die "config fragment did not apply"

jobs=$(($(nproc) + 1))
log "building the $variant kernel in $out (-j$jobs, about 6 minutes on 2 cores; log in $out/build.log)"
start=$SECONDS
"${mk[@]}" -j"$jobs" bzImage modules_prepare >"$out/build.log" 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
	sleep 30
	kill -0 "$pid" 2>/dev/null && log "  ... $((SECONDS - start)) s, $(grep -c '^  [A-Z]' "$out/build.log" || true) steps"
done
wait "$pid" || { tail -30 "$out/build.log" >&2; die "kernel build failed (full log: $out/build.log)"; }
symvers
touch "$out/.mrc-built"
log "built in $((SECONDS - start)) s: $out/arch/x86/boot/bzImage"
echo "$out"
