//! `src/nl/uapi.rs` against `include/uapi/linux/mrc_netlink.h`, which the
//! kernel's YNL generator writes from the spec: every command, attribute
//! and enum value mrcctl uses has the header's value (EV states:
//! `linux/mrc.h`'s), and every command and attribute of the header is
//! known to mrcctl.

use std::collections::BTreeMap;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// NAME -> value of every enumerator and integer `#define` in the headers
/// (the family's, and `linux/mrc.h`, whose EV states the spec names).
fn header() -> BTreeMap<String, i64> {
    let mut values = BTreeMap::new();
    for name in ["mrc_netlink.h", "mrc.h"] {
        let text = std::fs::read_to_string(format!("{ROOT}/include/uapi/linux/{name}")).unwrap();
        parse(&text, &mut values);
    }
    values
}

fn parse(text: &str, values: &mut BTreeMap<String, i64>) {
    let mut next: Option<i64> = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with("enum") {
            next = Some(0);
            continue;
        }
        if line.starts_with('}') {
            next = None;
            continue;
        }
        if let Some(rest) = line.strip_prefix("#define ") {
            let mut parts = rest.split_whitespace();
            if let (Some(name), Some(v)) = (parts.next(), parts.next()) {
                if let Ok(v) = v.parse() {
                    values.insert(name.to_string(), v);
                }
            }
            continue;
        }
        let Some(n) = next else { continue };
        let entry = line.trim_end_matches(',');
        if !entry.starts_with("MRC_") && !entry.starts_with("__MRC_") {
            continue;
        }
        let (name, value) = match entry.split_once('=') {
            Some((name, v)) => (name.trim(), v.trim().parse().unwrap_or(-1)),
            None => (entry, n),
        };
        values.insert(name.to_string(), value);
        next = Some(value + 1);
    }
}

/// NAME -> value of every integer constant of `src/nl/uapi.rs`.
fn rust() -> BTreeMap<String, i64> {
    let text = std::fs::read_to_string(format!("{ROOT}/tools/mrcctl/src/nl/uapi.rs")).unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("pub const "))
        .filter_map(|l| {
            let (name, rest) = l.split_once(':')?;
            let value = rest.split_once('=')?.1.trim().trim_end_matches(';');
            Some((name.to_string(), value.parse().ok()?))
        })
        .collect()
}

#[test]
fn every_constant_has_the_headers_value() {
    let (header, rust) = (header(), rust());
    assert!(rust.len() > 60, "parsed {} constants", rust.len());
    for (name, value) in &rust {
        assert_eq!(header.get(name), Some(value), "{name}");
    }
}

#[test]
fn every_command_and_attribute_of_the_header_is_known() {
    let rust = rust();
    for name in header().keys() {
        let kind = name.starts_with("MRC_CMD_") || name.starts_with("MRC_A_");
        if kind && !name.ends_with("_MAX") {
            assert!(
                rust.contains_key(name),
                "{name} is missing from src/nl/uapi.rs"
            );
        }
    }
}
