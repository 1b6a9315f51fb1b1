//! `mrcperf idle`: how much CPU time the rest of the system leaves idle,
//! measured by using it. One spinner per CPU, pinned to it, at the
//! lowest priority there is (`SCHED_IDLE`), counts its loops for a given
//! time; any other task or interrupt on that CPU takes the CPU from it.
//! The same count on a quiet system is the baseline: a run's count over
//! the baseline's is the share of the CPUs the run left idle.
//!
//! It checks the busy share the benchmark takes from `/proc/stat`'s ticks
//! (its CPU s/GB), a sampled figure; a profiler's idle share, sampled too,
//! is wrong in the emulated test guest. The spinners run niced, so
//! `/proc/stat` counts their time as "nice", not as busy: the benchmark
//! can take both figures in the same run.

use std::hint::black_box;
use std::io;
use std::thread;
use std::time::{Duration, Instant};

/// Loops between two looks at the clock.
const LOOPS_PER_LOOK: u64 = 4096;

/// Spins on every CPU this process may run on, for `secs`, at
/// `SCHED_IDLE`; the loops each CPU's spinner made, in CPU order.
pub fn spin(secs: f64) -> io::Result<Vec<u64>> {
    let span = Duration::try_from_secs_f64(secs)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let spinners: Vec<_> = allowed_cpus()?
        .into_iter()
        .map(|cpu| thread::spawn(move || spin_on(cpu, span)))
        .collect();
    spinners
        .into_iter()
        .map(|s| {
            s.join()
                .unwrap_or_else(|_| Err(io::Error::other("spinner panicked")))
        })
        .collect()
}

/// The CPUs this process may run on.
fn allowed_cpus() -> io::Result<Vec<usize>> {
    // SAFETY: cpu_set_t is plain data; all-zero is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a writable cpu_set_t of the size given; pid 0 is
    // this thread.
    if unsafe { libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let max = 8 * std::mem::size_of_val(&set);
    // SAFETY: CPU_ISSET reads bit `c` of `set`, below its size in bits.
    Ok((0..max)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect())
}

/// One spinner: this thread pinned to `cpu` at `SCHED_IDLE`, loops counted
/// for `span`.
fn spin_on(cpu: usize, span: Duration) -> io::Result<u64> {
    // SAFETY: cpu_set_t is plain data; all-zero is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: CPU_SET writes bit `cpu` of `set`, which is in range: `cpu`
    // came from a set of the same size (`allowed_cpus`).
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: `set` is a valid cpu_set_t of the size given; pid 0 is this
    // thread.
    if unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&set), &set) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `param` is a valid sched_param; pid 0 is this thread.
    if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // Niced too: SCHED_IDLE ignores the nice value, but /proc/stat counts
    // a niced task's time as "nice", apart from the busy time it reports.
    // SAFETY: setpriority has no memory preconditions; who 0 is this
    // thread.
    if unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let start = Instant::now();
    let mut loops = 0u64;
    let mut sum = 0u64;
    while start.elapsed() < span {
        for i in 0..LOOPS_PER_LOOK {
            sum = black_box(sum.wrapping_add(i));
        }
        loops += LOOPS_PER_LOOK;
    }
    black_box(sum);
    Ok(loops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spins_on_every_cpu() {
        let loops = spin(0.05).expect("spinning");
        assert!(!loops.is_empty());
        assert_eq!(loops.len(), allowed_cpus().expect("affinity").len());
        assert!(loops.iter().all(|&l| l >= LOOPS_PER_LOOK), "{loops:?}");
    }

    #[test]
    fn refuses_a_negative_time() {
        assert_eq!(spin(-1.0).unwrap_err().kind(), io::ErrorKind::InvalidInput);
    }
}
