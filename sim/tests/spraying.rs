//! Spraying: on 8 equal, clean paths one connection reaches at least 95% of
//! the sum of the path rates, and each path carries 12.5% ± 2% of the data
//! packets.

use mrc_sim::{run, Scenario};

#[test]
fn eight_equal_paths_are_filled_evenly() {
    let s = Scenario::uniform(8, 10_000_000_000, 5_000, 32 << 20, 21);
    let r = run(s);
    let f = &r.flows[0];
    assert!(f.integrity_ok, "{}", r.text());
    assert!(
        f.goodput_ratio >= 0.95,
        "goodput {:.3} of capacity\n{}",
        f.goodput_ratio,
        r.text()
    );
    for (path, share) in f.path_share.iter().enumerate() {
        assert!(
            (share - 0.125).abs() <= 0.02,
            "path {path} carried {:.2}%\n{}",
            share * 100.0,
            r.text()
        );
    }
    assert_eq!(f.retransmissions, 0);
}
