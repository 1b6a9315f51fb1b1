//! iproute2-style arguments: `KEYWORD VALUE` pairs after a command's
//! positional arguments (`mrcctl ev-fmt add 1 mode stev widths 16,16`).
//! One parser for every command: a word that is not one of the command's
//! keywords, a keyword without its value, or one given twice that does not
//! repeat is a usage error naming it, with the keywords the command takes.

use std::fmt;

/// One keyword a command takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keyword {
    pub name: &'static str,
    /// What its value looks like (`MODE`, `W1,W2,...`), for messages.
    pub value: &'static str,
    /// Whether it may be given more than once (`field`, `ev`).
    pub repeats: bool,
}

impl Keyword {
    /// A keyword given at most once.
    pub const fn once(name: &'static str, value: &'static str) -> Keyword {
        Keyword {
            name,
            value,
            repeats: false,
        }
    }

    /// A keyword given once per item, in order.
    pub const fn repeated(name: &'static str, value: &'static str) -> Keyword {
        Keyword {
            name,
            value,
            repeats: true,
        }
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.value)?;
        if self.repeats {
            f.write_str(" ...")?;
        }
        Ok(())
    }
}

/// A usage error: the command line is wrong (exit code 2).
#[derive(Debug, PartialEq, Eq)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The keywords a command takes, as its messages list them.
fn valid(keywords: &[Keyword]) -> String {
    if keywords.is_empty() {
        return "it takes none".to_string();
    }
    let names: Vec<String> = keywords.iter().map(Keyword::to_string).collect();
    format!("valid: {}", names.join(", "))
}

/// A command's keywords as its `--help` lists them, one a line.
pub fn help(keywords: &[Keyword]) -> String {
    if keywords.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = keywords.iter().map(|k| format!("  {k}")).collect();
    format!("Keywords:\n{}", lines.join("\n"))
}

/// The pairs of a command line, in the order given.
#[derive(Debug)]
pub struct Pairs(Vec<(Keyword, String)>);

/// Reads `words` as `KEYWORD VALUE` pairs of `keywords`.
pub fn parse(words: &[String], keywords: &[Keyword]) -> Result<Pairs, Usage> {
    let mut pairs: Vec<(Keyword, String)> = Vec::new();
    let mut words = words.iter();
    while let Some(word) = words.next() {
        let keyword = keywords
            .iter()
            .find(|k| k.name == word)
            .ok_or_else(|| Usage(format!("unknown keyword \"{word}\" ({})", valid(keywords))))?;
        if !keyword.repeats && pairs.iter().any(|(k, _)| k == keyword) {
            return Err(Usage(format!("\"{word}\" is given twice")));
        }
        let value = words
            .next()
            .ok_or_else(|| Usage(format!("\"{word}\" needs a value: {keyword}")))?;
        pairs.push((*keyword, value.clone()));
    }
    Ok(Pairs(pairs))
}

impl Pairs {
    /// Whether no keyword was given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The keywords given, in order (a repeated one each time).
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|(k, _)| k.name)
    }

    /// Every value of `name`, in order, through `parse`; a value it
    /// refuses is a usage error naming the keyword.
    pub fn all<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Vec<T>, Usage> {
        self.0
            .iter()
            .filter(|(k, _)| k.name == name)
            .map(|(_, v)| parse(v).map_err(|e| Usage(format!("{name}: {e}"))))
            .collect()
    }

    /// The value of `name` through `parse`, if given.
    pub fn one<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, Usage> {
        Ok(self.all(name, parse)?.pop())
    }

    /// The value of `name` through `parse`; its absence is a usage error.
    pub fn required<T>(
        &self,
        keyword: Keyword,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, Usage> {
        self.one(keyword.name, parse)?
            .ok_or_else(|| Usage(format!("\"{}\" is required: {keyword}", keyword.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODE: Keyword = Keyword::once("mode", "MODE");
    const FIELD: Keyword = Keyword::repeated("field", "FIELD");
    const KEYWORDS: [Keyword; 2] = [MODE, FIELD];

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    fn number(text: &str) -> Result<u32, String> {
        text.parse().map_err(|e| format!("'{text}': {e}"))
    }

    #[test]
    fn pairs_in_order_and_repeated_keywords() {
        let p = parse(&words("field 1 mode stev field 2"), &KEYWORDS).unwrap();
        assert_eq!(p.names().collect::<Vec<_>>(), ["field", "mode", "field"]);
        assert_eq!(p.all("field", number), Ok(vec![1, 2]));
        assert_eq!(
            p.one("mode", |v| Ok(v.to_string())),
            Ok(Some("stev".into()))
        );
        assert_eq!(p.one("other", number), Ok(None));
        assert!(parse(&[], &KEYWORDS).unwrap().is_empty());
    }

    #[test]
    fn an_unknown_keyword_is_named_with_the_valid_ones() {
        let e = parse(&words("mode stev widht 16"), &KEYWORDS).unwrap_err();
        assert_eq!(
            e.0,
            "unknown keyword \"widht\" (valid: mode MODE, field FIELD ...)"
        );
        let e = parse(&words("count 3"), &[]).unwrap_err();
        assert_eq!(e.0, "unknown keyword \"count\" (it takes none)");
        // Keywords match whole words: no abbreviations, no GNU flags.
        assert!(parse(&words("mod stev"), &KEYWORDS).is_err());
        assert!(parse(&words("--mode stev"), &KEYWORDS).is_err());
    }

    #[test]
    fn help_lists_one_keyword_a_line() {
        assert_eq!(help(&KEYWORDS), "Keywords:\n  mode MODE\n  field FIELD ...");
        assert_eq!(help(&[]), "");
    }

    #[test]
    fn a_keyword_needs_its_value() {
        let e = parse(&words("field 1 mode"), &KEYWORDS).unwrap_err();
        assert_eq!(e.0, "\"mode\" needs a value: mode MODE");
    }

    #[test]
    fn a_keyword_that_does_not_repeat_is_refused_twice() {
        let e = parse(&words("mode udp mode stev"), &KEYWORDS).unwrap_err();
        assert_eq!(e.0, "\"mode\" is given twice");
    }

    #[test]
    fn a_bad_value_names_its_keyword() {
        let p = parse(&words("field 1 field x"), &KEYWORDS).unwrap();
        let e = p.all("field", number).unwrap_err();
        assert_eq!(e.0, "field: 'x': invalid digit found in string");
    }

    #[test]
    fn a_required_keyword_missing_is_named() {
        let p = parse(&words("field 1"), &KEYWORDS).unwrap();
        assert_eq!(
            p.required(MODE, number).unwrap_err().0,
            "\"mode\" is required: mode MODE"
        );
        let p = parse(&words("mode 7"), &KEYWORDS).unwrap();
        assert_eq!(p.required(MODE, number), Ok(7));
    }
}
