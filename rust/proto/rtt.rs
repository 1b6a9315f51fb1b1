//! A smoothed round-trip time and its variance, as RFC 6298 keeps them for
//! TCP: what a timeout waits for before it judges a packet or a probe lost.

/// Smoothed RTT and mean deviation in ns; both 0 before the first sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RttEstimate {
    srtt_ns: u64,
    rttvar_ns: u64,
}

impl RttEstimate {
    /// No sample yet.
    pub const fn new() -> Self {
        Self {
            srtt_ns: 0,
            rttvar_ns: 0,
        }
    }

    /// Folds in a sample with the RFC 6298 gains (1/8 for the mean, 1/4
    /// for the deviation); the first sample sets the mean and half of it
    /// the deviation.
    pub fn sample(&mut self, rtt_ns: u64) {
        if self.srtt_ns == 0 {
            self.srtt_ns = rtt_ns.max(1);
            self.rttvar_ns = rtt_ns / 2;
            return;
        }
        let deviation = self.srtt_ns.abs_diff(rtt_ns);
        self.rttvar_ns = self
            .rttvar_ns
            .saturating_sub(self.rttvar_ns / 4)
            .saturating_add(deviation / 4);
        self.srtt_ns = self
            .srtt_ns
            .saturating_sub(self.srtt_ns / 8)
            .saturating_add(rtt_ns / 8)
            .max(1);
    }

    /// Smoothed RTT in ns (0 before the first sample).
    pub fn srtt_ns(&self) -> u64 {
        self.srtt_ns
    }

    /// Mean deviation of the RTT in ns.
    pub fn rttvar_ns(&self) -> u64 {
        self.rttvar_ns
    }

    /// RFC 6298's timeout, srtt + 4 × rttvar (0 before the first sample):
    /// an answer later than this is unlikely unless something was lost.
    pub fn timeout_ns(&self) -> u64 {
        self.srtt_ns
            .saturating_add(self.rttvar_ns.saturating_mul(4))
    }
}

#[cfg(test)]
mod tests {
    use super::RttEstimate;

    #[test]
    fn the_first_sample_sets_the_mean_and_half_of_it_the_deviation() {
        let mut rtt = RttEstimate::new();
        assert_eq!(rtt.timeout_ns(), 0);
        rtt.sample(1_000);
        assert_eq!(
            (rtt.srtt_ns(), rtt.rttvar_ns(), rtt.timeout_ns()),
            (1_000, 500, 3_000)
        );
    }

    #[test]
    fn a_steady_rtt_shrinks_the_deviation_and_a_jump_widens_the_timeout_at_once() {
        let mut rtt = RttEstimate::new();
        for _ in 0..64 {
            rtt.sample(1_000_000);
        }
        assert_eq!(rtt.srtt_ns(), 1_000_000);
        assert!(rtt.rttvar_ns() < 1_000, "{rtt:?}");
        // One sample 20 ms late: the mean moves by an eighth of the jump,
        // the timeout by the whole of it (a deviation of a quarter, × 4).
        rtt.sample(21_000_000);
        assert_eq!(rtt.srtt_ns(), 3_500_000);
        assert!(rtt.timeout_ns() >= 23_500_000, "{rtt:?}");
    }

    #[test]
    fn extreme_samples_saturate_instead_of_overflowing() {
        let mut rtt = RttEstimate::new();
        rtt.sample(u64::MAX);
        rtt.sample(0);
        rtt.sample(u64::MAX);
        assert_eq!(rtt.timeout_ns(), u64::MAX);
    }
}
