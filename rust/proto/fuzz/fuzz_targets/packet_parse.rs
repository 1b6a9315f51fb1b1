//! `Packet::parse` over arbitrary bytes (every header kind): it must not
//! panic, and whatever it accepts must re-emit to the very same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mrc_proto::wire::{trim_in_place, Body, Packet};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = Packet::parse(data) else {
        return;
    };
    let mut out = vec![0u8; packet.header_len()];
    assert_eq!(packet.emit(&mut out), Ok(packet.header_len()));
    if let Body::Data { payload, .. } = packet.body {
        out.extend_from_slice(payload);
    }
    assert_eq!(out, data, "accepted bytes must re-emit identically");
    if let Body::Data { .. } = packet.body {
        let len = trim_in_place(&mut out, data.len() % 2 == 0).expect("a valid data packet trims");
        out.truncate(len);
        assert!(Packet::parse(&out).is_ok(), "a trimmed packet parses");
    }
});
