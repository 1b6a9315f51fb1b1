//! NSCC congestion control (placeholder while the full algorithm lands).

/// NSCC parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NsccConfig {
    /// Largest window (bytes).
    pub max_cwnd: u32,
}

/// NSCC state of one connection.
#[derive(Clone, Copy, Debug)]
pub struct Nscc {
    cwnd: u32,
}

impl Nscc {
    /// Starts at `max_cwnd`.
    pub fn new(cfg: NsccConfig) -> Self {
        Self { cwnd: cfg.max_cwnd }
    }
    /// An ACK.
    pub fn on_ack(&mut self, _now: u64, _acked_bytes: u32, _rtt_ns: u64, _ecn: bool) {}
    /// A trim.
    pub fn on_trim(&mut self, _now: u64) {}
    /// A loss.
    pub fn on_loss(&mut self, _now: u64) {}
    /// Window in bytes.
    pub fn cwnd(&self) -> u32 {
        self.cwnd
    }
}
