//! Netlink attributes as `mrcctl` builds and reads them: a request's
//! attributes (with their names, to say which one the kernel refused) and
//! a reply's, walked with bounds checks.

/// One attribute of a request.
#[derive(Clone, Debug)]
pub struct Attr {
    pub ty: u16,
    /// The spec's name, for error messages.
    pub name: &'static str,
    pub value: Value,
}

/// A request attribute's payload.
#[derive(Clone, Debug)]
pub enum Value {
    U8(u8),
    U32(u32),
    U64(u64),
    Bytes(Vec<u8>),
    /// A nest: its attributes, encoded.
    Nest(Vec<Attr>),
}

impl Attr {
    fn new(ty: u16, name: &'static str, value: Value) -> Attr {
        Attr { ty, name, value }
    }

    pub fn u8(ty: u16, name: &'static str, v: u8) -> Attr {
        Attr::new(ty, name, Value::U8(v))
    }

    pub fn u32(ty: u16, name: &'static str, v: u32) -> Attr {
        Attr::new(ty, name, Value::U32(v))
    }

    pub fn u64(ty: u16, name: &'static str, v: u64) -> Attr {
        Attr::new(ty, name, Value::U64(v))
    }

    pub fn bytes(ty: u16, name: &'static str, v: &[u8]) -> Attr {
        Attr::new(ty, name, Value::Bytes(v.to_vec()))
    }

    pub fn nest(ty: u16, name: &'static str, inner: Vec<Attr>) -> Attr {
        Attr::new(ty, name, Value::Nest(inner))
    }

    /// Whether this is a nest.
    pub fn is_nest(&self) -> bool {
        matches!(self.value, Value::Nest(_))
    }

    /// The payload bytes (a nest's attributes encoded back to back).
    pub fn payload(&self) -> Vec<u8> {
        match &self.value {
            Value::U8(v) => vec![*v],
            Value::U32(v) => v.to_ne_bytes().to_vec(),
            Value::U64(v) => v.to_ne_bytes().to_vec(),
            Value::Bytes(v) => v.clone(),
            Value::Nest(inner) => inner.iter().flat_map(Attr::encoded).collect(),
        }
    }

    /// The whole attribute, header and padding included.
    pub fn encoded(&self) -> Vec<u8> {
        let payload = self.payload();
        let len = (4 + payload.len()) as u16;
        let ty = self.ty | if self.is_nest() { NLA_F_NESTED } else { 0 };
        let mut out = Vec::with_capacity(align(len as usize));
        out.extend_from_slice(&len.to_ne_bytes());
        out.extend_from_slice(&ty.to_ne_bytes());
        out.extend_from_slice(&payload);
        out.resize(align(out.len()), 0);
        out
    }
}

/// `NLA_F_NESTED`.
const NLA_F_NESTED: u16 = 1 << 15;
/// `NLA_TYPE_MASK`.
const NLA_TYPE_MASK: u16 = 0x3fff;

fn align(len: usize) -> usize {
    (len + 3) & !3
}

/// The name of the request attribute at byte `offset` of the attribute
/// stream `attrs` (as the kernel's extack offset points, less the headers).
pub fn name_at(attrs: &[Attr], offset: usize) -> Option<String> {
    let mut at = 0;
    for a in attrs {
        let len = a.encoded().len();
        if (at..at + len).contains(&offset) {
            if let (Value::Nest(inner), Some(within)) = (&a.value, offset.checked_sub(at + 4)) {
                if let Some(inner_name) = name_at(inner, within) {
                    return Some(format!("{}.{}", a.name, inner_name));
                }
            }
            return Some(a.name.to_string());
        }
        at += len;
    }
    None
}

/// The attributes of a reply (or of a nest in one).
#[derive(Clone, Debug, Default)]
pub struct Reply(pub Vec<(u16, Vec<u8>)>);

impl Reply {
    /// Parses an attribute stream; a malformed tail ends it.
    pub fn parse(mut bytes: &[u8]) -> Reply {
        let mut out = Vec::new();
        while bytes.len() >= 4 {
            let len = u16::from_ne_bytes([bytes[0], bytes[1]]) as usize;
            let ty = u16::from_ne_bytes([bytes[2], bytes[3]]) & NLA_TYPE_MASK;
            if len < 4 || len > bytes.len() {
                break;
            }
            out.push((ty, bytes[4..len].to_vec()));
            bytes = bytes.get(align(len)..).unwrap_or(&[]);
        }
        Reply(out)
    }

    /// Every payload of type `ty`, in order.
    pub fn all(&self, ty: u16) -> impl Iterator<Item = &[u8]> {
        self.0
            .iter()
            .filter(move |(t, _)| *t == ty)
            .map(|(_, v)| v.as_slice())
    }

    /// The last payload of type `ty`.
    pub fn get(&self, ty: u16) -> Option<&[u8]> {
        self.all(ty).last()
    }

    /// The first byte: unlike the wider readers, a longer payload is
    /// taken too.
    pub fn u8(&self, ty: u16) -> Option<u8> {
        self.get(ty).and_then(|b| b.first().copied())
    }

    /// The last payload of type `ty` if it is exactly `N` bytes.
    fn array<const N: usize>(&self, ty: u16) -> Option<[u8; N]> {
        self.get(ty)?.try_into().ok()
    }

    pub fn u16(&self, ty: u16) -> Option<u16> {
        self.array(ty).map(u16::from_ne_bytes)
    }

    pub fn u32(&self, ty: u16) -> Option<u32> {
        self.array(ty).map(u32::from_ne_bytes)
    }

    pub fn u64(&self, ty: u16) -> Option<u64> {
        self.array(ty).map(u64::from_ne_bytes)
    }

    /// Every `u32` of type `ty` (multi-attr).
    pub fn all_u32(&self, ty: u16) -> Vec<u32> {
        self.all(ty)
            .filter_map(|b| b.try_into().ok().map(u32::from_ne_bytes))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_parse_round_trip() {
        let attrs = [
            Attr::u64(1, "id", 7),
            Attr::nest(
                8,
                "field",
                vec![Attr::u32(1, "width", 16), Attr::u64(5, "mask", 0xff)],
            ),
            Attr::u8(17, "disable-qa", 1),
        ];
        let bytes: Vec<u8> = attrs.iter().flat_map(Attr::encoded).collect();
        assert_eq!(bytes.len(), 12 + (4 + 8 + 12) + 8);
        let reply = Reply::parse(&bytes);
        assert_eq!(reply.u64(1), Some(7));
        assert_eq!(reply.u8(17), Some(1));
        let nest = Reply::parse(reply.get(8).unwrap());
        assert_eq!(nest.u32(1), Some(16));
        assert_eq!(nest.u64(5), Some(0xff));
        assert_eq!(name_at(&attrs, 0).as_deref(), Some("id"));
        assert_eq!(name_at(&attrs, 12).as_deref(), Some("field"));
        assert_eq!(name_at(&attrs, 24).as_deref(), Some("field.mask"));
        assert_eq!(name_at(&attrs, 36).as_deref(), Some("disable-qa"));
        assert_eq!(name_at(&attrs, 44), None);
    }

    #[test]
    fn truncated_streams_end_the_walk() {
        assert!(Reply::parse(&[8, 0, 1, 0, 1, 2]).0.is_empty());
        assert!(Reply::parse(&[2, 0, 1, 0]).0.is_empty());
        assert_eq!(Reply::parse(&[5, 0, 1, 0, 9, 0, 0, 0]).u8(1), Some(9));
    }
}
