//! Message I/O on a `SOCK_SEQPACKET` socket: one send is one message, one
//! receive returns one whole message. AF_MRC sockets use it in the
//! benchmark; AF_UNIX socket pairs stand in for them in the unit tests.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// A connected `SOCK_SEQPACKET` socket. Sending and receiving may run on
/// two threads at once (`&self` methods).
#[derive(Debug)]
pub struct SeqSocket {
    fd: OwnedFd,
}

pub(crate) fn cvt(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

impl SeqSocket {
    /// Takes ownership of a connected socket.
    pub fn new(fd: OwnedFd) -> Self {
        Self { fd }
    }

    pub fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Sends `msg` as one message (EAGAIN: the send timeout expired).
    pub fn send_msg(&self, msg: &[u8]) -> io::Result<()> {
        loop {
            // SAFETY: send(2) reads `msg.len()` bytes from `msg`, which is
            // that long and outlives the call.
            let rc = unsafe {
                libc::send(
                    self.raw(),
                    msg.as_ptr().cast(),
                    msg.len(),
                    libc::MSG_NOSIGNAL,
                )
            };
            if rc >= 0 {
                if rc as usize != msg.len() {
                    return Err(io::Error::other(format!(
                        "send: {rc} of {} bytes of a message",
                        msg.len()
                    )));
                }
                return Ok(());
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Receives one message into `buf`; `Ok(0)` is the end of the
    /// connection (no message here is empty). A message longer than `buf`
    /// (MSG_TRUNC) is an error: its length is then unknown.
    pub fn recv_msg(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut iov = libc::iovec {
                iov_base: buf.as_mut_ptr().cast(),
                iov_len: buf.len(),
            };
            // SAFETY: msghdr is plain old data; all-zero is "no name, no
            // control data".
            let mut mh: libc::msghdr = unsafe { std::mem::zeroed() };
            mh.msg_iov = &mut iov;
            mh.msg_iovlen = 1;
            // SAFETY: recvmsg(2) writes at most `iov_len` bytes to
            // `iov_base`, which is `buf`, borrowed mutably for the call;
            // `mh` and `iov` live on our stack.
            let rc = unsafe { libc::recvmsg(self.raw(), &mut mh, 0) };
            if rc < 0 {
                let e = io::Error::last_os_error();
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(e);
            }
            if mh.msg_flags & libc::MSG_TRUNC != 0 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a message longer than {} bytes (MSG_TRUNC)", buf.len()),
                ));
            }
            return Ok(rc as usize);
        }
    }

    /// SO_RCVTIMEO: a receive waiting longer fails with WouldBlock.
    pub fn set_recv_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.set_timeout(libc::SO_RCVTIMEO, t)
    }

    /// SO_SNDTIMEO: a send waiting longer fails with WouldBlock.
    pub fn set_send_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        self.set_timeout(libc::SO_SNDTIMEO, t)
    }

    fn set_timeout(&self, name: libc::c_int, t: Option<Duration>) -> io::Result<()> {
        let t = t.unwrap_or_default();
        let tv = libc::timeval {
            tv_sec: t.as_secs() as libc::time_t,
            tv_usec: t.subsec_micros() as libc::suseconds_t,
        };
        // SAFETY: the option value is a timeval on our stack, with its size.
        cvt(unsafe {
            libc::setsockopt(
                self.raw(),
                libc::SOL_SOCKET,
                name,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        })?;
        Ok(())
    }

    /// shutdown(SHUT_RDWR), best effort: wakes a thread blocked on the
    /// socket when the other direction failed.
    pub fn abort(&self) {
        // SAFETY: shutdown(2) takes no pointers.
        unsafe { libc::shutdown(self.raw(), libc::SHUT_RDWR) };
    }

    /// A connected AF_UNIX `SOCK_SEQPACKET` pair with room for messages of
    /// `max_msg` bytes (the unit tests' stand-in for an MRC connection).
    #[cfg(test)]
    pub fn pair(max_msg: usize) -> io::Result<(Self, Self)> {
        use std::os::fd::FromRawFd;
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: socketpair(2) writes two fds into `fds`.
        cvt(unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
                0,
                fds.as_mut_ptr(),
            )
        })?;
        // SAFETY: both fds were just created and nothing else owns them.
        let (a, b) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let buf = libc::c_int::try_from(max_msg * 2 + 4096).map_err(io::Error::other)?;
        for fd in [&a, &b] {
            // SAFETY: an int option on our stack, with its size. Unix
            // sockets limit a message to the send buffer.
            cvt(unsafe {
                libc::setsockopt(
                    fd.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_SNDBUF,
                    (&buf as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                )
            })?;
        }
        Ok((Self::new(a), Self::new(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_truncation_and_end() {
        let (a, b) = SeqSocket::pair(64 << 10).unwrap();
        a.send_msg(b"one").unwrap();
        a.send_msg(&[7u8; 5000]).unwrap();
        a.send_msg(b"three").unwrap();
        let mut buf = vec![0u8; 8192];
        assert_eq!(b.recv_msg(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"one");
        assert_eq!(b.recv_msg(&mut buf).unwrap(), 5000);
        // A short buffer does not silently split a message.
        let e = b.recv_msg(&mut buf[..4]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        b.set_recv_timeout(Some(Duration::from_millis(20))).unwrap();
        assert_eq!(
            b.recv_msg(&mut buf).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        drop(a);
        assert_eq!(b.recv_msg(&mut buf).unwrap(), 0);
    }
}
