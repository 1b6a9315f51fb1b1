//! What the namespace's endpoint hands a socket (`Recipient`): packets for
//! its connection, connect requests for its listener, and the namespace's
//! end, which resets it.

use super::{Endpoint, MrcSock, Phase};
use crate::endpoint::{Mib, Recipient};
use crate::ffi::skb::Datagram;
use crate::proto::conn::ListenAction;
use crate::proto::wire::{ConnectRequestRepr, RejectReason};
use kernel::sync::Arc;

impl Recipient for MrcSock {
    /// Whether this socket listens (checked by the receive path before it
    /// hands over a connect request).
    fn is_listening(&self) -> bool {
        matches!(self.inner.lock().phase, Phase::Listening(_))
    }

    /// Packets for this connection (from the endpoint's work), all under
    /// one hold of the socket's mutex: then one round of sending and one
    /// wake-up for all of them.
    fn on_packets<'a>(self: &Arc<Self>, ep: &Endpoint, dgrams: impl Iterator<Item = &'a Datagram>) {
        let mut g = self.inner.lock();
        let rcvbuf = self.rcvbuf();
        let Phase::Conn(conn) = &mut g.phase else {
            dgrams.for_each(|_| ep.count(Mib::InNoConnection));
            return;
        };
        let now = crate::clock::now_ns();
        for dgram in dgrams {
            // Only the peer speaks for a connection: a packet naming its
            // number from any other address is refused before the core
            // sees it.
            if dgram.src() != conn.peer.addr {
                ep.count(Mib::InWrongPeer);
                continue;
            }
            conn.input(ep, now, dgram.payload(), rcvbuf);
        }
        let deferred = self.drive(&mut g);
        drop(g);
        MrcSock::finish(self.as_arc_borrow(), deferred);
    }

    /// Resets the connection (or, for a listener, its children).
    fn abort(self: &Arc<Self>) {
        let mut g = self.inner.lock();
        let children = match &mut g.phase {
            Phase::Conn(conn) => {
                conn.core_mut().reset();
                let d = self.drive(&mut g);
                self.retire(&mut g);
                drop(g);
                MrcSock::finish(self.as_arc_borrow(), d);
                return;
            }
            Phase::Listening(l) => Some(l.drain()),
            Phase::Idle => None,
        };
        drop(g);
        if let Some(children) = children {
            for c in children.iter() {
                c.abort();
            }
        }
    }

    /// A connect request for this listener (from the endpoint's work).
    fn on_request(self: &Arc<Self>, ep: &Endpoint, dgram: &Datagram, request: &ConnectRequestRepr) {
        let origin = (dgram.src(), request.initiator_conn.get());
        let mut g = self.inner.lock();
        let (cfg, port) = (g.cfg, g.local.map(|l| l.port).unwrap_or(0));
        if g.released {
            // Closed after the request was dispatched to it.
            return;
        }
        let Phase::Listening(l) = &mut g.phase else {
            return;
        };
        if let Some(child) = l.find(origin) {
            drop(g);
            child.on_packets(ep, core::iter::once(dgram));
            return;
        }
        if l.ready.len() >= l.backlog {
            let mut buf = [0u8; 64];
            if let ListenAction::Reply { len } =
                l.listener
                    .reject(request, 0xFFFF, RejectReason::BacklogFull, &mut buf)
            {
                ep.reply_bytes(dgram, buf.get(..len).unwrap_or(&[]));
            }
            return;
        }
        let mut buf = [0u8; 64];
        let action = l.listener.handle_packet(dgram.payload(), &mut buf);
        let paths = g.paths.try_clone();
        // The child is built without the listener's mutex: two sockets'
        // mutexes are never held at once. Only this namespace's receive
        // work admits children, so none can race in meanwhile.
        drop(g);
        let request = match action {
            ListenAction::Accept {
                request, displaces, ..
            } => {
                if displaces {
                    displace_oldest(self, ep);
                }
                request
            }
            ListenAction::Reply { len } => {
                ep.reply_bytes(dgram, buf.get(..len).unwrap_or(&[]));
                return;
            }
            ListenAction::Drop(_) => {
                ep.count(Mib::InMalformed);
                return;
            }
        };
        let spawned = paths.and_then(|p| self.spawn(ep, origin, cfg, port, dgram, &request, p));
        let mut g = self.inner.lock();
        let released = g.released;
        let Phase::Listening(l) = &mut g.phase else {
            drop(g);
            if let Ok(child) = spawned {
                child.abort();
            }
            return;
        };
        if released {
            // Closed meanwhile: a child it admitted now would never be
            // accepted, and would hold the listener for ever.
            l.listener.half_open_done();
            drop(g);
            if let Ok(child) = spawned {
                child.abort();
            }
            return;
        }
        let child = match spawned {
            Ok(child) => child,
            Err(_) => {
                l.listener.half_open_done();
                if let ListenAction::Reply { len } =
                    l.listener
                        .reject(&request, 0xFFFF, RejectReason::NoResource, &mut buf)
                {
                    ep.reply_bytes(dgram, buf.get(..len).unwrap_or(&[]));
                }
                return;
            }
        };
        if l.half_open.push(origin, child.clone()).is_err() {
            l.listener.half_open_done();
            drop(g);
            child.abort();
            return;
        }
        drop(g);
        ep.count(Mib::PassiveOpens);
        let mut cg = child.inner.lock();
        let d = child.drive(&mut cg);
        drop(cg);
        MrcSock::finish(child.as_arc_borrow(), d);
    }
}

/// Resets the oldest half-open child, whose place in the backlog a
/// newer request takes (see `Listener`): without a mutex held, as
/// every abort.
fn displace_oldest(listener: &MrcSock, ep: &Endpoint) {
    let mut g = listener.inner.lock();
    let oldest = match &mut g.phase {
        Phase::Listening(l) => l.half_open.take_oldest(),
        _ => None,
    };
    drop(g);
    if let Some(child) = oldest {
        ep.count(Mib::HalfOpenDisplaced);
        child.abort();
    }
}
