//! EV probes: connectionless request/response on one EV. The requester is
//! a connection (the probe id is its connection number, so that the caller
//! can route the response back to it); any host answers with
//! [`answer_probe`], without connection state.

use super::{Connection, PacketError, Storage};
use crate::proto::wire::{Body, ConnNumber, Packet, ProbeResponseRepr};

/// Answer a probe request: writes the response into `buf` and returns its
/// length, or `None` if `bytes` is not a valid probe request (or `buf` is
/// too small). `service_time_ns` is how long the request waited here. The
/// response goes back on the EV the request came on.
pub fn answer_probe(bytes: &[u8], service_time_ns: u32, buf: &mut [u8]) -> Option<usize> {
    let packet = Packet::parse(bytes).ok()?;
    let Body::ProbeRequest(request) = packet.body else {
        return None;
    };
    let response = Packet {
        pkey: packet.pkey,
        dest_conn: ConnNumber::NONE,
        body: Body::ProbeResponse(request.response(service_time_ns)),
    };
    response.emit(buf).ok()
}

impl<T: Storage> Connection<T> {
    pub(super) fn on_probe_response(
        &mut self,
        now: u64,
        response: &ProbeResponseRepr,
    ) -> Result<(), PacketError> {
        if response.probe_id != self.local.get() {
            return Err(PacketError::WrongConnection);
        }
        if response.ev_index >= self.paths.ev_count() {
            return Err(PacketError::BadEv);
        }
        if response.timestamp_echo > now {
            return Err(PacketError::BadTimestamp);
        }
        if !self
            .paths
            .answers_probe(response.ev_index, response.timestamp_echo)
        {
            return Err(PacketError::NoProbeOutstanding);
        }
        let rtt = now
            .saturating_sub(response.timestamp_echo)
            .saturating_sub(u64::from(response.service_time));
        self.paths.on_probe_reply(response.ev_index, now, rtt);
        Ok(())
    }
}
