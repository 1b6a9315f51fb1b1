//! One data model, two renderings: text for people, JSON (`-j`, pretty
//! with `-p`) for programs.

use serde::Serialize;

use crate::nl::Found;
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

/// The object a `show` asked for, or every object: one per line, or a
/// JSON array.
impl<T: Render> Render for Found<T> {
    fn text(&self) -> String {
        match self {
            Found::One(t) => t.text(),
            Found::All(all) => all.iter().map(Render::text).collect::<Vec<_>>().join("\n"),
        }
    }
}

/// Bytes as lowercase hex digits, two a byte.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Item {
        n: u32,
    }

    impl Render for Item {
        fn text(&self) -> String {
            format!("item {}", self.n)
        }
    }

    #[test]
    fn found_is_the_object_or_a_line_each_and_a_json_array() {
        let one = Found::One(Item { n: 1 });
        assert_eq!(one.text(), "item 1");
        assert_eq!(serde_json::to_string(&one).unwrap(), r#"{"n":1}"#);
        let all = Found::All(vec![Item { n: 1 }, Item { n: 2 }]);
        assert_eq!(all.text(), "item 1\nitem 2");
        assert_eq!(serde_json::to_string(&all).unwrap(), r#"[{"n":1},{"n":2}]"#);
        assert_eq!(Found::All(Vec::<Item>::new()).text(), "");
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
    }
}
