//! In-band connection set-up: the initiator's connect request and its
//! retries, the responder's accept (built from a request the [`Listener`]
//! admitted), the negotiation of MPR, WIMM and dynamic MPR, and the
//! half-open state that ends at the initiator's first packet.
//!
//! [`Listener`]: super::Listener

use super::{
    rx_psn::RxPsnWindow, ConfigError, ConnConfig, ConnState, Connection, PacketError, Storage,
    MAX_MPR,
};
use crate::proto::psn::Psn;
use crate::proto::wire::{ConnNumber, ConnectAcceptRepr, ConnectRequestRepr};

impl<T: Storage> Connection<T> {
    /// An initiator: connection number `local` (non-zero), connecting to
    /// the listener on MRC port `dest_port`, starting its PSNs at
    /// `initial_psn` (random, from the caller). The first
    /// [`poll_transmit`](Self::poll_transmit) emits the connect request.
    pub fn connect(
        cfg: ConnConfig,
        storage: T,
        local: ConnNumber,
        dest_port: u16,
        initial_psn: Psn,
    ) -> Result<Self, ConfigError> {
        let mut conn = Self::new(cfg, storage, local, initial_psn, ConnState::Connecting)?;
        conn.dest_port = dest_port;
        conn.control.connect_request = true;
        Ok(conn)
    }

    /// A responder for a connect request the [`Listener`](super::Listener)
    /// admitted: connection number `local`, PSNs starting at `initial_psn`.
    /// The first [`poll_transmit`](Self::poll_transmit) emits the accept;
    /// the connection is half-open until the initiator's first packet.
    pub fn accept(
        cfg: ConnConfig,
        storage: T,
        local: ConnNumber,
        request: &ConnectRequestRepr,
        initial_psn: Psn,
    ) -> Result<Self, ConfigError> {
        let mut conn = Self::new(cfg, storage, local, initial_psn, ConnState::Accepting)?;
        conn.peer = request.initiator_conn;
        conn.peer_initial_psn = request.initial_psn;
        conn.dest_port = request.dest_port;
        conn.dynamic_mpr = cfg.dynamic_mpr && request.dynamic_mpr;
        conn.take_peer_params(request.initial_psn, request.mpr, request.max_wimm);
        conn.control.connect_accept = true;
        Ok(conn)
    }

    /// What the peer told us in the handshake.
    fn take_peer_params(&mut self, peer_psn: Psn, mpr: u16, max_wimm: u16) {
        self.rx_window = RxPsnWindow::new(peer_psn, self.cfg.rx_window(), &mut self.rx_psns);
        let mpr = mpr.clamp(1, u16::from(MAX_MPR));
        self.tx.peer_mpr_max = mpr;
        self.tx.peer_mpr = mpr;
        self.tx.peer_max_wimm = max_wimm;
    }

    /// Both ends know each other: data may flow.
    pub(super) fn establish(&mut self) {
        self.state = ConnState::Established;
        self.connected_pending = true;
        self.control.connect_accept = false;
        self.tx.rto_deadline = None;
        self.tx.timeouts = 0;
        self.tx.last_retry_at = None;
    }

    pub(super) fn on_accept(&mut self, accept: &ConnectAcceptRepr) -> Result<(), PacketError> {
        match self.state {
            ConnState::Connecting if accept.echo_psn != self.initial_psn => {
                Err(PacketError::BadEcho)
            }
            ConnState::Connecting => {
                self.peer = accept.responder_conn;
                self.peer_initial_psn = accept.initial_psn;
                self.dynamic_mpr = self.cfg.dynamic_mpr && accept.dynamic_mpr;
                self.take_peer_params(accept.initial_psn, accept.mpr, accept.max_wimm);
                self.establish();
                // Confirm at once, so that the responder leaves half-open
                // even when this end has nothing to send.
                self.ack.force();
                Ok(())
            }
            ConnState::Established | ConnState::Closing
                if accept.responder_conn == self.peer
                    && accept.initial_psn == self.peer_initial_psn =>
            {
                // Our confirmation was lost: confirm again.
                self.ack.force();
                Ok(())
            }
            _ => Err(PacketError::UnexpectedOpcode),
        }
    }

    /// A connect request reached an existing responder: the initiator did
    /// not get our accept. Only the very request we accepted is answered.
    pub(super) fn on_duplicate_request(
        &mut self,
        request: &ConnectRequestRepr,
    ) -> Result<(), PacketError> {
        let ours =
            request.initiator_conn == self.peer && request.initial_psn == self.peer_initial_psn;
        match self.state {
            ConnState::Accepting | ConnState::Established if ours => {
                self.control.connect_accept = true;
                Ok(())
            }
            ConnState::Accepting | ConnState::Established => Err(PacketError::WrongConnection),
            _ => Err(PacketError::UnexpectedOpcode),
        }
    }
}
