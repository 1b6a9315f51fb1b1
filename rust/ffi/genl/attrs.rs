//! A request's attributes, walked with bounds checks.

use core::ffi::c_int;

/// Bytes of an attribute header (`NLA_HDRLEN`).
const NLA_HDRLEN: usize = 4;
/// The type bits of `nla_type` (`NLA_TYPE_MASK`: without the nested and
/// byte-order flags).
const NLA_TYPE_MASK: u16 = 0x3fff;

/// One attribute of a request: its type and payload, and where it sits in
/// the message (for the extack's offset).
#[derive(Clone, Copy)]
pub(crate) struct Attr<'a> {
    ty: u16,
    /// The whole attribute, header first.
    pub(super) raw: &'a [u8],
}

impl<'a> Attr<'a> {
    /// The attribute type, without flags.
    pub(crate) fn ty(&self) -> u16 {
        self.ty
    }

    /// The payload.
    pub(crate) fn payload(&self) -> &'a [u8] {
        self.raw.get(NLA_HDRLEN..).unwrap_or(&[])
    }

    /// A `u8` payload.
    pub(crate) fn u8(&self) -> Option<u8> {
        <[u8; 1]>::try_from(self.payload()).ok().map(|b| b[0])
    }

    /// A `u32` payload.
    pub(crate) fn u32(&self) -> Option<u32> {
        <[u8; 4]>::try_from(self.payload())
            .ok()
            .map(u32::from_ne_bytes)
    }

    /// A `u64` payload.
    pub(crate) fn u64(&self) -> Option<u64> {
        <[u8; 8]>::try_from(self.payload())
            .ok()
            .map(u64::from_ne_bytes)
    }

    /// The attributes nested in this one.
    pub(crate) fn nested(&self) -> Attrs<'a> {
        Attrs(self.payload())
    }
}

/// A stream of attributes, walked with bounds checks; a truncated or
/// malformed tail ends the walk.
#[derive(Clone, Copy)]
pub(crate) struct Attrs<'a>(&'a [u8]);

impl<'a> Attrs<'a> {
    /// The last attribute of type `ty` (the one `nla_parse` would keep).
    pub(crate) fn get(&self, ty: u32) -> Option<Attr<'a>> {
        self.filter(|a| u32::from(a.ty) == ty).last()
    }

    /// Every attribute of type `ty`, in order (multi-attr).
    pub(crate) fn all(&self, ty: u32) -> impl Iterator<Item = Attr<'a>> {
        self.filter(move |a| u32::from(a.ty) == ty)
    }
}

impl Attrs<'_> {
    /// # Safety
    /// `start` must be null or point to `len` bytes that stay valid and
    /// unchanged for the attributes' lifetime.
    pub(super) unsafe fn from_raw(start: *const core::ffi::c_void, len: c_int) -> Self {
        let len = usize::try_from(len).unwrap_or(0);
        if start.is_null() || len == 0 {
            return Attrs(&[]);
        }
        // SAFETY: guaranteed by the caller.
        Attrs(unsafe { core::slice::from_raw_parts(start.cast::<u8>(), len) })
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Attr<'a>> {
        let &[l0, l1, t0, t1] = self.0.get(..NLA_HDRLEN)? else {
            return None;
        };
        let len = usize::from(u16::from_ne_bytes([l0, l1]));
        let ty = u16::from_ne_bytes([t0, t1]) & NLA_TYPE_MASK;
        if len < NLA_HDRLEN {
            self.0 = &[];
            return None;
        }
        let raw = self.0.get(..len)?;
        let aligned = (len + 3) & !3;
        self.0 = self.0.get(aligned..).unwrap_or(&[]);
        Some(Attr { ty, raw })
    }
}
