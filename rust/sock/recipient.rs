//! What the namespace's endpoint hands a socket (`Recipient`): packets for
//! its connection, connect requests for its listener and the packets that
//! complete the handshakes it answered, and the namespace's end, which
//! resets it.

use super::conn::random_psn;
use super::listen::Answered;
use super::{Endpoint, MrcSock, Phase};
use crate::endpoint::{Mib, Origin, Recipient};
use crate::ffi::skb::Datagram;
use crate::proto::conn::{AnsweredRequest, ListenAction, MAX_HEADER_LEN};
use crate::proto::wire::{ConnectRequestRepr, RejectReason};
use core::ops::Deref;
use kernel::sync::Arc;

impl Recipient for MrcSock {
    fn origin(&self) -> Option<Origin> {
        self.origin
    }

    /// Whether this socket listens (checked by the receive path before it
    /// hands over a connect request).
    fn is_listening(&self) -> bool {
        matches!(self.inner.lock().phase, Phase::Listening(_))
    }

    /// Packets for this connection (from the endpoint's work), all under
    /// one hold of the socket's mutex: then one round of sending and one
    /// wake-up for all of them. What they make it allocate is charged to
    /// the socket's memory cgroup.
    fn on_packets<D: Deref<Target = Datagram>>(
        self: &Arc<Self>,
        ep: &Endpoint,
        dgrams: impl Iterator<Item = D>,
    ) {
        self.slot.charged(|| {
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
                conn.input(ep, now, &dgram, rcvbuf);
            }
            let deferred = self.drive(&mut g);
            drop(g);
            MrcSock::finish(self.as_arc_borrow(), deferred);
        })
    }

    /// Resets the connection (or, for a listener, its children; its
    /// answered requests are forgotten).
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
            Phase::Listening(l) => {
                l.timer_at = None;
                self.timer.cancel();
                Some(l.drain(&self.endpoint))
            }
            Phase::Idle => None,
        };
        drop(g);
        if let Some(children) = children {
            for c in children.iter() {
                c.abort();
            }
        }
    }

    /// A connect request for this listener (from the endpoint's work):
    /// answered with an accept, without a connection yet (see
    /// `AnsweredRequest`).
    fn on_request(self: &Arc<Self>, ep: &Endpoint, dgram: &Datagram, request: &ConnectRequestRepr) {
        let origin = (dgram.src(), request.initiator_conn.get());
        let mut g = self.inner.lock();
        let cfg = g.cfg;
        let released = g.released;
        let Phase::Listening(l) = &mut g.phase else {
            ep.count(Mib::InNoListener);
            return;
        };
        if released {
            // Closed after the request was dispatched to it.
            ep.count(Mib::InNoListener);
            return;
        }
        if let Some(a) = l.answered.find(&origin) {
            // Our accept was lost: the same one again.
            a.send_accept(ep, cfg.accept_params());
            return;
        }
        let mut buf = [0u8; 64];
        if l.ready.len() >= l.backlog {
            ep.count(Mib::ListenOverflows);
            if let ListenAction::Reply { len } =
                l.listener
                    .reject(request, 0xFFFF, RejectReason::BacklogFull, &mut buf)
            {
                ep.reply_bytes(dgram, buf.get(..len).unwrap_or(&[]));
            }
            return;
        }
        // Dispatched as a connect request, so whole in `head`, which holds
        // any control packet; anything longer is refused as malformed.
        let mut head = [0u8; MAX_HEADER_LEN];
        let bytes = Some(dgram.start(&mut head)).filter(|b| b.len() == dgram.len());
        let bytes = bytes.unwrap_or(&[]);
        let (request, pkey, displaced) = match l.listener.handle_packet(bytes, &mut buf) {
            ListenAction::Accept {
                request,
                pkey,
                displaces,
            } => (
                request,
                pkey,
                displaces.then(|| l.displace_oldest(ep)).flatten(),
            ),
            ListenAction::Reply { len } => {
                ep.count(Mib::InNoListener);
                ep.reply_bytes(dgram, buf.get(..len).unwrap_or(&[]));
                return;
            }
            ListenAction::Drop(_) => {
                ep.count(Mib::InMalformed);
                return;
            }
        };
        let now = crate::clock::now_ns();
        let answered = ep.add_answered(self.clone()).and_then(|n| {
            let core = AnsweredRequest::new(request, pkey, n, random_psn(), now);
            l.push_answered(Answered::new(core, origin, dgram))
                .inspect_err(|_| ep.remove_answered(n))
        });
        match answered {
            Ok(()) => {
                ep.count(Mib::PassiveOpens);
                if let Some(a) = l.answered.find(&origin) {
                    a.send_accept(ep, cfg.accept_params());
                    let at = a.core.deadline(&cfg.retry);
                    if l.timer_at.map_or(true, |t| at < t) {
                        l.timer_at = Some(at);
                        self.timer.arm(at);
                    }
                }
            }
            Err(_) => {
                l.listener.half_open_done();
                ep.count(Mib::InNoMemory);
                if let ListenAction::Reply { len } =
                    l.listener
                        .reject(&request, pkey, RejectReason::NoResource, &mut buf)
                {
                    ep.reply_bytes(dgram, buf.get(..len).unwrap_or(&[]));
                }
            }
        }
        drop(g);
        if let Some(child) = displaced {
            child.abort();
        }
    }

    /// Packets to the connection number this listener's accept gave the
    /// request from `origin`: the first from the initiator's address
    /// builds the connection (see `AnsweredRequest`), which takes them.
    /// The connection, and what it receives until accept(2) gives it a
    /// socket of its own, is charged to the listener's memory cgroup.
    fn on_answered<D: Deref<Target = Datagram>>(
        self: &Arc<Self>,
        ep: &Endpoint,
        n: u32,
        dgrams: impl Iterator<Item = D>,
    ) {
        self.slot.charged(|| {
            let mut g = self.inner.lock();
            let (cfg, released) = (g.cfg, g.released);
            let port = g.local.map(|l| l.port).unwrap_or(0);
            let origin = match &g.phase {
                Phase::Listening(l) if !released => l.answered_origin(n),
                _ => None,
            };
            let Some(origin) = origin else {
                dgrams.for_each(|_| ep.count(Mib::InNoConnection));
                return;
            };
            // Only the initiator completes its handshake.
            let mut dgrams = dgrams.skip_while(|d| {
                let forged = d.src() != origin.0;
                if forged {
                    ep.count(Mib::InWrongPeer);
                }
                forged
            });
            let Some(first) = dgrams.next() else {
                return;
            };
            let Phase::Listening(l) = &mut g.phase else {
                return;
            };
            let Some(answered) = l.take_answered(n) else {
                return;
            };
            let paths = g.paths.try_clone();
            // The child is built without the listener's mutex: two sockets'
            // mutexes are never held at once. Only this namespace's receive
            // work builds children, so none can race in meanwhile.
            drop(g);
            let spawned = paths.and_then(|p| self.spawn(ep, cfg, port, &answered, p));
            if spawned.is_err() {
                // No memory: the initiator's packets find no connection.
                ep.remove_answered(answered.core.responder_conn);
            }
            let mut g = self.inner.lock();
            let released = g.released;
            let Phase::Listening(l) = &mut g.phase else {
                drop(g);
                if let Ok(child) = spawned {
                    child.abort();
                }
                return;
            };
            let child = match spawned {
                Ok(child) if !released => child,
                Ok(child) => {
                    // Closed meanwhile: a child it admitted now would never be
                    // accepted, and would hold the listener for ever.
                    l.listener.half_open_done();
                    drop(g);
                    child.abort();
                    return;
                }
                Err(_) => {
                    l.listener.half_open_done();
                    ep.count(Mib::InNoMemory);
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
            child.on_packets(ep, core::iter::once(first).chain(dgrams));
        })
    }
}
