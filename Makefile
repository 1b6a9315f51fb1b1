# SPDX-License-Identifier: GPL-2.0
# Entry points. `make` builds mrc.ko against KDIR (default: the cached test
# kernel, built on first use); `make run` is the demo, `make test` all tests.
# Everything installs what it needs through scripts/setup.sh first.

SHELL := /bin/bash
KVARIANT ?= release
RUSTC ?= /usr/bin/rustc
RUSTDOC ?= /usr/bin/rustdoc
BINDGEN ?= $(shell command -v bindgen 2>/dev/null || echo $(HOME)/.cargo/bin/bindgen)
KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) LLVM=1 RUSTC=$(RUSTC) RUSTDOC=$(RUSTDOC) BINDGEN=$(BINDGEN)

ifeq ($(KDIR),)
modules: setup
	@$(MAKE) --no-print-directory modules KDIR=$$(scripts/kernel.sh $(KVARIANT) | tail -1)
else
modules:
	@scripts/progress.sh "modules: building mrc.ko against $(KDIR)" $(KMAKE) modules
endif

setup:
	@scripts/setup.sh

kernel: setup
	@scripts/kernel.sh $(KVARIANT) >/dev/null

clean:
	@[ -z "$(KDIR)" ] || $(KMAKE) clean
	rm -f rust/ffi/bindings_generated.rs
	cargo clean

# The demo (scripts/demo.sh) in the VM; serial log: logs/vm-release.log.
# Its series come back in build/vm/release/demo, plotted here on the host
# whether the story happened or not (the pictures show what did).
run: modules
	@scripts/progress.sh "run: building mrcperf (cargo build --release -p mrcperf)" cargo build --release -q -p mrcperf
	@scripts/vm.sh --timeout 600 -- scripts/demo.sh; rc=$$?; \
		/usr/bin/python3 scripts/plot.py story build/vm/release/demo || rc=1; exit $$rc

test: setup
	@scripts/test.sh release

test-debug: setup
	@scripts/test.sh debug

# The shaped fabric (link-bound) at K=4 with 64 EVs and at K=8 with 128
# (build/bench/k8), then the unshaped link (CPU-bound); the first and the
# last write build/bench/bench.json (the last under "cpu").
bench: setup
	@rc=0; scripts/bench.sh || rc=1; \
		BENCH_K=8 BENCH_EVS=128 BENCH_OUT=build/bench/k8 scripts/bench.sh || rc=1; \
		scripts/bench-cpu.sh || rc=1; exit $$rc

bench-cpu: setup
	@scripts/bench-cpu.sh

# The in-VM fuzzer (selftests/mrc_fuzz.py) on the debug kernel for MINUTES;
# make test-debug runs a bounded slice of it.
MINUTES ?= 10
fuzz: setup
	@$(MAKE) --no-print-directory KVARIANT=debug modules
	@mkdir -p build/debug && cp mrc.ko build/debug/mrc.ko
	@scripts/vm.sh --debug --timeout $$(( $(MINUTES) * 60 + 900 )) -- env MRC_FUZZ_SECONDS=$$(( $(MINUTES) * 60 )) \
		bash -c 'insmod build/debug/mrc.ko && selftests/mrc_fuzz.py'

# What CI leaves out for time: the debug kernel's run of the tests that
# selftests/run.sh lists as SOAK_ONLY (the fabric transfer under KASAN),
# and 1000 path flaps during one transfer on the release kernel.
soak: setup
	@scripts/progress.sh "soak: building mrcperf and mrcctl" cargo build --release -q -p mrcperf -p mrcctl
	@$(MAKE) --no-print-directory KVARIANT=debug modules
	@mkdir -p build/debug && cp mrc.ko build/debug/mrc.ko
	@scripts/vm.sh --debug --timeout 3600 -- env MRC_KO=$(CURDIR)/build/debug/mrc.ko MRC_SOAK=1 \
		selftests/run.sh mrc_transfer.sh
	@$(MAKE) --no-print-directory KVARIANT=release modules
	@mkdir -p build/release && cp mrc.ko build/release/mrc.ko
	@scripts/vm.sh --timeout 1800 -- env MRC_KO=$(CURDIR)/build/release/mrc.ko MRC_FLAPS=1000 \
		selftests/run.sh mrc_flaps.sh

.PHONY: modules setup kernel clean run test test-debug bench bench-cpu fuzz soak
