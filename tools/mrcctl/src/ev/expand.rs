//! `mrcctl ev expand`: the EV expansion of the protocol core, offline.

use mrc_proto::ev::{EvFormat, EvLayout};
use serde::Serialize;

use super::args::{self, Mode, FIELD, MODE, WIDTHS};
use crate::keywords::{self, Keyword};
use crate::output::{self, Format, Render};
use crate::values;
use crate::Failure;

/// The EV: up to 64 hex digits, most significant first.
const EV: Keyword = Keyword::once("ev", "HEX");

/// `ev expand`'s keywords.
pub const KEYWORDS: [Keyword; 4] = [MODE, WIDTHS, FIELD, EV];

/// A format field's width: 0 to 255 bits (the format's rules say more).
fn width(text: &str) -> Result<u8, String> {
    u8::try_from(values::number(text)?).map_err(|_| format!("'{text}' is wider than 255 bits"))
}

/// The result: the 32 expanded bytes.
#[derive(Serialize)]
struct Expanded {
    expanded: String,
}

impl Render for Expanded {
    fn text(&self) -> String {
        self.expanded.clone()
    }
}

/// Runs `mrcctl ev expand KEYWORD VALUE...`.
pub fn run(words: &[String], format: Format) -> Result<(), Failure> {
    let pairs = keywords::parse(words, &KEYWORDS)?;
    let mode = pairs.required(MODE, values::choice::<Mode>)?;
    let widths = pairs.required(WIDTHS, |v| values::list(v, width))?;
    let fields = pairs.all(FIELD.name, args::field)?;
    let ev = pairs.required(EV, args::ev)?;
    let invalid = |what: &str, e: String| Failure::Invalid(format!("invalid {what}: {e}"));
    let ev_format =
        EvFormat::new(mode.into(), &widths).map_err(|e| invalid("EV format", e.to_string()))?;
    for (i, field) in fields.iter().enumerate() {
        field
            .validate()
            .map_err(|e| invalid("EV profile", format!("field {i}: {e}")))?;
    }
    let layout =
        EvLayout::new(ev_format, &fields).map_err(|e| invalid("EV profile", e.to_string()))?;
    let wire = layout
        .expand(&ev)
        .map_err(|e| invalid("EV", e.to_string()))?;
    output::print(
        &Expanded {
            expanded: output::hex(&wire.0),
        },
        format,
    )
}
