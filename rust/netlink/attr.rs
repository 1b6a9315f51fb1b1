//! The spec's attributes by name, so that every refusal names the
//! attribute it is about (the extack message starts with the name; the
//! extack's offset points at the attribute, or its missing type is set).

use crate::ffi::genl::{Attr, Attrs, Refusal};
use core::fmt::Display;
use kernel::error::{code, Error};

/// One attribute of the spec: its type and its name there (checked against
/// the spec by `scripts/ynl-gen.sh --check`).
#[derive(Clone, Copy)]
pub(crate) struct Name {
    pub(crate) ty: u32,
    pub(crate) name: &'static str,
}

impl Name {
    pub(crate) const fn new(ty: u32, name: &'static str) -> Self {
        Self { ty, name }
    }

    /// The last instance of the attribute in `attrs`.
    pub(crate) fn get<'a>(&self, attrs: Attrs<'a>) -> Option<Attr<'a>> {
        attrs.get(self.ty)
    }

    /// Whether `attrs` holds the attribute.
    pub(crate) fn given(&self, attrs: Attrs<'_>) -> bool {
        self.get(attrs).is_some()
    }

    /// Refuses with `err` because of this attribute (pointed at if it is
    /// in `attrs`): the message is `name: why`.
    pub(crate) fn refuse<'a>(
        &self,
        err: Error,
        attrs: Attrs<'a>,
        why: impl Display,
    ) -> Refusal<'a> {
        self.refuse_at(err, self.get(attrs), why)
    }

    /// Refuses with `err` because of the instance `at` of this attribute.
    pub(crate) fn refuse_at<'a>(
        &self,
        err: Error,
        at: Option<Attr<'a>>,
        why: impl Display,
    ) -> Refusal<'a> {
        Refusal::new(err, at, 0, format_args!("{}: {}", self.name, why))
    }

    /// Refuses a request that lacks this required attribute.
    pub(crate) fn missing<'a>(&self) -> Refusal<'a> {
        Refusal::new(
            code::EINVAL,
            None,
            self.ty,
            format_args!("{}: missing", self.name),
        )
    }

    fn malformed<'a>(&self, at: Attr<'a>) -> Refusal<'a> {
        self.refuse_at(code::EINVAL, Some(at), "malformed")
    }

    /// The attribute's `u8` value, if given.
    pub(crate) fn u8<'a>(&self, attrs: Attrs<'a>) -> Result<Option<u8>, Refusal<'a>> {
        self.get(attrs)
            .map(|a| a.u8().ok_or_else(|| self.malformed(a)))
            .transpose()
    }

    /// The attribute's `u32` value, if given.
    pub(crate) fn u32<'a>(&self, attrs: Attrs<'a>) -> Result<Option<u32>, Refusal<'a>> {
        self.get(attrs)
            .map(|a| a.u32().ok_or_else(|| self.malformed(a)))
            .transpose()
    }

    /// The attribute's `u64` value, if given.
    pub(crate) fn u64<'a>(&self, attrs: Attrs<'a>) -> Result<Option<u64>, Refusal<'a>> {
        self.get(attrs)
            .map(|a| a.u64().ok_or_else(|| self.malformed(a)))
            .transpose()
    }

    /// The `u32` value of instance `at`.
    pub(crate) fn u32_at<'a>(&self, at: Attr<'a>) -> Result<u32, Refusal<'a>> {
        at.u32().ok_or_else(|| self.malformed(at))
    }

    /// The attribute's `u64` value, which the request must hold.
    pub(crate) fn required_u64<'a>(&self, attrs: Attrs<'a>) -> Result<u64, Refusal<'a>> {
        self.u64(attrs)?.ok_or_else(|| self.missing())
    }
}
