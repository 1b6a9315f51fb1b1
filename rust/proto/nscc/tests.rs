//! Unit and property tests of NSCC. Each test drives the controller with
//! its own sequence of ACKs, losses and trims, so many share a shape:
//! deliberate twins, the sequence is the scenario.

use super::*;
use proptest::prelude::*;

const RATE: u64 = 12_500_000_000; // 100 Gb/s
const BASE: u64 = 10_000; // 10 µs: BDP 125 kB, max window 187.5 kB

fn cfg() -> NsccConfig {
    NsccConfig::for_path(RATE, BASE)
}

fn no_qa() -> NsccConfig {
    NsccConfig {
        disable_qa: true,
        ..cfg()
    }
}

/// Without quick adapt and eta: decreases alone.
fn decreases_only() -> NsccConfig {
    NsccConfig { eta: 0, ..no_qa() }
}

/// ACKs of `packet` bytes every `gap` ns from `*now` for `count` ACKs.
fn acks(cc: &mut Nscc, now: &mut u64, count: u32, packet: u32, rtt: u64, ecn: bool) {
    for _ in 0..count {
        *now += 100;
        cc.on_ack(*now, packet, rtt, ecn);
    }
}

/// Halves the window with one ECN echo at a delay far above target.
fn halve(cc: &mut Nscc, now: &mut u64) {
    *now += 100;
    cc.on_ack(*now, 4096, BASE * 100, true);
}

#[test]
fn for_path_scales_with_bdp() {
    let c = cfg();
    assert_eq!(c.validate(), Ok(()));
    assert_eq!(c.base_rtt_ns, BASE);
    assert_eq!(c.target_delay_ns, BASE);
    assert_eq!(c.max_cwnd, 187_500);
    assert_eq!(c.gamma, 819);
    assert_eq!(c.max_md_jump, 512);
    let wide = NsccConfig::for_path(RATE * 4, BASE);
    assert_eq!(wide.max_cwnd, 750_000);
    assert!(wide.eta > c.eta && wide.fi > c.fi);
}

#[test]
fn starts_at_max_cwnd() {
    assert_eq!(Nscc::new(cfg()).cwnd(), 187_500);
}

#[test]
fn proportional_increase_below_target() {
    let mut cc = Nscc::new(no_qa());
    let mut now = 0;
    halve(&mut cc, &mut now);
    let start = cc.cwnd();
    assert_eq!(start, 93_750);
    // Delay half the target: a window of ACKs adds max_cwnd/32 × 1/2 ≈ 2.9 kB.
    acks(&mut cc, &mut now, 23, 4096, BASE + BASE / 2, false);
    let grown = cc.cwnd() - start;
    assert!((2_500..=3_400).contains(&grown), "grew {grown}");
}

#[test]
fn increase_is_faster_nearer_zero_delay() {
    let grow = |delay: u64| {
        let mut cc = Nscc::new(no_qa());
        let mut now = 0;
        halve(&mut cc, &mut now);
        let start = cc.cwnd();
        acks(&mut cc, &mut now, 23, 4096, BASE + delay, false);
        cc.cwnd() - start
    };
    assert!(grow(BASE / 4) > grow(BASE / 2));
    assert!(grow(BASE / 2) > grow(BASE * 9 / 10));
}

#[test]
fn fast_increase_at_near_zero_delay() {
    let mut cc = Nscc::new(no_qa());
    let mut now = 0;
    halve(&mut cc, &mut now);
    // A window at zero delay arms fast increase; the next ACKs grow the
    // window by a quarter of what they ack.
    acks(&mut cc, &mut now, 30, 4096, BASE, false);
    let armed = cc.cwnd();
    acks(&mut cc, &mut now, 10, 4096, BASE, false);
    assert!(cc.cwnd() - armed >= 10 * 1024, "{} -> {}", armed, cc.cwnd());
}

#[test]
fn fair_increase_at_or_above_target() {
    let c = no_qa();
    let mut cc = Nscc::new(c);
    let mut now = 0;
    halve(&mut cc, &mut now);
    let start = cc.cwnd();
    // A window of ACKs (93.75 kB) at twice the target, within one adjust
    // period: fi bytes, give or take rounding.
    acks(&mut cc, &mut now, 23, 4096, BASE * 3, false);
    let grown = cc.cwnd() - start;
    assert!(
        grown <= c.fi + 8 && grown + 8 >= c.fi,
        "grew {grown}, fi {}",
        c.fi
    );
}

#[test]
fn eta_is_added_once_per_adjust_period() {
    let c = no_qa();
    let mut cc = Nscc::new(c);
    let mut now = 0;
    halve(&mut cc, &mut now);
    let start = cc.cwnd();
    // Tiny ACKs far above target over ~5 periods: almost all growth is eta.
    for _ in 0..50 {
        now += BASE / 10 + 1;
        cc.on_ack(now, 1, BASE * 3, false);
    }
    let grown = cc.cwnd() - start;
    assert!(
        grown >= 4 * c.eta && grown <= 5 * c.eta + 8,
        "grew {grown}, eta {}",
        c.eta
    );
}

#[test]
fn multiplicative_decrease_bounded_by_max_md_jump() {
    let mut cc = Nscc::new(no_qa());
    let mut now = 0;
    halve(&mut cc, &mut now);
    // gamma 0.8 × overshoot ~1 would cut 80%; max_md_jump keeps 50%.
    assert_eq!(cc.cwnd(), 187_500 / 2);
}

#[test]
fn multiplicative_decrease_follows_gamma() {
    let mut cc = Nscc::new(no_qa());
    // delay = 2 × target: overshoot 1/2, cut 0.8 × 1/2 = 0.4.
    cc.on_ack(1, 4096, BASE * 3, true);
    let factor = ONE - 819 * 512 / ONE;
    assert_eq!(u64::from(cc.cwnd()), 187_500 * factor / ONE);
}

#[test]
fn multiplicative_decrease_at_most_once_per_base_rtt() {
    let mut cc = Nscc::new(decreases_only());
    let mut now = 1_000;
    cc.on_ack(now, 4096, BASE * 100, true);
    let once = cc.cwnd();
    for _ in 0..10 {
        now += BASE / 10;
        cc.on_ack(now, 4096, BASE * 100, true);
    }
    assert_eq!(cc.cwnd(), once);
    now += 1;
    cc.on_ack(now, 4096, BASE * 100, true);
    assert_eq!(cc.cwnd(), once / 2);
}

#[test]
fn ecn_below_target_changes_nothing() {
    let mut cc = Nscc::new(no_qa());
    let mut now = 0;
    halve(&mut cc, &mut now);
    let start = cc.cwnd();
    acks(&mut cc, &mut now, 20, 4096, BASE + BASE / 2, true);
    assert_eq!(cc.cwnd(), start);
}

#[test]
fn capped_at_max_cwnd() {
    let mut cc = Nscc::new(no_qa());
    let mut now = 0;
    for _ in 0..10_000 {
        now += 1_000;
        cc.on_ack(now, 65_536, BASE, false);
        assert!(cc.cwnd() <= 187_500);
    }
    assert_eq!(cc.cwnd(), 187_500);
}

#[test]
fn never_below_one_mtu() {
    let mut cc = Nscc::new(decreases_only());
    let mut now = 0;
    for _ in 0..100 {
        now += BASE + 1;
        cc.on_ack(now, 4096, BASE * 1_000, true);
    }
    assert_eq!(cc.cwnd(), DEFAULT_MTU);
}

#[test]
fn quick_adapt_sets_window_to_delivered_bytes() {
    let mut cc = Nscc::new(cfg());
    // The first ACK opens the measurement window (base RTT + target).
    cc.on_ack(0, 4096, BASE, false);
    cc.on_trim(1_000);
    // 3 × 4 kB delivered in the window: below max_cwnd >> 3 = 23.4 kB.
    cc.on_ack(5_000, 4096, BASE, false);
    cc.on_ack(10_000, 4096, BASE, false);
    cc.on_ack(15_000, 4096, BASE, false);
    assert_eq!(cc.cwnd(), 187_500);
    cc.on_ack(20_001, 4096, BASE, false);
    assert_eq!(cc.cwnd(), 4 * 4096);
}

#[test]
fn quick_adapt_at_most_once_per_rtt() {
    let mut cc = Nscc::new(cfg());
    cc.on_ack(0, 4096, BASE, false);
    cc.on_loss(1_000);
    cc.on_ack(2_000, 8192, BASE, false);
    cc.on_ack(20_001, 8192, BASE, false);
    let adapted = cc.cwnd();
    assert_eq!(adapted, 16_384);
    // More losses at once: nothing until the next window ends at 40_001
    // (firing now would set the window to the 0 bytes delivered so far).
    cc.on_loss(20_002);
    cc.on_trim(30_000);
    assert!(cc.cwnd() >= adapted);
    cc.on_ack(40_000, 8192, BASE, false);
    assert!(cc.cwnd() >= adapted);
    // It fires again at the end of that window: 8 kB delivered.
    cc.on_ack(40_002, 0, BASE, false);
    assert_eq!(cc.cwnd(), 8192);
}

#[test]
fn quick_adapt_on_large_delay() {
    let c = cfg();
    let mut cc = Nscc::new(c);
    cc.on_ack(0, 4096, BASE, false);
    cc.on_ack(1_000, 4096, BASE + c.qa_threshold_ns + 1, false);
    cc.on_ack(20_001, 4096, BASE, false);
    assert_eq!(cc.cwnd(), 8192);
}

#[test]
fn quick_adapt_respects_gate() {
    let mut cc = Nscc::new(cfg());
    cc.on_ack(0, 4096, BASE, false);
    cc.on_trim(1_000);
    // 24 kB delivered: not below max_cwnd >> 3, so no quick adapt.
    for i in 0..6 {
        cc.on_ack(2_000 + i * 1_000, 4096, BASE, false);
    }
    cc.on_ack(20_001, 4096, BASE, false);
    assert_eq!(cc.cwnd(), 187_500);
}

#[test]
fn quick_adapt_can_be_disabled() {
    let mut cc = Nscc::new(no_qa());
    cc.on_ack(0, 4096, BASE, false);
    cc.on_trim(1_000);
    cc.on_ack(20_001, 4096, BASE, false);
    assert_eq!(cc.cwnd(), 187_500);
}

#[test]
fn quick_adapt_not_armed_does_nothing() {
    let mut cc = Nscc::new(cfg());
    cc.on_ack(0, 4096, BASE, false);
    cc.on_ack(20_001, 4096, BASE, false);
    assert_eq!(cc.cwnd(), 187_500);
}

#[test]
fn validate_rejects_each_bad_field() {
    let ok = cfg();
    // Each case sets one field of a valid configuration out of range.
    type Case = (fn(&mut NsccConfig), NsccError);
    let cases: [Case; 17] = [
        (|c| c.base_rtt_ns = 0, NsccError::BaseRtt),
        (|c| c.base_rtt_ns = MAX_RTT_NS + 1, NsccError::BaseRtt),
        (|c| c.target_delay_ns = 0, NsccError::TargetDelay),
        (
            |c| c.target_delay_ns = MAX_RTT_NS + 1,
            NsccError::TargetDelay,
        ),
        (|c| c.mtu = 0, NsccError::Mtu),
        (|c| c.max_cwnd = c.mtu - 1, NsccError::MaxCwnd),
        (|c| c.eta = c.max_cwnd + 1, NsccError::Increase),
        (|c| c.fi = c.max_cwnd + 1, NsccError::Increase),
        (|c| c.fi_scale = 1025, NsccError::FiScale),
        (|c| c.gamma = 0, NsccError::Gamma),
        (|c| c.gamma = 1025, NsccError::Gamma),
        (|c| c.max_md_jump = 0, NsccError::MaxMdJump),
        (|c| c.max_md_jump = 1024, NsccError::MaxMdJump),
        (|c| c.qa_gate = 32, NsccError::QaGate),
        (
            |c| c.qa_threshold_ns = c.target_delay_ns - 1,
            NsccError::QaThreshold,
        ),
        (
            |c| c.adjust_period_threshold_ns = 0,
            NsccError::AdjustPeriod,
        ),
        (
            |c| c.adjust_period_threshold_ns = MAX_RTT_NS + 1,
            NsccError::AdjustPeriod,
        ),
    ];
    for (set, error) in cases {
        let mut bad = ok;
        set(&mut bad);
        assert_eq!(bad.validate(), Err(error), "{bad:?}");
        assert_eq!(bad.clamped().validate(), Ok(()), "{bad:?}");
    }
}

#[test]
fn rtt_below_base_is_zero_delay() {
    // A short RTT neither lowers the base (so a delay of half the target
    // still grows the window proportionally, not by the fair increase) nor
    // counts as a decrease.
    let run = |first_rtt: u64| {
        let mut cc = Nscc::new(no_qa());
        let mut now = 0;
        halve(&mut cc, &mut now);
        now += 100;
        cc.on_ack(now, 4096, first_rtt, true);
        let start = cc.cwnd();
        acks(&mut cc, &mut now, 23, 4096, BASE + BASE / 2, false);
        cc.cwnd() - start
    };
    assert_eq!(run(BASE / 2), run(BASE));
}

#[derive(Clone, Debug)]
enum Op {
    Ack {
        dt: u64,
        bytes: u32,
        rtt: u64,
        ecn: bool,
    },
    Trim {
        dt: u64,
    },
    Loss {
        dt: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let dt = prop_oneof![0..100_000u64, Just(0), Just(u64::MAX / 4), any::<u64>()];
    let rtt = prop_oneof![0..1_000_000u64, Just(u64::MAX), any::<u64>()];
    prop_oneof![
        8 => (dt.clone(), any::<u32>(), rtt, any::<bool>())
            .prop_map(|(dt, bytes, rtt, ecn)| Op::Ack { dt, bytes, rtt, ecn }),
        1 => dt.clone().prop_map(|dt| Op::Trim { dt }),
        1 => dt.prop_map(|dt| Op::Loss { dt }),
    ]
}

// A deliberate twin of the path tests' and wire/strategy.rs's strategies:
// proptest's tuple strategies have no named form, so each field is named twice.
fn any_config() -> impl Strategy<Value = NsccConfig> {
    (
        (
            any::<u64>(),
            any::<u64>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
        ),
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<u8>(),
            any::<u64>(),
        ),
        (any::<u32>(), any::<u64>(), any::<bool>(), any::<u32>()),
    )
        .prop_map(|(a, b, c)| NsccConfig {
            base_rtt_ns: a.0,
            target_delay_ns: a.1,
            eta: a.2,
            fi: a.3,
            fi_scale: a.4,
            gamma: b.0,
            max_md_jump: b.1,
            max_cwnd: b.2,
            qa_gate: b.3,
            qa_threshold_ns: b.4,
            adjust_bytes_threshold: c.0,
            adjust_period_threshold_ns: c.1,
            disable_qa: c.2,
            mtu: c.3,
        })
}

proptest! {
    #[test]
    fn for_path_always_validates(rate in any::<u64>(), rtt in any::<u64>()) {
        prop_assert_eq!(NsccConfig::for_path(rate, rtt).validate(), Ok(()));
    }

    #[test]
    fn no_panic_and_window_in_bounds(
        cfg in prop_oneof![Just(cfg()), any_config()],
        ops in proptest::collection::vec(op(), 0..300),
    ) {
        let mut cc = Nscc::new(cfg);
        let limits = *cc.config();
        let mut now = 0u64;
        for op in ops {
            match op {
                Op::Ack { dt, bytes, rtt, ecn } => {
                    now = now.saturating_add(dt);
                    cc.on_ack(now, bytes, rtt, ecn);
                }
                Op::Trim { dt } => {
                    now = now.saturating_add(dt);
                    cc.on_trim(now);
                }
                Op::Loss { dt } => {
                    now = now.saturating_add(dt);
                    cc.on_loss(now);
                }
            }
            prop_assert!(cc.cwnd() >= limits.mtu && cc.cwnd() <= limits.max_cwnd);
        }
    }

    #[test]
    fn decreases_once_per_base_rtt_within_max_md_jump(
        steps in proptest::collection::vec((0..4 * BASE, BASE..BASE * 1_000), 1..300),
    ) {
        let mut cc = Nscc::new(decreases_only());
        let mut now = 0;
        let mut last_cut: Option<u64> = None;
        for (dt, rtt) in steps {
            now += dt;
            let before = cc.cwnd();
            cc.on_ack(now, 4096, rtt, true);
            let after = cc.cwnd();
            if after < before {
                prop_assert!(last_cut.is_none_or(|last| now - last > BASE));
                prop_assert!(u64::from(after) * ONE >= u64::from(before) * 512 - ONE);
                last_cut = Some(now);
            }
        }
    }

    #[test]
    fn quick_adapt_once_per_window(
        ops in proptest::collection::vec((0..3u8, 0..3 * BASE, 0..65_536u32, BASE..3 * BASE / 2), 1..300),
    ) {
        // No ECN and delays below target: every cut is a quick adapt.
        let c = cfg();
        let mut cc = Nscc::new(c);
        let mut now = 0;
        let mut last_cut: Option<u64> = None;
        for (kind, dt, bytes, rtt) in ops {
            now += dt;
            let before = cc.cwnd();
            match kind {
                0 => cc.on_trim(now),
                1 => cc.on_loss(now),
                _ => cc.on_ack(now, bytes, rtt, false),
            }
            if cc.cwnd() < before {
                prop_assert!(last_cut.is_none_or(|last| now - last > BASE + c.target_delay_ns));
                last_cut = Some(now);
            }
        }
    }
}
