#!/usr/bin/env bash
# Fuzz the protocol core's parsers (rust/proto/fuzz) for a bounded time
# each.
#   FUZZ_SECONDS   seconds per target (default 20)
#   FUZZ_TARGETS   space-separated targets (default: all)
# Exits non-zero if a target crashes (its input is left in
# rust/proto/fuzz/artifacts/<target>/).
set -euo pipefail

CARGO_FUZZ_VERSION=0.13.2
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz_dir="$root/rust/proto/fuzz"

if [[ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

# cargo-fuzz needs -Z flags: the rustup nightly where there is one, else the
# stable toolchain told to accept them (it ships the sanitizer runtime too).
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=+nightly
else
    toolchain=+stable
    export RUSTC_BOOTSTRAP=1
fi

cd "$fuzz_dir"
targets=${FUZZ_TARGETS:-$(cargo $toolchain fuzz list --fuzz-dir "$fuzz_dir")}
for target in $targets; do
    echo "fuzz: $target for ${FUZZ_SECONDS}s"
    mkdir -p "corpus/$target"
    cargo $toolchain fuzz run --fuzz-dir "$fuzz_dir" "$target" "corpus/$target" -- \
        -max_total_time="$FUZZ_SECONDS" -print_final_stats=1
done
echo "fuzz: all targets ran without a crash"
