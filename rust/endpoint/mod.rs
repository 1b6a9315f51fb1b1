//! The MRC endpoint of one network namespace: what happens to every packet
//! the namespace's tunnel socket receives. It validates the packet with the
//! protocol core's parser, answers what needs no connection (probes,
//! connect requests to a port nobody listens on) and counts everything.

mod mib;

use crate::ffi::proc::{Lines, Show};
use crate::ffi::udp::{Datagram, Receiver, Route, Sender};
use crate::proto::wire::{Body, ConnNumber, ConnectRejectRepr, Packet, RejectReason};
use kernel::prelude::*;
use mib::Counters;
pub(crate) use mib::Mib;

/// Per-namespace endpoint state, shared by the tunnel socket (softirq) and
/// the rest of the module.
pub(crate) struct Endpoint {
    counters: Counters,
}

impl Endpoint {
    pub(crate) const fn new() -> Self {
        Self {
            counters: Counters::new(),
        }
    }

    /// Counts one event.
    pub(crate) fn count(&self, mib: Mib) {
        self.counters.inc(mib);
    }

    /// Sends `reply` back along the path `dgram` came by.
    fn reply(&self, tx: &Sender<'_>, dgram: &Datagram<'_>, reply: &Packet<'_>) {
        let route = Route {
            src: &dgram.dst,
            dst: &dgram.src,
            src_port: dgram.src_port,
            flow_label: dgram.flow_label,
        };
        let sent = tx.send(&route, reply.header_len(), |buf| {
            reply.emit(buf).map(|_| ()).map_err(|_| EINVAL)
        });
        self.count(if sent.is_ok() {
            Mib::OutPackets
        } else {
            Mib::OutErrors
        });
    }
}

impl Receiver for Endpoint {
    fn receive(&self, tx: &Sender<'_>, dgram: &Datagram<'_>) {
        self.count(Mib::InDatagrams);
        let Ok(packet) = Packet::parse(dgram.payload) else {
            self.count(Mib::InMalformed);
            return;
        };
        match packet.body {
            Body::ProbeRequest(request) => {
                self.count(Mib::InProbeRequests);
                let held = crate::clock::now_ns().saturating_sub(dgram.arrival_ns);
                let service_time = u32::try_from(held).unwrap_or(u32::MAX);
                let response = Packet {
                    pkey: packet.pkey,
                    dest_conn: ConnNumber::NONE,
                    body: Body::ProbeResponse(request.response(service_time)),
                };
                self.reply(tx, dgram, &response);
            }
            Body::ProbeResponse(_) => self.count(Mib::InUnexpectedProbeResponses),
            Body::ConnectRequest(request) => {
                self.count(Mib::InNoListener);
                let reject = Packet {
                    pkey: packet.pkey,
                    dest_conn: request.initiator_conn,
                    body: Body::ConnectReject(ConnectRejectRepr {
                        reason: RejectReason::NoListener,
                    }),
                };
                self.reply(tx, dgram, &reject);
            }
            _ => self.count(Mib::InNoConnection),
        }
    }

    fn malformed(&self) {
        self.count(Mib::InDatagrams);
        self.count(Mib::InMalformed);
    }
}

impl Show for Endpoint {
    fn show(&self, lines: &mut Lines) {
        self.counters.each(|name, value| lines.put(name, value));
    }
}
