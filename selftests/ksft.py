# SPDX-License-Identifier: GPL-2.0
"""TAP 13 output and kselftest exit codes for the Python selftests."""
import os

KSFT_PASS, KSFT_FAIL, KSFT_SKIP = 0, 1, 4


class Tap:
    """Numbers the checks, prints one TAP line each, and gives the exit code."""

    def __init__(self):
        self.n = self.failed = 0
        print("TAP version 13", flush=True)

    def result(self, ok, name):
        self.n += 1
        self.failed += not ok
        print(f"{'' if ok else 'not '}ok {self.n} - {name}", flush=True)

    def end(self):
        """The plan and the exit code; a test that ran no check did not
        pass (skip_unloaded and skip_missing are the way to run none)."""
        print(f"1..{self.n}", flush=True)
        if self.n == 0:
            print("# no check ran", flush=True)
        return KSFT_FAIL if self.failed or self.n == 0 else KSFT_PASS


def mrc_family():
    """The family number mrc.ko registered, or None if it is not loaded."""
    try:
        with open("/sys/module/mrc/parameters/family") as f:
            return int(f.read())
    except OSError:
        return None


def skip_unloaded():
    print("# mrc.ko is not loaded\n1..0 # SKIP", flush=True)
    return KSFT_SKIP


def mrcctl():
    """The mrcctl binary the tests run ($MRC_CTL, else the release build)."""
    return os.environ.get("MRC_CTL", os.path.join(os.environ.get("MRC_REPO", "."),
                                                  "target/release/mrcctl"))


def skip_missing(path, crate):
    print(f"# {path} missing (cargo build --release -p {crate})\n1..0 # SKIP", flush=True)
    return KSFT_SKIP
