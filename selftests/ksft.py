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


def own_netns(script, flag):
    """Runs `script` again in a network namespace of its own (its mrc.ko
    state and counters its own) unless `flag` says this is that run;
    returns the exit code, or None in the namespace, lo up."""
    import subprocess
    import sys
    if os.environ.get(flag) == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return None
    return subprocess.run(["unshare", "--net", sys.executable, os.path.abspath(script)],
                          env=dict(os.environ, **{flag: "1"})).returncode


def as_user(uid, work):
    """Runs `work()` in a child with `uid` as its user and group and no
    capabilities; returns the string it returned ("crashed" if it raised)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        out = "crashed"
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            out = str(work())
        finally:
            os.write(w, out.encode())
            os._exit(0)
    os.close(w)
    got = b""
    while chunk := os.read(r, 4096):
        got += chunk
    os.close(r)
    os.waitpid(pid, 0)
    return got.decode()
