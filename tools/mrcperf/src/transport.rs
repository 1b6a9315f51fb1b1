//! The sockets under test, behind one small interface.
//!
//! The stream client and server only see [`Listener`] and [`Conn`]: a
//! reliable, ordered byte stream with a half-close. Each stream protocol
//! is one [`Proto`] variant plus its `listen`/`connect`.
//!
//! [`Proto::Mrc`] is the message transport: AF_MRC sockets (`mrc`) keep
//! message boundaries and have no half-close, so they carry their own
//! exchange (`msgwire`, `msgperf`) instead of this interface; `main`
//! hands `--proto mrc` to `mrcmode`.

use std::fmt;
use std::io::{self, Read, Write};
use std::mem;
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// IPPROTO_MPTCP (include/uapi/linux/in.h).
const IPPROTO_MPTCP: libc::c_int = 262;
/// SOL_MPTCP (include/linux/socket.h).
const SOL_MPTCP: libc::c_int = 284;
/// MPTCP_INFO (include/uapi/linux/mptcp.h).
const MPTCP_INFO: libc::c_int = 1;

/// The transport protocol under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    /// TCP over IPv6 or IPv4 (one path).
    Tcp,
    /// Multipath TCP: `socket(AF_INET6, SOCK_STREAM, IPPROTO_MPTCP)`; the
    /// subflows are the kernel path manager's business (`ip mptcp`).
    Mptcp,
    /// AF_MRC (mrc.ko): `socket(AF_MRC, SOCK_SEQPACKET, 0)`, one
    /// connection sprayed over many paths; messages, not a stream.
    Mrc,
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Proto::Tcp => "tcp",
            Proto::Mptcp => "mptcp",
            Proto::Mrc => "mrc",
        })
    }
}

/// One established connection.
pub trait Conn: Read + Write + Send {
    /// Ends the sending direction (the peer reads EOF); reading goes on.
    fn shutdown_write(&mut self) -> io::Result<()>;
    /// Extra subflows of an MPTCP connection (`mptcpi_subflows`: the
    /// initial subflow is not counted); `None` for other protocols.
    fn mptcp_subflows(&self) -> Option<u8> {
        None
    }
}

/// A listening socket.
pub trait Listener: Send {
    /// Waits for the next connection; returns it and the peer's address.
    fn accept(&self) -> io::Result<(Box<dyn Conn>, String)>;
    /// The port it listens on (the one the kernel chose for port 0).
    fn port(&self) -> io::Result<u16>;
}

/// Opens a listening socket for `proto` on `bind` (an IP address) and `port`.
pub fn listen(proto: Proto, bind: &str, port: u16) -> io::Result<Box<dyn Listener>> {
    let addr = SocketAddr::new(parse_ip(bind)?, port);
    let listener = match proto {
        Proto::Mrc => return Err(not_a_stream()),
        Proto::Tcp => TcpListener::bind(addr)?,
        Proto::Mptcp => {
            let fd = socket_for(&addr, IPPROTO_MPTCP)?;
            setsockopt_int(&fd, libc::SOL_SOCKET, libc::SO_REUSEADDR, 1)?;
            bind_fd(&fd, &addr)?;
            // SAFETY: listen(2) on a socket fd we own; no memory is passed.
            cvt(unsafe { libc::listen(raw(&fd), 128) })?;
            TcpListener::from(fd)
        }
    };
    Ok(Box::new(StreamListener {
        inner: listener,
        proto,
    }))
}

/// Connects to `connect`:`port` with `proto`, from `bind` if given (the
/// source address picks the path in the test fabric).
pub fn connect(
    proto: Proto,
    bind: Option<&str>,
    connect: &str,
    port: u16,
) -> io::Result<Box<dyn Conn>> {
    let dst = SocketAddr::new(parse_ip(connect)?, port);
    let ipproto = match proto {
        Proto::Tcp => libc::IPPROTO_TCP,
        Proto::Mptcp => IPPROTO_MPTCP,
        Proto::Mrc => return Err(not_a_stream()),
    };
    let fd = socket_for(&dst, ipproto)?;
    if let Some(b) = bind {
        bind_fd(&fd, &SocketAddr::new(parse_ip(b)?, 0))?;
    }
    let (sa, len) = sockaddr(&dst);
    // SAFETY: `sa` is a valid sockaddr_storage holding `len` initialised
    // bytes of the address; connect(2) only reads it.
    cvt(unsafe { libc::connect(raw(&fd), (&sa as *const libc::sockaddr_storage).cast(), len) })?;
    let stream = TcpStream::from(fd);
    stream.set_nodelay(false)?;
    Ok(Box::new(StreamConn {
        inner: stream,
        proto,
    }))
}

fn not_a_stream() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "mrc is a message transport (see mrcmode)",
    )
}

fn parse_ip(s: &str) -> io::Result<IpAddr> {
    s.parse().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not an IP address: {s}"),
        )
    })
}

/// A TCP or MPTCP listener (both are stream sockets to std).
struct StreamListener {
    inner: TcpListener,
    proto: Proto,
}

impl Listener for StreamListener {
    fn accept(&self) -> io::Result<(Box<dyn Conn>, String)> {
        let (s, peer) = self.inner.accept()?;
        Ok((
            Box::new(StreamConn {
                inner: s,
                proto: self.proto,
            }),
            peer.to_string(),
        ))
    }

    fn port(&self) -> io::Result<u16> {
        Ok(self.inner.local_addr()?.port())
    }
}

/// A TCP or MPTCP connection.
struct StreamConn {
    inner: TcpStream,
    proto: Proto,
}

impl Read for StreamConn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Write for StreamConn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Conn for StreamConn {
    fn shutdown_write(&mut self) -> io::Result<()> {
        self.inner.shutdown(Shutdown::Write)
    }

    fn mptcp_subflows(&self) -> Option<u8> {
        if self.proto != Proto::Mptcp {
            return None;
        }
        // struct mptcp_info starts with `__u8 mptcpi_subflows`.
        let mut info = [0u8; 256];
        let mut len = info.len() as libc::socklen_t;
        let fd = std::os::fd::AsRawFd::as_raw_fd(&self.inner);
        // SAFETY: getsockopt(2) writes at most `len` bytes into `info`,
        // which is that long, and updates `len`.
        let rc = unsafe {
            libc::getsockopt(
                fd,
                SOL_MPTCP,
                MPTCP_INFO,
                info.as_mut_ptr().cast(),
                &mut len,
            )
        };
        (rc == 0 && len >= 1).then_some(info[0])
    }
}

fn cvt(rc: libc::c_int) -> io::Result<libc::c_int> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(rc)
    }
}

fn raw(fd: &OwnedFd) -> RawFd {
    std::os::fd::AsRawFd::as_raw_fd(fd)
}

/// A new stream socket of `addr`'s family and protocol `ipproto`.
fn socket_for(addr: &SocketAddr, ipproto: libc::c_int) -> io::Result<OwnedFd> {
    let family = if addr.is_ipv6() {
        libc::AF_INET6
    } else {
        libc::AF_INET
    };
    // SAFETY: socket(2) takes no pointers.
    let fd = cvt(unsafe { libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, ipproto) })?;
    // SAFETY: `fd` was just returned by socket(2) and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn setsockopt_int(
    fd: &OwnedFd,
    level: libc::c_int,
    name: libc::c_int,
    v: libc::c_int,
) -> io::Result<()> {
    // SAFETY: the option value is a c_int on our stack, passed with its size.
    cvt(unsafe {
        libc::setsockopt(
            raw(fd),
            level,
            name,
            (&v as *const libc::c_int).cast(),
            mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })?;
    Ok(())
}

fn bind_fd(fd: &OwnedFd, addr: &SocketAddr) -> io::Result<()> {
    let (sa, len) = sockaddr(addr);
    // SAFETY: as in `connect`: `sa` holds `len` initialised bytes.
    cvt(unsafe { libc::bind(raw(fd), (&sa as *const libc::sockaddr_storage).cast(), len) })?;
    Ok(())
}

/// `addr` as a sockaddr_in / sockaddr_in6 inside a sockaddr_storage.
fn sockaddr(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; all-zero is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            unsafe { std::ptr::write((&mut ss as *mut libc::sockaddr_storage).cast(), sin) };
            mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            unsafe { std::ptr::write((&mut ss as *mut libc::sockaddr_storage).cast(), sin6) };
            mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}
