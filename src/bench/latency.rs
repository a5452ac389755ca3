//! Latency sampling: every Nth operation is timed, and a fixed-size
//! reservoir per op type (and overall) keeps a uniform sample of those
//! timings, as the original tool did. The maximum is exact over all timed
//! operations.

use serde::{Deserialize, Serialize};

use crate::workload::csv::Op;

/// Bucket bounds of the latency histograms, in ms: the original tool's two
/// presets, value for value (`--latency-buckets`, `ADHASH_LATENCY_BUCKETS`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LatencyBuckets {
    /// 0.05 ms to 10 ms and +Inf.
    #[default]
    Default,
    /// 1 µs to 10 ms and +Inf, for fast maps.
    Micro,
}

/// The bounds as the original labels them (`f"{bound:.6f}"`, `"+Inf"`),
/// spelled out once rather than formatted in every tick.
const DEFAULT_LABELS: [&str; 9] = [
    "0.050000",
    "0.100000",
    "0.250000",
    "0.500000",
    "1.000000",
    "2.000000",
    "5.000000",
    "10.000000",
    "+Inf",
];
const MICRO_LABELS: [&str; 14] = [
    "0.001000",
    "0.002000",
    "0.005000",
    "0.010000",
    "0.020000",
    "0.050000",
    "0.100000",
    "0.250000",
    "0.500000",
    "1.000000",
    "2.000000",
    "5.000000",
    "10.000000",
    "+Inf",
];

/// The original's bounds, in nanoseconds (what a reservoir holds);
/// `u64::MAX` is +Inf.
const DEFAULT_BOUNDS_NS: [u64; 9] = [
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    u64::MAX,
];
const MICRO_BOUNDS_NS: [u64; 14] = [
    1_000,
    2_000,
    5_000,
    10_000,
    20_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    u64::MAX,
];

impl LatencyBuckets {
    pub fn name(self) -> &'static str {
        match self {
            LatencyBuckets::Default => "default",
            LatencyBuckets::Micro => "micro",
        }
    }

    fn bounds_ns(self) -> &'static [u64] {
        match self {
            LatencyBuckets::Default => &DEFAULT_BOUNDS_NS,
            LatencyBuckets::Micro => &MICRO_BOUNDS_NS,
        }
    }

    /// The bucket a timing falls in (the first bound at or above it).
    #[inline]
    fn bucket_of(self, nanos: u64) -> usize {
        self.bounds_ns().partition_point(|&b| b < nanos)
    }

    /// `le` of each bound, as the original writes it.
    pub fn labels(self) -> &'static [&'static str] {
        match self {
            LatencyBuckets::Default => &DEFAULT_LABELS,
            LatencyBuckets::Micro => &MICRO_LABELS,
        }
    }
}

/// One histogram bucket as the original writes it: `le` is the bound with
/// six decimals (`"0.050000"`) or `"+Inf"`, `count` the samples at or
/// below it (cumulative, as Prometheus buckets are).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistBucket {
    pub le: &'static str,
    pub count: u64,
}

/// `latency_hist_ms` of a tick: a histogram per op type that has samples.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LatencyHist {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overall: Vec<HistBucket>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub put: Vec<HistBucket>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub get: Vec<HistBucket>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub del: Vec<HistBucket>,
}

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
    /// How many of `samples` fall in each bucket of `buckets`, kept as
    /// samples come and go, so a tick's histogram costs O(buckets), not
    /// O(k).
    buckets: LatencyBuckets,
    per_bucket: Vec<u64>,
}

impl Reservoir {
    pub fn new(k: usize, seed: u64) -> Self {
        Self::with_buckets(k, seed, LatencyBuckets::Default)
    }

    pub fn with_buckets(k: usize, seed: u64, buckets: LatencyBuckets) -> Self {
        Reservoir {
            k,
            seen: 0,
            samples: Vec::with_capacity(k.min(1 << 20)),
            max: 0,
            rng: seed | 1,
            buckets,
            per_bucket: vec![0; buckets.bounds_ns().len()],
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
            self.per_bucket[self.buckets.bucket_of(nanos)] += 1;
        } else if self.k > 0 {
            let j = self.next_rand() % self.seen;
            if (j as usize) < self.k {
                let old = std::mem::replace(&mut self.samples[j as usize], nanos);
                self.per_bucket[self.buckets.bucket_of(old)] -= 1;
                self.per_bucket[self.buckets.bucket_of(nanos)] += 1;
            }
        }
    }

    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Cumulative counts of the reservoir's samples at or below each bound
    /// (empty without samples), from the counts kept as samples arrive.
    pub fn histogram(&self) -> Vec<HistBucket> {
        if self.samples.is_empty() {
            return Vec::new();
        }
        let mut total = 0;
        self.buckets
            .labels()
            .iter()
            .zip(&self.per_bucket)
            .map(|(&le, &c)| {
                total += c;
                HistBucket { le, count: total }
            })
            .collect()
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
    /// Bucket preset of `histograms`.
    pub buckets: LatencyBuckets,
    overall: Reservoir,
    by_op: [Reservoir; 3],
}

impl LatencySampler {
    pub fn new(k: usize, every: u64, buckets: LatencyBuckets) -> Self {
        LatencySampler {
            every: every.max(1),
            k,
            buckets,
            overall: Reservoir::with_buckets(k, 0x9e37_79b9_7f4a_7c15, buckets),
            by_op: [
                Reservoir::with_buckets(k, 1, buckets),
                Reservoir::with_buckets(k, 2, buckets),
                Reservoir::with_buckets(k, 3, buckets),
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

    /// The histograms of every reservoir that has samples.
    pub fn histograms(&self) -> LatencyHist {
        LatencyHist {
            overall: self.overall.histogram(),
            put: self.by_op[Op::Put.index()].histogram(),
            get: self.by_op[Op::Get.index()].histogram(),
            del: self.by_op[Op::Del.index()].histogram(),
        }
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
    fn histograms_are_cumulative_with_the_originals_labels() {
        let mut r = Reservoir::with_buckets(100, 1, LatencyBuckets::Default);
        // 0.03 ms, 0.07 ms, 0.3 ms, 20 ms.
        for nanos in [30_000u64, 70_000, 300_000, 20_000_000] {
            r.add(nanos);
        }
        let h = r.histogram();
        let got: Vec<(&str, u64)> = h.iter().map(|b| (b.le, b.count)).collect();
        assert_eq!(
            got,
            [
                ("0.050000", 1),
                ("0.100000", 2),
                ("0.250000", 2),
                ("0.500000", 3),
                ("1.000000", 3),
                ("2.000000", 3),
                ("5.000000", 3),
                ("10.000000", 3),
                ("+Inf", 4),
            ]
        );
        // A sample exactly on a bound counts in that bucket (le = "<=").
        let mut r = Reservoir::with_buckets(10, 1, LatencyBuckets::Micro);
        r.add(1_000);
        let h = r.histogram();
        assert_eq!((h[0].le, h[0].count), ("0.001000", 1));
        assert_eq!(h.len(), 14);
        assert!(Reservoir::new(10, 1).histogram().is_empty());
        // Kept as samples are replaced: the counts always describe the
        // reservoir as it is (checked against a recount).
        let mut r = Reservoir::with_buckets(50, 9, LatencyBuckets::Micro);
        let mut x = 7u64;
        for _ in 0..10_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            r.add((x >> 40) % 20_000_000);
        }
        let recount: Vec<u64> = LatencyBuckets::Micro
            .bounds_ns()
            .iter()
            .map(|&b| r.samples.iter().filter(|&&s| s <= b).count() as u64)
            .collect();
        let kept: Vec<u64> = r.histogram().iter().map(|b| b.count).collect();
        assert_eq!(kept, recount);
        // The labels are the bounds as the original formats them.
        for preset in [LatencyBuckets::Default, LatencyBuckets::Micro] {
            for (&b, l) in preset.bounds_ns().iter().zip(preset.labels()) {
                let want = if b == u64::MAX {
                    "+Inf".to_string()
                } else {
                    format!("{:.6}", b as f64 / 1e6)
                };
                assert_eq!(*l, want);
            }
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
