//! AF_MRC sockets: which socket(2) calls the family accepts and the life of
//! an MRC socket.

use crate::ffi::bindings::sock_type_SOCK_SEQPACKET as SOCK_SEQPACKET;
use crate::ffi::errno;
use crate::ffi::family::Protocol;
use kernel::prelude::*;

/// `MRCPROTO_MRC` of the uapi header: the family's one protocol.
const MRCPROTO_MRC: i32 = 1;

/// The MRC protocol of the AF_MRC family.
pub(crate) struct Mrc;

impl Protocol for Mrc {
    const NAME: &'static [u8] = b"MRC";

    /// MRC is message-oriented and reliable: SOCK_SEQPACKET only. Errors
    /// follow inet: an unsupported type is ESOCKTNOSUPPORT, an unknown
    /// protocol for a supported type EPROTONOSUPPORT.
    fn check(sock_type: i32, protocol: i32) -> Result<u16> {
        if sock_type != SOCK_SEQPACKET as i32 {
            return Err(errno::esocktnosupport());
        }
        match protocol {
            0 | MRCPROTO_MRC => Ok(MRCPROTO_MRC as u16),
            _ => Err(errno::eprotonosupport()),
        }
    }
}
