//! One data model, two renderings: text for people, JSON (`-j`, pretty
//! with `-p`) for programs.

use serde::Serialize;

use crate::Failure;

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

/// Objects of one kind: one per line, or a JSON array.
#[derive(Serialize)]
#[serde(transparent)]
pub struct List<T>(pub Vec<T>);

impl<T: Render> Render for List<T> {
    fn text(&self) -> String {
        self.0
            .iter()
            .map(Render::text)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Prints `value` on stdout in `format`.
pub fn print<T: Render>(value: &T, format: Format) -> Result<(), Failure> {
    let line = match format {
        Format::Text => value.text(),
        Format::Json => serde_json::to_string(value).map_err(output)?,
        Format::PrettyJson => serde_json::to_string_pretty(value).map_err(output)?,
    };
    println!("{line}");
    Ok(())
}

fn output(e: serde_json::Error) -> Failure {
    Failure::Output(e.to_string())
}
