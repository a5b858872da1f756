//! The report's timing loop and arithmetic.
//!
//! The machine is shared and noisy (2 cores, other builds running), so the report does not
//! trust one long run: each case is timed for at least `min_time` (repeating it), the cases of
//! one comparison are interleaved round-robin — the starting case rotating each round — and the
//! best (fastest) round of each case is kept. Comparisons are then made within one interleaved
//! set, where every case saw the same background load.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// One timed case: runs the operation once and returns something derived from its result (kept
/// from being optimised away).
pub type Case<'a> = Box<dyn FnMut() -> usize + 'a>;

/// Interleaved best-of timing.
#[derive(Debug, Clone, Copy)]
pub struct Timer {
    /// How many times every case is timed.
    pub rounds: usize,
    /// How long one timing of a case lasts at least (the operation is repeated until then;
    /// at least once).
    pub min_time: Duration,
}

impl Timer {
    /// The quick report's setting: 5 rounds of at least 40 ms.
    pub const QUICK: Timer = Timer {
        rounds: 5,
        min_time: Duration::from_millis(40),
    };

    /// The full report's setting: 5 rounds of at least 250 ms.
    pub const FULL: Timer = Timer {
        rounds: 5,
        min_time: Duration::from_millis(250),
    };

    /// Times every case, interleaved, and returns the best seconds per operation of each.
    pub fn run(&self, cases: &mut [Case<'_>]) -> Vec<f64> {
        self.run_rounds(cases)
            .iter()
            .map(|r| r.iter().copied().fold(f64::INFINITY, f64::min))
            .collect()
    }

    /// Times every case, interleaved, and returns the seconds per operation of each case in
    /// every round (`[case][round]`): for ratios taken within a round, where the cases ran
    /// back to back under the same background load.
    pub fn run_rounds(&self, cases: &mut [Case<'_>]) -> Vec<Vec<f64>> {
        let n = cases.len();
        let rounds = self.rounds.max(1);
        let mut secs: Vec<Vec<f64>> = (0..n).map(|_| Vec::with_capacity(rounds)).collect();
        for round in 0..rounds {
            let mut this_round = vec![0.0; n];
            for k in 0..n {
                let i = (k + round) % n;
                this_round[i] = time_one(&mut cases[i], self.min_time);
            }
            for (case, t) in secs.iter_mut().zip(this_round) {
                case.push(t);
            }
        }
        secs
    }
}

/// The median of the values (NaN when there are none).
pub fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut v: Vec<f64> = values.into_iter().collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// The median over rounds of `a[r] / b[r]` (two cases' times from [`Timer::run_rounds`]).
pub fn median_ratio(a: &[f64], b: &[f64]) -> f64 {
    median(a.iter().zip(b).map(|(x, y)| x / y))
}

/// Seconds per call of `f`, repeating it until `min_time` has passed.
fn time_one(f: &mut Case<'_>, min_time: Duration) -> f64 {
    let start = Instant::now();
    let mut iters = 0u32;
    loop {
        black_box(f());
        iters += 1;
        let elapsed = start.elapsed();
        if elapsed >= min_time {
            return elapsed.as_secs_f64() / f64::from(iters);
        }
    }
}

/// This thread's CPU time so far (Linux: `/proc/thread-self/schedstat`, in nanoseconds but
/// updated by the kernel at scheduler ticks and context switches, so a few milliseconds
/// coarse), or `None` where that is not available. Less disturbed than wall time by other jobs
/// on a shared machine: the quick examples time with it, in rounds of 150 ms or more.
pub fn thread_cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Throughput in MB/s (10^6 bytes per second) of `bytes` processed in `secs`.
pub fn mbps(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs / 1e6
}

/// Geometric mean of the values (NaN when there are none).
pub fn geomean(values: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = values
        .into_iter()
        .fold((0.0, 0usize), |(s, n), v| (s + v.ln(), n + 1));
    if n == 0 {
        f64::NAN
    } else {
        (sum / n as f64).exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_runs_every_case() {
        let mut counts = [0usize; 3];
        {
            let (a, rest) = counts.split_at_mut(1);
            let (b, c) = rest.split_at_mut(1);
            let mut cases: Vec<Case<'_>> = vec![
                Box::new(|| {
                    a[0] += 1;
                    a[0]
                }),
                Box::new(|| {
                    b[0] += 1;
                    b[0]
                }),
                Box::new(|| {
                    c[0] += 1;
                    c[0]
                }),
            ];
            let t = Timer {
                rounds: 2,
                min_time: Duration::from_micros(10),
            };
            let secs = t.run(&mut cases);
            assert_eq!(secs.len(), 3);
            assert!(secs.iter().all(|s| s.is_finite() && *s >= 0.0));
        }
        assert!(counts.iter().all(|&c| c >= 2));
    }

    #[test]
    fn thread_cpu_time_advances() {
        // The kernel updates the figure at scheduler ticks: spin until it moves (at most 5 s).
        if let Some(a) = thread_cpu_time() {
            let start = Instant::now();
            let mut x = 0u64;
            while thread_cpu_time().unwrap() <= a {
                for i in 0..100_000u64 {
                    x = black_box(x.wrapping_mul(31).wrapping_add(i));
                }
                assert!(
                    start.elapsed() < Duration::from_secs(5),
                    "thread CPU time stuck"
                );
            }
            black_box(x);
        }
    }

    #[test]
    fn arithmetic() {
        assert!((geomean([2.0, 8.0]) - 4.0).abs() < 1e-12);
        assert_eq!(median([3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median([4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median([]).is_nan());
        assert_eq!(median_ratio(&[2.0, 9.0, 4.0], &[1.0, 3.0, 1.0]), 3.0);
        assert!(geomean([]).is_nan());
        assert!((mbps(2_000_000, 0.5) - 4.0).abs() < 1e-12);
    }
}
