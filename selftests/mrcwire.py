# SPDX-License-Identifier: GPL-2.0
"""MRC packets built by hand from Documentation/wire-format.rst, for tests
and the demo to speak to mrc.ko over a plain UDP socket."""
import struct

OP_PROBE_REQUEST, OP_PROBE_RESPONSE = 0xE0, 0xE1
OP_CONNECT_REQUEST, OP_CONNECT_REJECT = 0xF0, 0xF2


def base(opcode, dest_conn=0, pkey=0xFFFF):
    """The 12-byte base header: opcode, trim/version, pkey, connection, ack-req, PSN."""
    return struct.pack(">BBHII", opcode, 0, pkey, dest_conn & 0xFFFFFF, 0)


def probe_request(probe_id, ev, ts):
    return base(OP_PROBE_REQUEST) + struct.pack(">IHHQI", probe_id, ev, 0, ts, 0)


def parse_probe_response(pkt):
    """(probe id, EV index, timestamp echo, service time ns), or None."""
    if len(pkt) != 32 or pkt[0] != OP_PROBE_RESPONSE:
        return None
    probe_id, ev, _, echo, service = struct.unpack(">IHHQI", pkt[12:32])
    return probe_id, ev, echo, service


def connect_request(conn, port):
    """Initiator conn, initial PSN, MPR, WIMM, port, flags, EV and CC profile ids."""
    return base(OP_CONNECT_REQUEST) + struct.pack(">IIHHHBBQQ", conn, 1234, 4, 8, port, 0, 0, 0, 0)
