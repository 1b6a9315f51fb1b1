//! The message header of sendmsg(2)/recvmsg(2) and the option buffers of
//! setsockopt(2)/getsockopt(2), as the socket code reads and fills them.

use super::bindings;
use super::pages::MessagePages;
use core::ffi::{c_char, c_int};
use core::marker::PhantomData;
use kernel::prelude::*;
use kernel::uaccess::UserSlice;

/// A `struct msghdr` borrowed during sendmsg or recvmsg.
///
/// # Invariants
/// `raw` is the live message header of the current call, borrowed
/// exclusively for `'a`.
// A twin by shape of ffi/genl/request.rs's `Message` (deliberate): each wraps a
// different kernel object for a call's life.
pub(crate) struct Msg<'a> {
    raw: *mut bindings::msghdr,
    _call: PhantomData<&'a mut bindings::msghdr>,
}

impl Msg<'_> {
    /// # Safety
    /// `raw` must be the live header of the current call, used by nothing
    /// else while the result lives.
    pub(super) unsafe fn from_raw(raw: *mut bindings::msghdr) -> Self {
        Self {
            raw,
            _call: PhantomData,
        }
    }

    /// Bytes left in the data buffers.
    pub(crate) fn len(&self) -> usize {
        // SAFETY: live header (type invariant).
        unsafe { bindings::mrc_msg_len(self.raw) }
    }

    /// The next `len` bytes of user data, copied into pages of their own
    /// charged to the caller's memory cgroup ([`MessagePages`]), whole or
    /// not at all.
    pub(crate) fn copy_message(&mut self, len: usize) -> Result<MessagePages> {
        MessagePages::copy_from(self, len)
    }

    /// Copies the next `len` bytes of user data to `dst`, all of them or
    /// EFAULT.
    ///
    /// # Safety
    /// `dst` must be valid for `len` bytes of writes.
    pub(super) unsafe fn copy_raw(&mut self, dst: *mut u8, len: usize) -> Result {
        // SAFETY: live header; the caller vouches for `dst`.
        kernel::error::to_result(unsafe { bindings::mrc_msg_copy_from(self.raw, dst.cast(), len) })
    }

    /// Copies `buf` into the user's buffers.
    pub(crate) fn copy_to(&mut self, buf: &[u8]) -> Result {
        // SAFETY: live header; `buf` is valid for `len` bytes of reads.
        kernel::error::to_result(unsafe {
            bindings::mrc_msg_copy_to(self.raw, buf.as_ptr().cast(), buf.len())
        })
    }

    /// The MRC_IMM control message, if any; EINVAL for a malformed or
    /// unknown SOL_MRC control message.
    pub(crate) fn imm(&mut self) -> Result<Option<u32>> {
        let mut imm = 0u32;
        // SAFETY: live header; `imm` is valid to write.
        match unsafe { bindings::mrc_msg_imm(self.raw, &mut imm) } {
            0 => Ok(None),
            1 => Ok(Some(imm)),
            e => Err(Error::from_errno(e)),
        }
    }

    /// Adds an MRC_IMM control message (MSG_CTRUNC if there is no room).
    pub(crate) fn put_imm(&mut self, imm: u32) -> Result {
        // SAFETY: live header.
        kernel::error::to_result(unsafe { bindings::mrc_msg_put_imm(self.raw, imm) })
    }

    /// Sets MSG_* flags in the header returned to the caller.
    pub(crate) fn set_flags(&mut self, flags: u32) {
        // SAFETY: live header.
        unsafe { bindings::mrc_msg_set_flags(self.raw, flags as c_int) };
    }

    /// Fills in the source address, if the caller asked for one.
    pub(crate) fn set_name(&mut self, addr: &[u8]) {
        // SAFETY: live header; for recvmsg the socket layer points
        // `msg_name` at a kernel `sockaddr_storage` (128 bytes), and the
        // address is shorter.
        unsafe {
            let name = (*self.raw).msg_name.cast::<u8>();
            if !name.is_null() && addr.len() <= 128 {
                core::ptr::copy_nonoverlapping(addr.as_ptr(), name, addr.len());
                (*self.raw).msg_namelen = addr.len() as c_int;
            }
        }
    }
}

/// The value of a setsockopt(2) call.
pub(crate) struct OptIn {
    val: bindings::sockptr_t,
    len: usize,
}

impl OptIn {
    pub(super) fn new(val: bindings::sockptr_t, len: u32) -> Self {
        Self {
            val,
            len: len as usize,
        }
    }

    /// The option's length.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Reads the whole value into `buf`, which must be exactly as long.
    pub(crate) fn read(&self, buf: &mut [u8]) -> Result {
        if buf.len() != self.len {
            return Err(EINVAL);
        }
        // SAFETY: `buf` is valid for its length; the sockptr is the
        // caller's value of `len` bytes (user or kernel memory).
        kernel::error::to_result(unsafe {
            bindings::mrc_copy_from_sockptr(buf.as_mut_ptr().cast(), self.val, buf.len())
        })
    }

    /// Reads an `int` value (at least 4 bytes, as inet options do).
    pub(crate) fn read_int(&self) -> Result<i32> {
        if self.len < 4 {
            return Err(EINVAL);
        }
        let mut b = [0u8; 4];
        // SAFETY: `b` is valid for 4 bytes; the value holds at least 4.
        kernel::error::to_result(unsafe {
            bindings::mrc_copy_from_sockptr(b.as_mut_ptr().cast(), self.val, 4)
        })?;
        Ok(i32::from_ne_bytes(b))
    }
}

/// The user buffer of a getsockopt(2) call.
pub(crate) struct OptOut {
    val: usize,
    len: usize,
}

impl OptOut {
    pub(super) fn new(val: *mut c_char, len: *mut c_int) -> Self {
        Self {
            val: val as usize,
            len: len as usize,
        }
    }

    /// The length the caller passed in.
    pub(crate) fn capacity(&self) -> Result<usize> {
        let len: i32 = UserSlice::new(self.len, 4).reader().read()?;
        usize::try_from(len).map_err(|_| EINVAL)
    }

    /// Writes as much of `bytes` as fits and the length written.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result {
        let n = self.capacity()?.min(bytes.len());
        UserSlice::new(self.val, n)
            .writer()
            .write_slice(bytes.get(..n).ok_or(EINVAL)?)?;
        UserSlice::new(self.len, 4).writer().write(&(n as i32))
    }
}
