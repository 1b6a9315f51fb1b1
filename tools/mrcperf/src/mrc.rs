//! AF_MRC sockets: the user-space API of mrc.ko (include/uapi/linux/mrc.h,
//! Documentation/socket-api.rst) as far as the benchmark uses it: the
//! family number, `struct sockaddr_mrc`, bind/listen/accept/connect, the
//! SOL_MRC options set before connect() or listen() (MRC_EV_COUNT,
//! MRC_SRV6_PATHS) and the two read with getsockopt (MRC_INFO,
//! MRC_PATH_INFO).

use std::fmt;
use std::io;
use std::mem;
use std::net::Ipv6Addr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use serde::Serialize;

use crate::seqsock::{cvt, SeqSocket};

/// Where mrc.ko publishes the family number it registered.
const FAMILY_PARAM: &str = "/sys/module/mrc/parameters/family";

pub const SOL_MRC: libc::c_int = 300;
pub const MRC_EV_PROFILE: libc::c_int = 1;
pub const MRC_INFO: libc::c_int = 7;
pub const MRC_EV_COUNT: libc::c_int = 8;
pub const MRC_SRV6_PATHS: libc::c_int = 9;
pub const MRC_PATH_INFO: libc::c_int = 10;

/// The longest message one send() may carry.
pub const MAX_MESSAGE: u32 = 1 << 20;
/// MRC_EV_COUNT's upper bound: the most entries MRC_PATH_INFO returns.
const MAX_EVS: usize = 256;

/// The family number of the loaded module.
pub fn family() -> io::Result<u16> {
    let s = std::fs::read_to_string(FAMILY_PARAM).map_err(|e| {
        io::Error::new(e.kind(), format!("{FAMILY_PARAM}: {e} (is mrc.ko loaded?)"))
    })?;
    s.trim().parse().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{FAMILY_PARAM}: not a number: {s:?}"),
        )
    })
}

/// An MRC endpoint: an IPv6 address and the MRC port of a listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MrcAddr {
    pub addr: Ipv6Addr,
    pub port: u16,
    pub scope_id: u32,
}

impl MrcAddr {
    /// `struct sockaddr_mrc` is 24 bytes.
    pub const LEN: usize = 24;

    pub fn new(addr: Ipv6Addr, port: u16) -> Self {
        Self {
            addr,
            port,
            scope_id: 0,
        }
    }

    /// `struct sockaddr_mrc { sa_family_t smrc_family; __u16 smrc_port;
    /// __u32 smrc_scope_id; struct in6_addr smrc_addr; }`: the family,
    /// port and scope in host byte order, the address in network order.
    pub fn encode(&self, family: u16) -> [u8; Self::LEN] {
        let mut b = [0u8; Self::LEN];
        b[0..2].copy_from_slice(&family.to_ne_bytes());
        b[2..4].copy_from_slice(&self.port.to_ne_bytes());
        b[4..8].copy_from_slice(&self.scope_id.to_ne_bytes());
        b[8..24].copy_from_slice(&self.addr.octets());
        b
    }

    /// The address in a `struct sockaddr_mrc` of `family`.
    pub fn decode(b: &[u8], family: u16) -> Option<Self> {
        let b: &[u8; Self::LEN] = b.get(..Self::LEN)?.try_into().ok()?;
        if u16::from_ne_bytes([b[0], b[1]]) != family {
            return None;
        }
        let octets: [u8; 16] = b[8..24].try_into().ok()?;
        Some(Self {
            port: u16::from_ne_bytes([b[2], b[3]]),
            scope_id: u32::from_ne_bytes([b[4], b[5], b[6], b[7]]),
            addr: Ipv6Addr::from(octets),
        })
    }
}

impl fmt::Display for MrcAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scope_id != 0 {
            write!(f, "[{}%{}]:{}", self.addr, self.scope_id, self.port)
        } else {
            write!(f, "[{}]:{}", self.addr, self.port)
        }
    }
}

/// The SOL_MRC options a connection is set up with (before connect() or
/// listen(); an accepted socket takes its listener's).
#[derive(Clone, Debug, Default)]
pub struct MrcOptions {
    /// MRC_EV_COUNT: EVs of the AUTO profile.
    pub evs: Option<u32>,
    /// MRC_SRV6_PATHS: EV i is sent H.Encaps toward uSID container i.
    pub srv6: Vec<Ipv6Addr>,
    /// MRC_EV_PROFILE: the controller's EV profile (its EVs replace the
    /// two above).
    pub ev_profile: Option<u64>,
}

/// MRC_SRV6_PATHS's value: the containers as an array of `struct in6_addr`.
pub fn srv6_paths_value(paths: &[Ipv6Addr]) -> Vec<u8> {
    paths.iter().flat_map(|a| a.octets()).collect()
}

fn new_socket(family: u16) -> io::Result<OwnedFd> {
    // SAFETY: socket(2) takes no pointers.
    let fd = cvt(unsafe {
        libc::socket(
            libc::c_int::from(family),
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
        )
    })?;
    // SAFETY: `fd` was just returned by socket(2) and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn setsockopt_bytes(fd: &OwnedFd, name: libc::c_int, v: &[u8], what: &str) -> io::Result<()> {
    let len = libc::socklen_t::try_from(v.len()).map_err(io::Error::other)?;
    // SAFETY: setsockopt(2) reads `len` bytes from `v`, which is that long.
    cvt(unsafe { libc::setsockopt(fd.as_raw_fd(), SOL_MRC, name, v.as_ptr().cast(), len) })
        .map_err(|e| io::Error::new(e.kind(), format!("setsockopt({what}): {e}")))?;
    Ok(())
}

fn apply(fd: &OwnedFd, o: &MrcOptions) -> io::Result<()> {
    if let Some(id) = o.ev_profile {
        setsockopt_bytes(fd, MRC_EV_PROFILE, &id.to_ne_bytes(), "MRC_EV_PROFILE")?;
    }
    if let Some(n) = o.evs {
        let v = libc::c_int::try_from(n).map_err(io::Error::other)?;
        setsockopt_bytes(fd, MRC_EV_COUNT, &v.to_ne_bytes(), "MRC_EV_COUNT")?;
    }
    if !o.srv6.is_empty() {
        setsockopt_bytes(
            fd,
            MRC_SRV6_PATHS,
            &srv6_paths_value(&o.srv6),
            "MRC_SRV6_PATHS",
        )?;
    }
    Ok(())
}

fn bind(fd: &OwnedFd, family: u16, a: &MrcAddr) -> io::Result<()> {
    let sa = a.encode(family);
    // SAFETY: `sa` holds a whole sockaddr_mrc; bind(2) only reads it.
    cvt(unsafe { libc::bind(fd.as_raw_fd(), sa.as_ptr().cast(), MrcAddr::LEN as u32) })
        .map_err(|e| io::Error::new(e.kind(), format!("bind {a}: {e}")))?;
    Ok(())
}

/// A listening AF_MRC socket.
pub struct MrcListener {
    fd: OwnedFd,
    family: u16,
}

/// Binds `local` (port 0: the module picks one), sets the options, listens.
pub fn listen(local: &MrcAddr, o: &MrcOptions) -> io::Result<MrcListener> {
    let family = family()?;
    let fd = new_socket(family)?;
    apply(&fd, o)?;
    bind(&fd, family, local)?;
    // SAFETY: listen(2) on a socket we own; no memory is passed.
    cvt(unsafe { libc::listen(fd.as_raw_fd(), 128) })
        .map_err(|e| io::Error::new(e.kind(), format!("listen: {e}")))?;
    Ok(MrcListener { fd, family })
}

impl MrcListener {
    /// The next connection and its peer.
    pub fn accept(&self) -> io::Result<(SeqSocket, Option<MrcAddr>)> {
        let mut sa = [0u8; 128];
        let mut len = sa.len() as libc::socklen_t;
        let fd = loop {
            // SAFETY: accept4(2) writes at most `len` bytes of the peer's
            // address into `sa`, which is that long, and updates `len`.
            match cvt(unsafe {
                libc::accept4(
                    self.fd.as_raw_fd(),
                    sa.as_mut_ptr().cast(),
                    &mut len,
                    libc::SOCK_CLOEXEC,
                )
            }) {
                Ok(fd) => break fd,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        // SAFETY: `fd` was just returned by accept4(2); nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let peer = MrcAddr::decode(&sa[..(len as usize).min(sa.len())], self.family);
        Ok((SeqSocket::new(fd), peer))
    }

    /// The bound address (the port the module picked for port 0).
    pub fn local_addr(&self) -> io::Result<MrcAddr> {
        let mut sa = [0u8; 128];
        let mut len = sa.len() as libc::socklen_t;
        // SAFETY: getsockname(2) writes at most `len` bytes into `sa`.
        cvt(unsafe { libc::getsockname(self.fd.as_raw_fd(), sa.as_mut_ptr().cast(), &mut len) })?;
        MrcAddr::decode(&sa[..(len as usize).min(sa.len())], self.family).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "getsockname: not an MRC address",
            )
        })
    }
}

/// Connects to `dst`, from `src` if given, with the options set first.
pub fn connect(src: Option<Ipv6Addr>, dst: &MrcAddr, o: &MrcOptions) -> io::Result<SeqSocket> {
    let family = family()?;
    let fd = new_socket(family)?;
    apply(&fd, o)?;
    if let Some(s) = src {
        bind(&fd, family, &MrcAddr::new(s, 0))?;
    }
    let sa = dst.encode(family);
    loop {
        // SAFETY: `sa` holds a whole sockaddr_mrc; connect(2) only reads it.
        match cvt(unsafe { libc::connect(fd.as_raw_fd(), sa.as_ptr().cast(), MrcAddr::LEN as u32) })
        {
            Ok(_) => return Ok(SeqSocket::new(fd)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io::Error::new(e.kind(), format!("connect {dst}: {e}"))),
        }
    }
}

/// `struct mrc_info` (MRC_INFO).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct MrcInfo {
    pub state: u8,
    #[serde(skip)]
    pad: [u8; 3],
    pub local_conn: u32,
    pub peer_conn: u32,
    pub ev_count: u16,
    pub active_evs: u16,
    pub srtt_us: u32,
    pub cwnd: u32,
    pub bytes_in_flight: u32,
    pub max_payload: u32,
    pub packets_sent: u64,
    pub bytes_sent: u64,
    pub packets_acked: u64,
    pub bytes_acked: u64,
    pub packets_retrans: u64,
    pub bytes_retrans: u64,
    pub packets_received: u64,
    pub bytes_received: u64,
    pub messages_sent: u64,
    pub messages_received: u64,
    pub rack_losses: u64,
    pub timeout_losses: u64,
    pub ack_timeouts: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub ecn_echoes: u64,
    pub credit_probes: u64,
}

/// `struct mrc_path_info` (one MRC_PATH_INFO entry, one per EV).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct MrcPathInfo {
    pub state: u8,
    pad: [u8; 3],
    pub srtt_us: u32,
    pub packets_sent: u64,
    pub packets_acked: u64,
    pub lost: u64,
    pub timeouts: u64,
}

/// The name of an EV state (`mrcp_state`).
pub fn ev_state_name(s: u8) -> &'static str {
    match s {
        0 => "GOOD",
        1 => "SKIP",
        2 => "ASSUMED_BAD",
        3 => "DENIED",
        _ => "UNKNOWN",
    }
}

/// The name of a connection state (`mrci_state`).
pub fn conn_state_name(s: u8) -> &'static str {
    match s {
        0 => "CLOSED",
        1 => "LISTEN",
        2 => "CONNECTING",
        3 => "ACCEPTING",
        4 => "ESTABLISHED",
        5 => "CLOSING",
        _ => "UNKNOWN",
    }
}

/// getsockopt(SOL_MRC, `name`) into `out`, a slice of plain C structs;
/// returns the bytes the module wrote.
fn getsockopt_into<T: Copy>(
    sock: &SeqSocket,
    name: libc::c_int,
    out: &mut [T],
) -> io::Result<usize> {
    let mut len = libc::socklen_t::try_from(mem::size_of_val(out)).map_err(io::Error::other)?;
    // SAFETY: getsockopt(2) writes at most `len` bytes into `out`, which is
    // that long; `T` is a repr(C) struct of integers, valid for any bytes.
    cvt(unsafe { libc::getsockopt(sock.raw(), SOL_MRC, name, out.as_mut_ptr().cast(), &mut len) })?;
    Ok(len as usize)
}

/// MRC_INFO of a connected socket.
pub fn info(sock: &SeqSocket) -> io::Result<MrcInfo> {
    let mut v = [MrcInfo::default()];
    getsockopt_into(sock, MRC_INFO, &mut v)?;
    Ok(v[0])
}

/// MRC_PATH_INFO of a connected socket: one entry per EV.
pub fn path_info(sock: &SeqSocket) -> io::Result<Vec<MrcPathInfo>> {
    let mut v = vec![MrcPathInfo::default(); MAX_EVS];
    let len = getsockopt_into(sock, MRC_PATH_INFO, &mut v)?;
    v.truncate(len / mem::size_of::<MrcPathInfo>());
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockaddr_layout() {
        let a = MrcAddr {
            addr: "fd00:b::1".parse().unwrap(),
            port: 0x1234,
            scope_id: 7,
        };
        let b = a.encode(19);
        assert_eq!(&b[0..2], &19u16.to_ne_bytes());
        // The port is in host byte order (unlike sockaddr_in6).
        assert_eq!(&b[2..4], &0x1234u16.to_ne_bytes());
        assert_eq!(&b[4..8], &7u32.to_ne_bytes());
        assert_eq!(
            &b[8..24],
            &[0xfd, 0, 0, 0xb, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        );
        assert_eq!(MrcAddr::decode(&b, 19), Some(a));
        assert_eq!(MrcAddr::decode(&b, 25), None);
        assert_eq!(MrcAddr::decode(&b[..23], 19), None);
        assert_eq!(a.to_string(), "[fd00:b::1%7]:4660");
        assert_eq!(MrcAddr::new(Ipv6Addr::LOCALHOST, 5).to_string(), "[::1]:5");
    }

    /// The structs mirror include/uapi/linux/mrc.h (sizes and offsets as
    /// the C compiler lays them out on x86-64 and arm64).
    #[test]
    fn uapi_struct_layout() {
        assert_eq!(mem::size_of::<MrcPathInfo>(), 40);
        assert_eq!(mem::offset_of!(MrcPathInfo, srtt_us), 4);
        assert_eq!(mem::offset_of!(MrcPathInfo, packets_sent), 8);
        assert_eq!(mem::offset_of!(MrcPathInfo, timeouts), 32);
        assert_eq!(mem::size_of::<MrcInfo>(), 168);
        assert_eq!(mem::offset_of!(MrcInfo, ev_count), 12);
        assert_eq!(mem::offset_of!(MrcInfo, max_payload), 28);
        assert_eq!(mem::offset_of!(MrcInfo, packets_sent), 32);
        assert_eq!(mem::offset_of!(MrcInfo, rejected), 144);
        assert_eq!(mem::offset_of!(MrcInfo, ecn_echoes), 152);
        assert_eq!(mem::offset_of!(MrcInfo, credit_probes), 160);
    }

    #[test]
    fn srv6_value_and_names() {
        let p: Vec<Ipv6Addr> = ["fcbb:0:11:b0:b1::", "fcbb:0:12:b0:b1::"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let v = srv6_paths_value(&p);
        assert_eq!(v.len(), 32);
        assert_eq!(&v[..6], &[0xfc, 0xbb, 0, 0, 0, 0x11]);
        assert_eq!(&v[16..22], &[0xfc, 0xbb, 0, 0, 0, 0x12]);
        assert_eq!(ev_state_name(2), "ASSUMED_BAD");
        assert_eq!(conn_state_name(4), "ESTABLISHED");
    }
}
