//! The clock the protocol core runs on: the kernel's monotonic clock, in ns.

use kernel::time::Ktime;

/// Now, in ns since boot (monotonic; never negative in practice).
pub(crate) fn now_ns() -> u64 {
    u64::try_from(Ktime::ktime_get().to_ns()).unwrap_or(0)
}
