//! NSCC parameters (what a CC profile carries): their fixed-point scales,
//! defaults derived from the path's bandwidth-delay product, and validation.

/// Scale of the fractional parameters (`gamma`, `max_md_jump`, `fi_scale`):
/// 1024 stands for 1.0.
pub const FRACTION_ONE: u32 = 1024;

/// Largest RTT or delay the controller reasons about (2^40 ns, about 18
/// minutes); larger samples are clamped, which keeps every product with a
/// [`FRACTION_ONE`]-scaled factor inside `u64`.
pub const MAX_RTT_NS: u64 = 1 << 40;

/// Default packet size (bytes) used as the window floor.
pub const DEFAULT_MTU: u32 = 4096;

/// NSCC parameters of one connection. Times in ns, sizes in bytes,
/// fractions in 1/[`FRACTION_ONE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NsccConfig {
    /// Unloaded round-trip time of the path; the delay signal is
    /// `RTT − base_rtt`.
    pub base_rtt_ns: u64,
    /// Queueing delay the controller steers towards.
    pub target_delay_ns: u64,
    /// Additive increase (bytes) applied once per `adjust_period_threshold`.
    pub eta: u32,
    /// Fair increase: bytes the window grows per window of ACKs while the
    /// delay is at or above target and no ECN is echoed.
    pub fi: u32,
    /// Fast increase factor (1/1024): after a full window of ACKs at
    /// near-zero delay (below `target_delay_ns / 8`) each ACK of `n` bytes
    /// grows the window by `n × fi_scale / 1024`.
    pub fi_scale: u32,
    /// Multiplicative decrease strength (1/1024): on ECN at or above target
    /// the window is multiplied by `1 − gamma × (delay − target) / delay`.
    pub gamma: u32,
    /// Floor of that factor (1/1024): one decrease never takes more than
    /// `1 − max_md_jump` of the window.
    pub max_md_jump: u32,
    /// Largest window (bytes).
    pub max_cwnd: u32,
    /// Quick adapt only fires when the bytes delivered in the last RTT are
    /// below `max_cwnd >> qa_gate` (0..=31).
    pub qa_gate: u8,
    /// Delay above which an ACK triggers quick adapt.
    pub qa_threshold_ns: u64,
    /// Accumulated increases are applied after this many acked bytes...
    pub adjust_bytes_threshold: u32,
    /// ...or after this much time, whichever comes first; `eta` is added
    /// once per period.
    pub adjust_period_threshold_ns: u64,
    /// Turn quick adapt off.
    pub disable_qa: bool,
    /// Packet size (bytes): the window never falls below one packet. A
    /// floor this project added to NSCC's parameters
    /// (Documentation/paths-and-nscc.rst, "Choices of this implementation").
    pub mtu: u32,
}

/// What is wrong with an [`NsccConfig`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NsccError {
    /// `base_rtt_ns` is 0 or above [`MAX_RTT_NS`].
    BaseRtt,
    /// `target_delay_ns` is 0 or above [`MAX_RTT_NS`].
    TargetDelay,
    /// `mtu` is 0.
    Mtu,
    /// `max_cwnd` is below `mtu`.
    MaxCwnd,
    /// `eta` or `fi` is above `max_cwnd`.
    Increase,
    /// `fi_scale` is above 1024 (more than doubling per RTT).
    FiScale,
    /// `gamma` is 0 or above 1024.
    Gamma,
    /// `max_md_jump` is 0 or not below 1024.
    MaxMdJump,
    /// `qa_gate` is above 31.
    QaGate,
    /// `qa_threshold_ns` is below `target_delay_ns` or above [`MAX_RTT_NS`].
    QaThreshold,
    /// `adjust_period_threshold_ns` is 0 or above [`MAX_RTT_NS`].
    AdjustPeriod,
}

impl NsccConfig {
    /// Defaults for a path of `link_rate_bytes_per_s` and `base_rtt_ns`,
    /// scaled with its bandwidth-delay product (BDP): target delay = base
    /// RTT, max window = 1.5 BDP, gamma 0.8, max_md_jump 0.5, eta and fi
    /// BDP/256, fast increase 0.25, quick adapt gate 3 (1/8 of the max
    /// window) at 4 × target, adjustments every base RTT or BDP/8 bytes.
    /// Out-of-range inputs are clamped so that the result validates.
    pub fn for_path(link_rate_bytes_per_s: u64, base_rtt_ns: u64) -> Self {
        let base_rtt_ns = base_rtt_ns.clamp(1, MAX_RTT_NS / 4);
        let mtu = DEFAULT_MTU;
        let bdp = match link_rate_bytes_per_s.checked_mul(base_rtt_ns) {
            Some(product) => product / 1_000_000_000,
            None => (link_rate_bytes_per_s / 1_000_000_000).saturating_mul(base_rtt_ns),
        };
        let max_cwnd = bdp
            .saturating_add(bdp / 2)
            .clamp(u64::from(mtu), u64::from(u32::MAX));
        let max_cwnd = u32::try_from(max_cwnd).unwrap_or(u32::MAX);
        let bdp = u32::try_from(bdp).unwrap_or(u32::MAX);
        Self {
            base_rtt_ns,
            target_delay_ns: base_rtt_ns,
            eta: (bdp / 256).max(1),
            fi: (bdp / 256).max(1),
            fi_scale: FRACTION_ONE / 4,
            gamma: FRACTION_ONE * 4 / 5,
            max_md_jump: FRACTION_ONE / 2,
            max_cwnd,
            qa_gate: 3,
            qa_threshold_ns: base_rtt_ns.saturating_mul(4),
            adjust_bytes_threshold: (bdp / 8).max(mtu),
            adjust_period_threshold_ns: base_rtt_ns,
            disable_qa: false,
            mtu,
        }
    }

    /// Checks every parameter; the first problem found is returned.
    pub fn validate(&self) -> Result<(), NsccError> {
        let time = 1..=MAX_RTT_NS;
        if !time.contains(&self.base_rtt_ns) {
            return Err(NsccError::BaseRtt);
        }
        if !time.contains(&self.target_delay_ns) {
            return Err(NsccError::TargetDelay);
        }
        if self.mtu == 0 {
            return Err(NsccError::Mtu);
        }
        if self.max_cwnd < self.mtu {
            return Err(NsccError::MaxCwnd);
        }
        if self.eta > self.max_cwnd || self.fi > self.max_cwnd {
            return Err(NsccError::Increase);
        }
        if self.fi_scale > FRACTION_ONE {
            return Err(NsccError::FiScale);
        }
        if !(1..=FRACTION_ONE).contains(&self.gamma) {
            return Err(NsccError::Gamma);
        }
        if !(1..FRACTION_ONE).contains(&self.max_md_jump) {
            return Err(NsccError::MaxMdJump);
        }
        if self.qa_gate > 31 {
            return Err(NsccError::QaGate);
        }
        if !(self.target_delay_ns..=MAX_RTT_NS).contains(&self.qa_threshold_ns) {
            return Err(NsccError::QaThreshold);
        }
        if !time.contains(&self.adjust_period_threshold_ns) {
            return Err(NsccError::AdjustPeriod);
        }
        Ok(())
    }

    /// The nearest valid configuration: each field clamped into the range
    /// [`validate`](Self::validate) accepts.
    pub fn clamped(mut self) -> Self {
        self.base_rtt_ns = self.base_rtt_ns.clamp(1, MAX_RTT_NS);
        self.target_delay_ns = self.target_delay_ns.clamp(1, MAX_RTT_NS);
        self.mtu = self.mtu.max(1);
        self.max_cwnd = self.max_cwnd.max(self.mtu);
        self.eta = self.eta.min(self.max_cwnd);
        self.fi = self.fi.min(self.max_cwnd);
        self.fi_scale = self.fi_scale.min(FRACTION_ONE);
        self.gamma = self.gamma.clamp(1, FRACTION_ONE);
        self.max_md_jump = self.max_md_jump.clamp(1, FRACTION_ONE - 1);
        self.qa_gate = self.qa_gate.min(31);
        self.qa_threshold_ns = self.qa_threshold_ns.clamp(self.target_delay_ns, MAX_RTT_NS);
        self.adjust_period_threshold_ns = self.adjust_period_threshold_ns.clamp(1, MAX_RTT_NS);
        self
    }
}
