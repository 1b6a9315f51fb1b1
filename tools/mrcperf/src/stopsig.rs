//! `--until-signal`: SIGUSR1 ends a timed transfer early, so that a script
//! can let the transfer run until something it watches has happened and
//! still get the whole report (a killed client writes none).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

static RAISED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_usr1(_: libc::c_int) {
    // An atomic store is async-signal-safe.
    RAISED.store(true, Ordering::Relaxed);
}

/// Installs the SIGUSR1 handler (SA_RESTART: a blocked send just goes on).
pub fn arm() -> io::Result<()> {
    // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value;
    // the handler only stores to an atomic; sigaction(2) reads `sa` only.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_usr1 as extern "C" fn(libc::c_int) as libc::sighandler_t;
        sa.sa_flags = libc::SA_RESTART;
        if libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// SIGUSR1 arrived since `arm` (never true without it).
pub fn raised() -> bool {
    RAISED.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigusr1_sets_the_flag() {
        arm().unwrap();
        assert!(!raised());
        // SAFETY: raise(3) delivers the signal to this thread; the
        // handler installed above only stores to an atomic.
        assert_eq!(unsafe { libc::raise(libc::SIGUSR1) }, 0);
        assert!(raised());
    }
}
