//! One data model, two renderings: text for people, JSON (`-j`, pretty
//! with `-p`) for programs.

use serde::Serialize;

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text.
    Text,
    /// Compact JSON.
    Json,
    /// Indented JSON.
    PrettyJson,
}

impl Format {
    /// The format the `-j` and `-p` flags ask for.
    pub fn new(json: bool, pretty: bool) -> Format {
        match (json, pretty) {
            (_, true) => Format::PrettyJson,
            (true, false) => Format::Json,
            (false, false) => Format::Text,
        }
    }
}

/// A result that prints as text or as JSON.
pub trait Render: Serialize {
    /// The text rendering (without the final newline).
    fn text(&self) -> String;
}

/// Prints `value` on stdout in `format`.
pub fn print<T: Render>(value: &T, format: Format) -> Result<(), String> {
    let line = match format {
        Format::Text => value.text(),
        Format::Json => serde_json::to_string(value).map_err(|e| e.to_string())?,
        Format::PrettyJson => serde_json::to_string_pretty(value).map_err(|e| e.to_string())?,
    };
    println!("{line}");
    Ok(())
}
