#!/usr/bin/env bash
# Installs everything mrc needs on a Debian 12 machine: the kernel build
# chain of shared/design/TOOLCHAIN.md (Debian packages + a pinned bindgen-cli),
# the VM, and matplotlib for the plots of `make run` and `make bench`.
# Idempotent: when everything is present it only checks and returns in a
# second or two.
set -euo pipefail

BINDGEN_VERSION=0.73.2
PACKAGES=(
	linux-source-6.12 rustc-web rust-web-src cargo-web rust-web-clippy
	clang lld llvm libclang-dev
	flex bison bc libelf-dev libssl-dev cpio kmod dwarves xz-utils make
	qemu-system-x86 busybox-static iproute2 python3 gcc libc6-dev
	python3-matplotlib linux-perf
)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
	say "installing Debian packages: ${missing[*]}"
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null || die "not root and no sudo: install as root: apt-get install ${missing[*]}"
		SUDO=sudo
	else
		SUDO=
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q || die "apt-get update failed"
	$SUDO apt-get install -y -q --no-install-recommends -o Dpkg::Progress-Fancy=0 \
		-o APT::Status-Fd=1 "${missing[@]}" | grep --line-buffered -E '^(pmstatus|Setting up|E:)' \
		| sed -u 's/^pmstatus:[^:]*:\([0-9.]*\):/  [\1%] /' || true
	for p in "${missing[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
			|| die "package $p could not be installed"
	done
fi

# bindgen: the kernel's Rust build needs the CLI; pin it so builds are reproducible.
BINDGEN=${CARGO_HOME:-$HOME/.cargo}/bin/bindgen
if ! { [[ -x $BINDGEN ]] && "$BINDGEN" --version 2>/dev/null | grep -q " $BINDGEN_VERSION\$"; }; then
	command -v cargo >/dev/null || die "cargo not found (needed to install bindgen-cli $BINDGEN_VERSION)"
	say "installing bindgen-cli $BINDGEN_VERSION from crates.io (about a minute)"
	cargo install --locked --quiet bindgen-cli --version "$BINDGEN_VERSION" \
		|| die "cargo install bindgen-cli $BINDGEN_VERSION failed"
fi

[[ -x /usr/bin/rustc ]] || die "/usr/bin/rustc (Debian rustc-web) missing"
compgen -G "/usr/src/linux-source-6.12*.tar.xz" >/dev/null || die "linux-source-6.12 tarball missing in /usr/src"
say "toolchain ready (rustc $(/usr/bin/rustc --version | cut -d' ' -f2), bindgen $BINDGEN_VERSION, $(clang --version | head -1 | grep -o 'version [0-9.]*'))"
