//! Big-endian readers and writers over byte slices that never index: each
//! step splits a fixed-size chunk off the front, so a short buffer is an
//! error, not a panic.

use super::WireError;

/// Reads big-endian fields from the front of a byte slice.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader positioned at the start of `buf`.
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Reader { rest: buf }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let (head, rest) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or(WireError::Truncated)?;
        self.rest = rest;
        Ok(*head)
    }

    pub(super) fn u8(&mut self) -> Result<u8, WireError> {
        let [b] = self.take::<1>()?;
        Ok(b)
    }

    pub(super) fn u16(&mut self) -> Result<u16, WireError> {
        Ok(u16::from_be_bytes(self.take()?))
    }

    /// A reserved zero byte followed by a 24-bit value.
    pub(super) fn u24(&mut self) -> Result<u32, WireError> {
        let [reserved, a, b, c] = self.take::<4>()?;
        if reserved != 0 {
            return Err(WireError::ReservedBitsSet);
        }
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// A 24-bit field in three bytes, with no reserved byte before it.
    pub(super) fn u24_packed(&mut self) -> Result<u32, WireError> {
        let [a, b, c] = self.take::<3>()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub(super) fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_be_bytes(self.take()?))
    }

    pub(super) fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_be_bytes(self.take()?))
    }

    /// `N` reserved bytes, which must be zero.
    pub(super) fn reserved<const N: usize>(&mut self) -> Result<(), WireError> {
        if self.take::<N>()? == [0; N] {
            Ok(())
        } else {
            Err(WireError::ReservedBitsSet)
        }
    }

    /// The bytes not read yet.
    pub(super) fn rest(self) -> &'a [u8] {
        self.rest
    }
}

/// Writes big-endian fields to the front of a byte slice.
pub(super) struct Writer<'a> {
    rest: &'a mut [u8],
}

impl<'a> Writer<'a> {
    /// A writer positioned at the start of `buf`.
    pub(super) fn new(buf: &'a mut [u8]) -> Self {
        Writer { rest: buf }
    }

    fn put<const N: usize>(&mut self, bytes: [u8; N]) -> Result<(), WireError> {
        let buf = core::mem::take(&mut self.rest);
        let (head, rest) = buf
            .split_first_chunk_mut::<N>()
            .ok_or(WireError::BufferTooSmall)?;
        *head = bytes;
        self.rest = rest;
        Ok(())
    }

    pub(super) fn u8(&mut self, v: u8) -> Result<(), WireError> {
        self.put([v])
    }

    pub(super) fn u16(&mut self, v: u16) -> Result<(), WireError> {
        self.put(v.to_be_bytes())
    }

    /// A reserved zero byte followed by the 24-bit value `v`.
    pub(super) fn u24(&mut self, v: u32) -> Result<(), WireError> {
        let [top, a, b, c] = v.to_be_bytes();
        if top != 0 {
            return Err(WireError::FieldTooWide);
        }
        self.put([0, a, b, c])
    }

    /// A 24-bit field in three bytes, with no reserved byte before it.
    pub(super) fn u24_packed(&mut self, v: u32) -> Result<(), WireError> {
        let [top, a, b, c] = v.to_be_bytes();
        if top != 0 {
            return Err(WireError::FieldTooWide);
        }
        self.put([a, b, c])
    }

    pub(super) fn u32(&mut self, v: u32) -> Result<(), WireError> {
        self.put(v.to_be_bytes())
    }

    pub(super) fn u64(&mut self, v: u64) -> Result<(), WireError> {
        self.put(v.to_be_bytes())
    }

    /// `N` reserved zero bytes.
    pub(super) fn reserved<const N: usize>(&mut self) -> Result<(), WireError> {
        self.put([0; N])
    }
}
