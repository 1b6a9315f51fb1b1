//! EV format and profile validation, expansion and generation from
//! arbitrary bytes: nothing may panic; a valid layout must expand every EV
//! it packs, and generated EVs must expand.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use mrc_proto::ev::{
    Ev, EvField, EvFormat, EvFormatMode, EvLayout, EvProfileConfig, EvProfileMode, EvRange, EV_BYTES,
    MAX_FIELDS,
};

fn mode(u: &mut Unstructured<'_>) -> Result<EvFormatMode> {
    Ok(*u.choose(&[EvFormatMode::Udp, EvFormatMode::Stev, EvFormatMode::Srv6, EvFormatMode::Srv6Srh])?)
}

fn field(u: &mut Unstructured<'_>) -> Result<EvField> {
    Ok(EvField {
        width: u.arbitrary()?,
        init_val: u.arbitrary()?,
        min_val: u.arbitrary()?,
        max_val: u.arbitrary()?,
        mask: u.arbitrary()?,
    })
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let mode = mode(u)?;
    let widths: Vec<u8> = (0..u.int_in_range(0..=MAX_FIELDS + 1)?)
        .map(|_| u.arbitrary())
        .collect::<Result<_>>()?;
    let fields: Vec<EvField> = (0..u.int_in_range(0..=MAX_FIELDS + 1)?)
        .map(|_| field(u))
        .collect::<Result<_>>()?;
    let ev = Ev(u.arbitrary::<[u8; EV_BYTES]>()?);
    let Ok(format) = EvFormat::new(mode, &widths) else {
        return Ok(());
    };
    let Ok(layout) = EvLayout::new(format, &fields) else {
        return Ok(());
    };
    let _ = layout.expand(&ev);
    let values: Vec<u64> = layout.fields().iter().map(|_| u.arbitrary()).collect::<Result<_>>()?;
    if let Ok(packed) = layout.pack(&values) {
        assert!(layout.expand(&packed).is_ok(), "packed EVs expand");
    }
    let count: u16 = u.int_in_range(1..=256)?;
    let profile_mode = *u.choose(&[EvProfileMode::Auto, EvProfileMode::Explicit, EvProfileMode::Generated])?;
    if let Ok(mut config) = EvProfileConfig::new(profile_mode, 0, &fields) {
        config.ev_count = count;
        config.ev_min_active = u.arbitrary()?;
        config.ev_event_mask = u.arbitrary()?;
        let _ = config.validate(&format);
    }
    let range = if u.arbitrary()? { EvRange::Full } else { EvRange::Configured };
    let seed: u64 = u.arbitrary()?;
    for index in 0..count.min(8) {
        if let Ok(generated) = layout.generate(range, seed, index, count) {
            assert!(layout.expand(&generated).is_ok(), "generated EVs expand");
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
