#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""AF_MRC from Python through ctypes (libc's socket(2) directly): the family
is usable from any language, with the same results as the C selftest."""
import ctypes
import errno
import os
import sys

from ksft import Tap, mrc_family, skip_unloaded

SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET = 1, 2, 5
SOL_SOCKET, SO_TYPE, SO_PROTOCOL, SO_DOMAIN = 1, 3, 38, 39
MRCPROTO_MRC = 1

libc = ctypes.CDLL(None, use_errno=True)


def sockopt(fd, opt):
    val, size = ctypes.c_int(-1), ctypes.c_uint32(4)
    rc = libc.getsockopt(fd, SOL_SOCKET, opt, ctypes.byref(val), ctypes.byref(size))
    return val.value if rc == 0 else None


def socket_errno(af, stype, proto):
    fd = libc.socket(af, stype, proto)
    if fd >= 0:
        libc.close(fd)
        return 0
    return ctypes.get_errno()


def main():
    af = mrc_family()
    if af is None:
        return skip_unloaded()
    tap = Tap()
    result = tap.result

    fd = libc.socket(af, SOCK_SEQPACKET, 0)
    result(fd >= 0, "socket(AF_MRC, SOCK_SEQPACKET, 0) via ctypes")
    result(sockopt(fd, SO_TYPE) == SOCK_SEQPACKET, "SO_TYPE is SOCK_SEQPACKET")
    result(sockopt(fd, SO_DOMAIN) == af, "SO_DOMAIN is the family")
    result(sockopt(fd, SO_PROTOCOL) == MRCPROTO_MRC, "SO_PROTOCOL is MRCPROTO_MRC")
    result(libc.close(fd) == 0, "close")
    got = socket_errno(af, SOCK_STREAM, 0)
    result(got == errno.ESOCKTNOSUPPORT, f"SOCK_STREAM refused with ESOCKTNOSUPPORT ({os.strerror(got)})")
    got = socket_errno(af, SOCK_SEQPACKET, 17)
    result(got == errno.EPROTONOSUPPORT, f"protocol 17 refused with EPROTONOSUPPORT ({os.strerror(got)})")

    return tap.end()


if __name__ == "__main__":
    sys.exit(main())
