//! A refused request: its errno and extack message.

use super::Attr;
use crate::ffi::bindings;
use core::ffi::c_int;
use core::fmt;
use kernel::error::code;
use kernel::error::Error;

/// Longest extack message (`NETLINK_MAX_FMTMSG_LEN` less its NUL).
const MSG_MAX: usize = 79;

/// A refusal's message: at most 79 bytes, longer text is cut.
pub(crate) struct Text {
    buf: [u8; MSG_MAX],
    len: usize,
}

impl fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for (dst, src) in self.buf.iter_mut().skip(self.len).zip(s.bytes()) {
            *dst = src;
            self.len = self.len.saturating_add(1);
        }
        Ok(())
    }
}

/// Why a request was refused: an errno and an extack message, pointing at
/// the offending attribute or naming the missing one.
pub(crate) struct Refusal<'a> {
    err: Error,
    at: Option<Attr<'a>>,
    missing: u16,
    text: Text,
}

impl<'a> Refusal<'a> {
    /// Refuses with `err` and the message `args`; `at` is the attribute it
    /// is about, `missing` the type of a required attribute that is absent.
    pub(crate) fn new(
        err: Error,
        at: Option<Attr<'a>>,
        missing: u32,
        args: fmt::Arguments<'_>,
    ) -> Self {
        let mut text = Text {
            buf: [0; MSG_MAX],
            len: 0,
        };
        // Text never fails; a message that does not fit is cut.
        let _ = fmt::write(&mut text, args);
        Self {
            err,
            at,
            missing: u16::try_from(missing).unwrap_or(0),
            text,
        }
    }
}

impl Refusal<'_> {
    /// Writes the refusal into `extack`; returns the errno.
    ///
    /// # Safety
    /// `extack` must be null or the extack of the running callback, whose
    /// request holds the refused attribute.
    pub(super) unsafe fn write(&self, extack: *mut bindings::netlink_ext_ack) -> c_int {
        let bad = self.at.map_or(core::ptr::null(), |a| {
            a.raw.as_ptr().cast::<bindings::nlattr>()
        });
        let text = self.text.buf.get(..self.text.len).unwrap_or(&[]);
        if !text.is_empty() {
            // SAFETY: guaranteed by the caller; `bad` is null or points into
            // the request (an attribute of its stream); the text is copied.
            unsafe {
                bindings::mrc_genl_set_err(
                    extack,
                    bad,
                    self.missing,
                    text.as_ptr().cast(),
                    text.len(),
                )
            };
        }
        self.err.to_errno()
    }
}

impl From<Error> for Refusal<'_> {
    /// A refusal that is not the request's fault (a full reply): the
    /// errno alone.
    fn from(err: Error) -> Self {
        Self::new(err, None, 0, format_args!(""))
    }
}

impl From<kernel::alloc::AllocError> for Refusal<'_> {
    /// Out of memory: ENOMEM alone.
    fn from(_: kernel::alloc::AllocError) -> Self {
        Self::from(code::ENOMEM)
    }
}
