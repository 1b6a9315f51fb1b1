//! `mrcctl ev expand`: the EV expansion of the protocol core, offline.

use clap::Args;
use mrc_proto::ev::{Ev, EvField, EvFormat, EvLayout, WireEv};
use serde::Serialize;

use super::args::{self, Mode};
use crate::output::{self, Format, Render};

/// Arguments of `mrcctl ev expand`.
#[derive(Args, Debug)]
pub struct ExpandArgs {
    /// Format mode: where the expanded EV goes on the wire.
    #[arg(long, value_enum)]
    mode: Mode,
    /// Format field widths, most significant first (e.g. 16,16).
    #[arg(
        long = "fmt-fields",
        value_name = "W1,W2,...",
        value_delimiter = ',',
        required = true
    )]
    fmt_fields: Vec<u8>,
    /// An EV field, in format order (repeat for each field).
    #[arg(
        long = "field",
        value_name = "width=N,init=V,min=V,max=V,mask=V",
        value_parser = args::field
    )]
    fields: Vec<EvField>,
    /// The EV: up to 64 hex digits, most significant first.
    #[arg(long, value_name = "HEX", value_parser = args::ev)]
    ev: Ev,
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

fn hex(wire: &WireEv) -> String {
    wire.0.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `mrcctl ev expand`.
pub fn run(args: &ExpandArgs, format: Format) -> Result<(), String> {
    let ev_format = EvFormat::new(args.mode.into(), &args.fmt_fields)
        .map_err(|e| format!("invalid EV format: {e}"))?;
    for (i, field) in args.fields.iter().enumerate() {
        field
            .validate()
            .map_err(|e| format!("invalid EV profile: field {i}: {e}"))?;
    }
    let layout =
        EvLayout::new(ev_format, &args.fields).map_err(|e| format!("invalid EV profile: {e}"))?;
    let wire = layout
        .expand(&args.ev)
        .map_err(|e| format!("invalid EV: {e}"))?;
    output::print(
        &Expanded {
            expanded: hex(&wire),
        },
        format,
    )
}
