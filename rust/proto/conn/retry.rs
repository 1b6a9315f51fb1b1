//! The ACK timeout and its retry schedule: 1.024 µs × 2^timeout, first
//! `linear_cnt` retries at that fixed interval, then `exp_cnt` retries that
//! double it each time; `exp_cnt` = 25 retries for ever.

/// Largest ACK timeout exponent (2^24 × 1.024 µs = 17.17 s).
pub const MAX_TIMEOUT_EXP: u8 = 24;

/// Largest number of fixed-interval retries.
pub const MAX_LINEAR_CNT: u8 = 7;

/// `exp_cnt` value that means "retry for ever".
pub const EXP_CNT_INFINITE: u8 = 25;

/// Base unit of the ACK timeout in ns (1.024 µs).
const TIMEOUT_UNIT_NS: u64 = 1024;

/// Doublings beyond which an infinite backoff stops growing.
const MAX_BACKOFF_SHIFT: u32 = 25;

/// ACK timeout and retry counts, as a connection's attributes give them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// ACK timeout exponent: the base interval is 1.024 µs × 2^timeout.
    pub timeout: u8,
    /// Retries at the base interval before the exponential ones.
    pub linear_cnt: u8,
    /// Retries that double the interval; [`EXP_CNT_INFINITE`] never ends.
    pub exp_cnt: u8,
}

impl RetryPolicy {
    /// Whether every field is within its documented range.
    pub fn is_valid(&self) -> bool {
        self.timeout <= MAX_TIMEOUT_EXP
            && self.linear_cnt <= MAX_LINEAR_CNT
            && self.exp_cnt <= EXP_CNT_INFINITE
    }

    /// The base ACK timeout in ns.
    pub fn base_ns(&self) -> u64 {
        TIMEOUT_UNIT_NS
            .checked_shl(u32::from(self.timeout.min(MAX_TIMEOUT_EXP)))
            .unwrap_or(u64::MAX)
    }

    /// How long to wait for an ACK after `expired` consecutive timeouts
    /// without progress, or `None` when the retries are used up.
    pub fn interval_ns(&self, expired: u32) -> Option<u64> {
        let linear = u32::from(self.linear_cnt);
        if expired <= linear {
            return Some(self.base_ns());
        }
        let doublings = expired.saturating_sub(linear);
        if self.exp_cnt != EXP_CNT_INFINITE && doublings > u32::from(self.exp_cnt) {
            return None;
        }
        let shift = doublings.min(MAX_BACKOFF_SHIFT);
        Some(self.base_ns().checked_shl(shift).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_then_exponential_then_exhausted() {
        let p = RetryPolicy {
            timeout: 3,
            linear_cnt: 2,
            exp_cnt: 3,
        };
        let base = 8 * 1024;
        assert_eq!(p.base_ns(), base);
        let got: Vec<Option<u64>> = (0..7).map(|n| p.interval_ns(n)).collect();
        assert_eq!(
            got,
            vec![
                Some(base),
                Some(base),
                Some(base),
                Some(base * 2),
                Some(base * 4),
                Some(base * 8),
                None
            ]
        );
    }

    #[test]
    fn infinite_never_runs_out_and_saturates() {
        let p = RetryPolicy {
            timeout: 24,
            linear_cnt: 7,
            exp_cnt: EXP_CNT_INFINITE,
        };
        assert!(p.is_valid());
        assert_eq!(p.base_ns(), 17_179_869_184);
        for n in [0, 7, 8, 100, u32::MAX] {
            assert!(p.interval_ns(n).is_some());
        }
        assert!(p.interval_ns(u32::MAX).unwrap() >= p.interval_ns(8).unwrap());
        assert!(!RetryPolicy {
            timeout: 25,
            linear_cnt: 0,
            exp_cnt: 0
        }
        .is_valid());
        assert!(!RetryPolicy {
            timeout: 0,
            linear_cnt: 8,
            exp_cnt: 0
        }
        .is_valid());
        assert!(!RetryPolicy {
            timeout: 0,
            linear_cnt: 0,
            exp_cnt: 26
        }
        .is_valid());
    }

    #[test]
    fn zero_retries_fail_at_first_timeout() {
        let p = RetryPolicy {
            timeout: 0,
            linear_cnt: 0,
            exp_cnt: 0,
        };
        assert_eq!(p.interval_ns(0), Some(1024));
        assert_eq!(p.interval_ns(1), None);
    }
}
