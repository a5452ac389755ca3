//! Latency sampling: every Nth operation is timed, and a fixed-size
//! reservoir per op type (and overall) keeps a uniform sample of those
//! timings, as the original tool did. The maximum is exact over all timed
//! operations.

use serde::{Deserialize, Serialize};

use crate::workload::csv::Op;

/// Percentiles of one reservoir, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

/// A uniform sample of at most `k` values (Algorithm R).
#[derive(Debug, Clone)]
pub struct Reservoir {
    k: usize,
    seen: u64,
    samples: Vec<u64>,
    max: u64,
    rng: u64,
}

impl Reservoir {
    pub fn new(k: usize, seed: u64) -> Self {
        Reservoir {
            k,
            seen: 0,
            samples: Vec::with_capacity(k.min(1 << 20)),
            max: 0,
            rng: seed | 1,
        }
    }

    #[inline]
    fn next_rand(&mut self) -> u64 {
        // xorshift64*: plenty for reservoir slots, and deterministic.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    #[inline]
    pub fn add(&mut self, nanos: u64) {
        self.seen += 1;
        self.max = self.max.max(nanos);
        if self.samples.len() < self.k {
            self.samples.push(nanos);
        } else if self.k > 0 {
            let j = self.next_rand() % self.seen;
            if (j as usize) < self.k {
                self.samples[j as usize] = nanos;
            }
        }
    }

    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Nearest-rank percentiles of the reservoir, in ms.
    pub fn percentiles(&self) -> Percentiles {
        if self.samples.is_empty() {
            return Percentiles::default();
        }
        // Ticks ask for these every 10 ms while a replay runs, so select
        // each rank in the part of the sample above the previous one
        // (about 1.6 k comparisons) instead of sorting (k log k).
        let mut scratch = self.samples.clone();
        let n = scratch.len();
        let mut from = 0;
        let mut at = |p: f64| {
            let rank = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
            let rank = rank.max(from);
            let (_, nth, _) = scratch[from..].select_nth_unstable(rank - from);
            let value = *nth as f64 / 1e6;
            from = rank;
            value
        };
        Percentiles {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: self.max as f64 / 1e6,
        }
    }
}

/// Latency percentiles overall and per op type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyMs {
    pub overall: Percentiles,
    pub put: Percentiles,
    pub get: Percentiles,
    pub del: Percentiles,
}

/// The samplers of one run.
#[derive(Debug, Clone)]
pub struct LatencySampler {
    pub every: u64,
    pub k: usize,
    overall: Reservoir,
    by_op: [Reservoir; 3],
}

impl LatencySampler {
    pub fn new(k: usize, every: u64) -> Self {
        LatencySampler {
            every: every.max(1),
            k,
            overall: Reservoir::new(k, 0x9e37_79b9_7f4a_7c15),
            by_op: [
                Reservoir::new(k, 1),
                Reservoir::new(k, 2),
                Reservoir::new(k, 3),
            ],
        }
    }

    #[inline]
    pub fn record(&mut self, op: Op, nanos: u64) {
        self.overall.add(nanos);
        self.by_op[op.index()].add(nanos);
    }

    pub fn seen_overall(&self) -> u64 {
        self.overall.seen()
    }

    pub fn latency_ms(&self) -> LatencyMs {
        LatencyMs {
            overall: self.overall.percentiles(),
            put: self.by_op[Op::Put.index()].percentiles(),
            get: self.by_op[Op::Get.index()].percentiles(),
            del: self.by_op[Op::Del.index()].percentiles(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_known_values() {
        let mut r = Reservoir::new(1000, 1);
        for i in 1..=1000u64 {
            r.add(i * 1_000_000);
        }
        let p = r.percentiles();
        assert_eq!(p.p50, 500.0);
        assert_eq!(p.p90, 900.0);
        assert_eq!(p.p99, 990.0);
        assert_eq!(p.p999, 999.0);
        assert_eq!(p.max, 1000.0);
    }

    #[test]
    fn selected_ranks_match_a_full_sort() {
        // Shuffled values with repeats, at sizes around the rank edges.
        for n in [1usize, 2, 3, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 4097] {
            let mut r = Reservoir::new(n, 7);
            let mut x = 0x1234_5678u64;
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                r.add(x % 997);
            }
            let mut sorted = r.samples.clone();
            sorted.sort_unstable();
            let at = |p: f64| {
                let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
                sorted[rank - 1] as f64 / 1e6
            };
            let got = r.percentiles();
            assert_eq!(
                [got.p50, got.p90, got.p99, got.p999],
                [at(0.5), at(0.9), at(0.99), at(0.999)],
                "n = {n}"
            );
        }
    }

    #[test]
    fn reservoir_is_bounded_and_keeps_max() {
        let mut r = Reservoir::new(10, 1);
        for i in 0..10_000u64 {
            r.add(i);
        }
        assert_eq!(r.seen(), 10_000);
        assert_eq!(r.samples.len(), 10);
        assert_eq!(r.percentiles().max, 9_999.0 / 1e6);
        // A uniform sample of 0..10000 should not sit all at the start.
        assert!(r.samples.iter().any(|&s| s > 1000));
    }
}
