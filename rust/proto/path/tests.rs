//! Unit and property tests of the path set.

use super::*;

fn set(evs: u16) -> PathSet<Vec<PathState>> {
    PathSet::new(PathConfig::default(), vec![PathState::new(); usize::from(evs)], evs)
}

#[test]
fn equal_evs_share_evenly() {
    let mut paths = set(8);
    let mut counts = [0u32; 8];
    for i in 0..80_000u32 {
        let ev = paths.choose(0, i.wrapping_mul(2_654_435_761), None).unwrap();
        counts[usize::from(ev)] += 1;
    }
    for count in counts {
        assert!((9_800..=10_200).contains(&count), "{counts:?}");
    }
}
