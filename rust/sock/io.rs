//! sendmsg(2), recvmsg(2), poll(2) and shutdown(2) on a connection.

use super::config::MAX_MESSAGE;
use super::{close_error, Deferred, Inner, MrcSock, Phase};
use crate::ffi::bindings;
use crate::ffi::bytes;
use crate::ffi::errno;
use crate::ffi::family::Ioctl;
use crate::ffi::msg::Msg;
use crate::ffi::sock::send_sigpipe;
use crate::proto::conn::{ConnState, SendError};
use core::sync::atomic::Ordering;
use kernel::prelude::*;
use kernel::sync::ArcBorrow;

// A twin by shape only of proto/wire/opcode.rs's opcode values: unrelated
// numbers.
/// poll(2) bits (uapi eventpoll.h; bindgen cannot evaluate their casts).
const EPOLLIN: u32 = 0x0001;
const EPOLLOUT: u32 = 0x0004;
const EPOLLERR: u32 = 0x0008;
const EPOLLHUP: u32 = 0x0010;
const EPOLLRDNORM: u32 = 0x0040;
const EPOLLWRNORM: u32 = 0x0100;
const EPOLLRDHUP: u32 = 0x2000;

/// Messages a connection queues before send blocks, besides SO_SNDBUF.
const TX_MESSAGES: usize = 64;

pub(super) fn sendmsg(
    sock: ArcBorrow<'_, MrcSock>,
    msg: &mut Msg<'_>,
    flags: u32,
) -> Result<usize> {
    let r = send(sock, msg, flags);
    if r == Err(EPIPE) && flags & bindings::MSG_NOSIGNAL == 0 {
        send_sigpipe();
    }
    r
}

fn send(sock: ArcBorrow<'_, MrcSock>, msg: &mut Msg<'_>, flags: u32) -> Result<usize> {
    if flags & bindings::MSG_OOB != 0 {
        return Err(errno::eopnotsupp());
    }
    let len = msg.len();
    if len > MAX_MESSAGE as usize {
        return Err(errno::emsgsize());
    }
    let imm = msg.imm()?;
    // A send that cannot succeed fails before the message is copied. On
    // an open connection (`send_open`) the check is left to the one under
    // the mutex below, which may be held through a whole run of sending.
    if !sock.send_open.load(Ordering::Relaxed) {
        sendable(&sock.inner.lock())?;
    }
    // Charged to the sender's memory cgroup, as its socket buffer is.
    let buf = msg.copy_message(len)?;
    let nonblock = flags & bindings::MSG_DONTWAIT != 0;
    let timeo = sock.slot.timeo(true, nonblock);
    let sndbuf = sock.slot.bufsize(true);
    let mut pending = Some(buf);
    let (sent, deferred) = sock.wait(timeo, EAGAIN, |g| {
        match sendable(g) {
            Err(e) => return Some(Err(e)),
            Ok(false) => return None,
            Ok(true) => {}
        }
        let Phase::Conn(conn) = &mut g.phase else {
            return Some(Err(errno::enotconn()));
        };
        if conn.tx_messages >= TX_MESSAGES
            || (conn.tx_bytes > 0 && conn.tx_bytes.saturating_add(len) > sndbuf)
        {
            return None;
        }
        let b = pending.take()?;
        match conn.send(b, imm) {
            Ok(()) => Some(Ok((len, sock.drive(g)))),
            Err((SendError::QueueFull | SendError::WimmLimit, b)) => {
                pending = Some(b);
                None
            }
            Err((SendError::TooLong, _)) => Some(Err(errno::emsgsize())),
            Err((SendError::Closed, _)) => Some(Err(EPIPE)),
        }
    })?;
    MrcSock::finish(sock, deferred);
    Ok(sent)
}

/// What a receive found.
enum Got {
    Message(KVVec<u8>, Option<u32>),
    /// MSG_PEEK: a copy of the first bytes of a message of `full` bytes.
    Peeked {
        head: KVVec<u8>,
        full: usize,
        imm: Option<u32>,
    },
    Eof,
}

/// Whether a send may queue now (`false`: not before the handshake ends),
/// or the error it fails with.
pub(super) fn sendable(g: &Inner) -> Result<bool> {
    if g.shut_wr {
        return Err(EPIPE);
    }
    let Phase::Conn(conn) = &g.phase else {
        return Err(errno::enotconn());
    };
    match conn.state() {
        ConnState::Connecting | ConnState::Accepting => Ok(false),
        ConnState::Closed(r) => Err(close_error(r).unwrap_or(EPIPE)),
        ConnState::Closing => Err(EPIPE),
        ConnState::Established => Ok(true),
    }
}

pub(super) fn recvmsg(
    sock: ArcBorrow<'_, MrcSock>,
    msg: &mut Msg<'_>,
    flags: u32,
) -> Result<usize> {
    if flags & bindings::MSG_OOB != 0 {
        return Err(errno::eopnotsupp());
    }
    let nonblock = flags & bindings::MSG_DONTWAIT != 0;
    let timeo = sock.slot.timeo(false, nonblock);
    let peek = flags & bindings::MSG_PEEK != 0;
    let want = msg.len();
    let mut peer = None;
    let mut deferred = None;
    let got = sock.wait(timeo, EAGAIN, |g| {
        let shut = g.shut_rd;
        let Phase::Conn(conn) = &mut g.phase else {
            return Some(Err(errno::enotconn()));
        };
        peer = Some(conn.peer);
        if peek {
            // Copied out under the mutex, to the user after it (a user
            // copy may fault and sleep; the receive work needs the mutex).
            if let Some((buf, imm)) = conn.peek() {
                let mut head = KVVec::new();
                let r = bytes::append(&mut head, buf.get(..want).unwrap_or(buf), GFP_KERNEL);
                return Some(
                    r.map(|()| Got::Peeked {
                        head,
                        full: buf.len(),
                        imm,
                    })
                    .map_err(|_| ENOMEM),
                );
            }
        } else if let Some((buf, imm)) = conn.take() {
            // The room it freed: when the peer may wait for it, a SACK
            // tells it now.
            if conn.room_opened(sock.rcvbuf()) {
                deferred = Some(sock.drive(g));
            }
            return Some(Ok(Got::Message(buf, imm)));
        }
        if shut {
            return Some(Ok(Got::Eof));
        }
        match conn.state() {
            ConnState::Closed(r) => Some(close_error(r).map_or(Ok(Got::Eof), Err)),
            _ => None,
        }
    })?;
    if let Some(d) = deferred {
        MrcSock::finish(sock, d);
    }
    let full = match got {
        Got::Eof => return Ok(0),
        Got::Peeked { head, full, imm } => {
            deliver(msg, &head, full, imm)?;
            full
        }
        Got::Message(buf, imm) => {
            let n = buf.len().min(want);
            deliver(msg, buf.get(..n).unwrap_or(&[]), buf.len(), imm)?;
            buf.len()
        }
    };
    if let Some(p) = peer {
        let mut name = [0u8; super::addr::SOCKADDR_LEN];
        if p.emit(&mut name).is_ok() {
            msg.set_name(&name);
        }
    }
    Ok(if flags & bindings::MSG_TRUNC != 0 {
        full
    } else {
        full.min(want)
    })
}

/// Copies a message (or as much as fits) and its immediate to the user.
fn deliver(msg: &mut Msg<'_>, bytes: &[u8], full: usize, imm: Option<u32>) -> Result {
    msg.copy_to(bytes)?;
    if let Some(imm) = imm {
        msg.put_imm(imm)?;
    }
    msg.set_flags(if bytes.len() < full {
        bindings::MSG_TRUNC
    } else {
        bindings::MSG_EOR
    });
    Ok(())
}

pub(super) fn poll(sock: &MrcSock) -> u32 {
    let sndbuf = sock.slot.bufsize(true);
    let g = sock.inner.lock();
    let mut mask = 0;
    if g.shut_rd {
        mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
    }
    match &g.phase {
        Phase::Idle => mask |= EPOLLOUT | EPOLLHUP,
        Phase::Listening(l) => {
            if !l.ready.is_empty() {
                mask |= EPOLLIN | EPOLLRDNORM;
            }
        }
        Phase::Conn(c) => {
            if c.peek().is_some() {
                mask |= EPOLLIN | EPOLLRDNORM;
            }
            match c.state() {
                ConnState::Closed(r) => {
                    mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP | EPOLLHUP;
                    if close_error(r).is_some() {
                        mask |= EPOLLERR;
                    }
                }
                ConnState::Established
                    if !g.shut_wr
                        && c.tx_messages < TX_MESSAGES
                        && (c.tx_bytes == 0 || c.tx_bytes < sndbuf) =>
                {
                    mask |= EPOLLOUT | EPOLLWRNORM;
                }
                _ => {}
            }
        }
    }
    mask
}

/// SIOCINQ: the length of the next whole message (0 if none), as for
/// SCTP and UDP; SIOCOUTQ: the bytes of messages not yet acknowledged. A
/// listener has neither (EINVAL, as TCP's).
pub(super) fn ioctl(sock: &MrcSock, cmd: Ioctl) -> Result<i32> {
    let g = sock.inner.lock();
    let n = match (&g.phase, cmd) {
        (Phase::Listening(_), _) => return Err(EINVAL),
        (Phase::Idle, _) => 0,
        (Phase::Conn(c), Ioctl::InQueue) => c.peek().map_or(0, |(buf, _)| buf.len()),
        (Phase::Conn(c), Ioctl::OutQueue) => c.tx_bytes,
    };
    Ok(i32::try_from(n).unwrap_or(i32::MAX))
}

pub(super) fn shutdown(sock: ArcBorrow<'_, MrcSock>, how: i32) -> Result {
    let (rd, wr) = match how {
        0 => (true, false),
        1 => (false, true),
        2 => (true, true),
        _ => return Err(EINVAL),
    };
    let mut g = sock.inner.lock();
    let Phase::Conn(conn) = &mut g.phase else {
        return Err(errno::enotconn());
    };
    if wr {
        // MRC closes a connection as a whole: once every message sent is
        // acked, RESET(FINISHED) ends it in both directions.
        conn.core_mut().close();
    }
    g.shut_rd |= rd;
    g.shut_wr |= wr;
    let d: Deferred = sock.drive(&mut g);
    drop(g);
    MrcSock::finish(sock, d);
    sock.wake();
    Ok(())
}
