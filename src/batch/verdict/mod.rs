//! The one place a verdict is made: `compare` (old run against new), a
//! job's ×std inside a suite (against its control), measure-until-decisive
//! (`until_ci_pct`) and Mission Control's badges all call this module.
//!
//! Throughput is judged on a log scale, as a ratio (new ÷ old, job ÷ std),
//! with rank methods whose error rates hold whatever the noise looks like
//! (normal, skewed, a few wild runs):
//!
//! - two independent sets of runs (`unpaired`): the Hodges–Lehmann shift of
//!   log(ops/s) — the median of all pairwise log ratios — with the exact
//!   Mann–Whitney interval (Bauer 1972). Too few runs for the confidence
//!   give no interval at all (3 vs 3 cannot reach it), never a narrow wrong
//!   one.
//! - per-round ratios of two jobs that ran in the same rounds (`paired`):
//!   the Hodges–Lehmann estimate of their log (median of Walsh averages)
//!   with the exact Wilcoxon signed-rank interval. Pairing cancels what a
//!   round did to both jobs (a busy neighbour, a hot CPU).
//! - one set of runs (`median`): the distribution-free order-statistic
//!   interval of the median (binomial), for a job without a control.
//!
//! An interval's coverage is at least `CONFIDENCE` = 97% (exact up to 100
//! runs a side, the normal approximation with continuity correction above,
//! where it is accurate), so a verdict of `faster`/`slower` on runs that did
//! not change comes at most 1.5% + 1.5% of the time: tests/verdicts.rs
//! simulates it.
//!
//! The verdict then reads the interval against a threshold `t` (percent):
//! wholly beyond 0 with |Δ| ≥ t is `faster`/`slower`; wholly within ±t is
//! `no change` (equivalence shown, as in TOST); anything else is
//! `inconclusive` with the reason.

use serde::{Deserialize, Serialize};

mod intervals;
mod suite;

pub use intervals::*;
pub use suite::*;

/// Confidence of every interval a verdict reads: 97%, at most 1.5% on each
/// side. A no-change pair is then called `faster` or `slower` at most 3% of
/// the time by construction, under the 5% formats.md §9 allows with room to
/// spare for a simulation's own noise (a 95% interval's 5% would pass or
/// fail a 1,000-pair check by chance). A 97% interval is also a
/// (conservative) 95% one.
pub const CONFIDENCE: f64 = 0.97;
/// Each tail's probability.
const TAIL: f64 = (1.0 - CONFIDENCE) / 2.0;
/// The largest throughput a report may claim (ops/s): more is not a
/// measurement (formats.md §9).
pub const MAX_OPS_PER_SECOND: f64 = 1e12;
/// The smallest: under one operation in eleven days is no replay either,
/// and keeps every log ratio far from overflowing.
pub const MIN_OPS_PER_SECOND: f64 = 1e-6;
/// Ratios of two measurements lie within these bounds.
const RATIO_BOUNDS: (f64, f64) = (
    MIN_OPS_PER_SECOND / MAX_OPS_PER_SECOND,
    MAX_OPS_PER_SECOND / MIN_OPS_PER_SECOND,
);
/// Runs a side judged at most: more are subsampled (seeded, so the output
/// stays the same), which keeps a crafted report with 200,000 runs to a
/// fraction of a second.
pub const MAX_RUNS: usize = 1000;
/// Up to this many runs a side the interval is exact; above, the normal
/// approximation (accurate there) keeps the cost flat.
pub const EXACT_UP_TO: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Faster,
    Slower,
    #[serde(rename = "no change")]
    NoChange,
    Inconclusive,
    #[serde(rename = "not comparable")]
    NotComparable,
    #[serde(rename = "only in old")]
    OnlyInOld,
    #[serde(rename = "only in new")]
    OnlyInNew,
}

impl Verdict {
    pub fn text(self) -> &'static str {
        match self {
            Verdict::Faster => "faster",
            Verdict::Slower => "slower",
            Verdict::NoChange => "no change",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotComparable => "not comparable",
            Verdict::OnlyInOld => "only in old",
            Verdict::OnlyInNew => "only in new",
        }
    }

    /// A verdict that says something was measured to differ.
    pub fn is_decisive(self) -> bool {
        matches!(self, Verdict::Faster | Verdict::Slower | Verdict::NoChange)
    }
}

/// A figure that can be a throughput measurement: finite, from
/// `MIN_OPS_PER_SECOND` to `MAX_OPS_PER_SECOND`.
pub fn is_measurement(x: f64) -> bool {
    x.is_finite() && (MIN_OPS_PER_SECOND..=MAX_OPS_PER_SECOND).contains(&x)
}

/// Which interval an estimate carries, named in every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Hodges–Lehmann shift of log(ops/s), exact Mann–Whitney interval.
    MannWhitney,
    /// Hodges–Lehmann of per-round log ratios, exact signed-rank interval.
    SignedRank,
    /// Median with its binomial order-statistic interval.
    Median,
}

impl Method {
    pub fn describe(self) -> &'static str {
        match self {
            Method::MannWhitney => {
                "Hodges–Lehmann shift of log(ops/s) with the exact Mann–Whitney 97% interval"
            }
            Method::SignedRank => {
                "Hodges–Lehmann of per-round log ratios with the exact Wilcoxon signed-rank 97% interval"
            }
            Method::Median => "median with its distribution-free (binomial) 97% interval",
        }
    }

    /// The fewest runs (a side, or rounds) that give an interval.
    pub fn min_runs(self) -> usize {
        match self {
            Method::MannWhitney => 4,
            Method::SignedRank | Method::Median => 7,
        }
    }
}

/// A ratio estimated from runs: new ÷ old, job ÷ std, or (for `Median`)
/// the runs' own median in ops/s.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub method: Method,
    /// The point estimate.
    pub value: f64,
    /// The interval (`CONFIDENCE`); `None` when the runs are too few for one.
    pub interval: Option<(f64, f64)>,
    /// Runs judged: (old, new), (rounds, rounds) or (runs, 0).
    pub runs: (usize, usize),
    /// Runs given, when more than `MAX_RUNS` were and a sample was judged.
    pub subsampled_from: Option<(usize, usize)>,
}

impl Estimate {
    /// The interval's half width in percent of the estimate (for
    /// `until_ci_pct`): the larger of its two sides.
    pub fn half_width_pct(&self) -> Option<f64> {
        let (lo, hi) = self.interval?;
        (self.value > 0.0).then(|| ((hi / self.value - 1.0).max(1.0 - lo / self.value)) * 100.0)
    }

    /// Δ% of a ratio estimate.
    pub fn delta_pct(&self) -> f64 {
        (self.value - 1.0) * 100.0
    }

    /// The interval of a ratio estimate in percent.
    pub fn interval_pct(&self) -> Option<(f64, f64)> {
        self.interval
            .map(|(lo, hi)| ((lo - 1.0) * 100.0, (hi - 1.0) * 100.0))
    }
}

/// A verdict and, unless the verdict says it all, why.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub reason: Option<String>,
}

/// The verdict on a ratio estimate (`Method::MannWhitney` or `SignedRank`)
/// against a threshold in percent.
pub fn judge(e: &Estimate, threshold_pct: f64) -> Judgement {
    let t = threshold_pct.max(0.0);
    let inconclusive = |why: String| Judgement {
        verdict: Verdict::Inconclusive,
        reason: Some(why),
    };
    let Some((lo, hi)) = e.interval_pct() else {
        return inconclusive(format!(
            "too few runs ({}; an interval needs {} {})",
            runs_text(e),
            e.method.min_runs(),
            if e.method == Method::MannWhitney {
                "a side"
            } else {
                "rounds"
            }
        ));
    };
    let d = e.delta_pct();
    let decided = |verdict| Judgement {
        verdict,
        reason: None,
    };
    if lo > 0.0 && d >= t {
        decided(Verdict::Faster)
    } else if hi < 0.0 && -d >= t {
        decided(Verdict::Slower)
    } else if lo >= -t && hi <= t {
        decided(Verdict::NoChange)
    } else if lo > 0.0 || hi < 0.0 {
        // A real difference, but one that may be smaller than the
        // threshold and may be larger: neither verdict is shown.
        inconclusive(format!(
            "interval [{}, {}] straddles the ±{t}% threshold",
            signed_pct(lo),
            signed_pct(hi),
        ))
    } else {
        inconclusive(format!(
            "interval ±{}%",
            crate::fmt::significant(hi.max(-lo), 2)
        ))
    }
}

fn runs_text(e: &Estimate) -> String {
    match e.method {
        Method::MannWhitney => format!("{} vs {}", e.runs.0, e.runs.1),
        Method::SignedRank => format!("{} rounds", e.runs.0),
        Method::Median => format!("{} runs", e.runs.0),
    }
}

fn signed_pct(v: f64) -> String {
    if v.abs() < 0.05 {
        "0.0%".into()
    } else {
        format!("{v:+.1}%")
    }
}

/// Keep at most `MAX_RUNS` of `v` (a seeded random subset): the rank
/// the same output whatever the job order.
pub fn seed_of(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes()) ^ 0x5eed_ad4a_5c0b_a7e5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_runs_give_no_interval() {
        let e = unpaired(&[1e6, 1e6], &[9e5, 9e5], 1).unwrap();
        assert_eq!(e.interval, None);
        assert!((e.value - 0.9).abs() < 1e-12);
        let j = judge(&e, 2.0);
        assert_eq!(j.verdict, Verdict::Inconclusive);
        assert_eq!(
            j.reason.as_deref(),
            Some("too few runs (2 vs 2; an interval needs 4 a side)")
        );
        let e = paired(&[1.1; 6], 1).unwrap();
        assert_eq!(
            judge(&e, 2.0).reason.as_deref(),
            Some("too few runs (6 rounds; an interval needs 7 rounds)")
        );
    }

    #[test]
    fn verdicts_read_the_interval_against_the_threshold() {
        let est = |value: f64, lo: f64, hi: f64| Estimate {
            method: Method::MannWhitney,
            value,
            interval: Some((lo, hi)),
            runs: (10, 10),
            subsampled_from: None,
        };
        let v = |e: Estimate| judge(&e, 2.0);
        assert_eq!(v(est(1.10, 1.05, 1.15)).verdict, Verdict::Faster);
        assert_eq!(v(est(0.90, 0.85, 0.95)).verdict, Verdict::Slower);
        assert_eq!(v(est(1.0, 0.99, 1.015)).verdict, Verdict::NoChange);
        // Beyond 0 but under the threshold, and within it: no change.
        assert_eq!(v(est(1.01, 1.005, 1.015)).verdict, Verdict::NoChange);
        // The −84% that used to be "no change": inconclusive, and why.
        let j = v(est(0.165, 0.118, 1.438));
        assert_eq!(j.verdict, Verdict::Inconclusive);
        assert_eq!(j.reason.as_deref(), Some("interval ±88%"));
        // Beyond 0, but reaching past the threshold with a Δ under it.
        let j = v(est(1.015, 1.005, 1.04));
        assert_eq!(j.verdict, Verdict::Inconclusive);
        assert_eq!(
            j.reason.as_deref(),
            Some("interval [+0.5%, +4.0%] straddles the ±2% threshold")
        );
    }
}
