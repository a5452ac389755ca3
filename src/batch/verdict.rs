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

use std::cell::RefCell;
use std::collections::HashMap;

use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

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
/// methods stay valid on a random subsample.
fn capped(v: &[f64], seed: u64) -> Vec<f64> {
    if v.len() <= MAX_RUNS {
        return v.to_vec();
    }
    let mut all = v.to_vec();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    // A partial Fisher–Yates: the first MAX_RUNS places are the sample.
    for i in 0..MAX_RUNS {
        let j = i + (rng.next_u64() % (all.len() - i) as u64) as usize;
        all.swap(i, j);
    }
    all.truncate(MAX_RUNS);
    all
}

/// Two independent sets of runs: the ratio new ÷ old (Hodges–Lehmann on
/// logs) and its exact Mann–Whitney interval. Figures that are not
/// measurements are left out; `None` when a side has none.
pub fn unpaired(old: &[f64], new: &[f64], seed: u64) -> Option<Estimate> {
    let old: Vec<f64> = old.iter().copied().filter(|x| is_measurement(*x)).collect();
    let new: Vec<f64> = new.iter().copied().filter(|x| is_measurement(*x)).collect();
    if old.is_empty() || new.is_empty() {
        return None;
    }
    let subsampled_from =
        (old.len() > MAX_RUNS || new.len() > MAX_RUNS).then_some((old.len(), new.len()));
    let x: Vec<f64> = capped(&old, seed).iter().map(|v| v.ln()).collect();
    let y: Vec<f64> = capped(&new, seed ^ 0x9e37_79b9_7f4a_7c15)
        .iter()
        .map(|v| v.ln())
        .collect();
    let (m, n) = (x.len(), y.len());
    let mut d: Vec<f64> = Vec::with_capacity(m * n);
    for a in &x {
        d.extend(y.iter().map(|b| b - a));
    }
    let value = median_in_place(&mut d).exp();
    let k = mann_whitney_rank(m, n);
    let interval = (k > 0).then(|| {
        let lo = *d.select_nth_unstable_by(k - 1, f64::total_cmp).1;
        let hi = *d.select_nth_unstable_by(m * n - k, f64::total_cmp).1;
        (lo.exp(), hi.exp())
    });
    Some(Estimate {
        method: Method::MannWhitney,
        value,
        interval,
        runs: (m, n),
        subsampled_from,
    })
}

/// Per-round ratios of two jobs (job ÷ control, each > 0): the
/// Hodges–Lehmann ratio and its exact signed-rank interval. `None`
/// without a ratio.
pub fn paired(ratios: &[f64], seed: u64) -> Option<Estimate> {
    let r: Vec<f64> = ratios
        .iter()
        .copied()
        .filter(|x| (RATIO_BOUNDS.0..=RATIO_BOUNDS.1).contains(x))
        .collect();
    if r.is_empty() {
        return None;
    }
    let subsampled_from = (r.len() > MAX_RUNS).then_some((r.len(), r.len()));
    let l: Vec<f64> = capped(&r, seed).iter().map(|v| v.ln()).collect();
    let n = l.len();
    let mut walsh = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        walsh.extend(l[i..].iter().map(|b| (l[i] + b) / 2.0));
    }
    let value = median_in_place(&mut walsh).exp();
    let k = signed_rank_rank(n);
    let total = walsh.len();
    let interval = (k > 0).then(|| {
        let lo = *walsh.select_nth_unstable_by(k - 1, f64::total_cmp).1;
        let hi = *walsh.select_nth_unstable_by(total - k, f64::total_cmp).1;
        (lo.exp(), hi.exp())
    });
    Some(Estimate {
        method: Method::SignedRank,
        value,
        interval,
        runs: (n, n),
        subsampled_from,
    })
}

/// One set of runs: the median and its distribution-free interval.
pub fn median(runs: &[f64], seed: u64) -> Option<Estimate> {
    let v: Vec<f64> = runs
        .iter()
        .copied()
        .filter(|x| is_measurement(*x))
        .collect();
    if v.is_empty() {
        return None;
    }
    let subsampled_from = (v.len() > MAX_RUNS).then_some((v.len(), 0));
    let mut v = capped(&v, seed);
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let value = crate::stats::median(&v)?;
    let k = binomial_rank(n);
    Some(Estimate {
        method: Method::Median,
        value,
        interval: (k > 0).then(|| (v[k - 1], v[n - k])),
        runs: (n, 0),
        subsampled_from,
    })
}

/// The median of `v`, reordering it.
fn median_in_place(v: &mut [f64]) -> f64 {
    let n = v.len();
    let hi = *v.select_nth_unstable_by(n / 2, f64::total_cmp).1;
    if n % 2 == 1 {
        return hi;
    }
    let lo = v[..n / 2]
        .iter()
        .copied()
        .max_by(f64::total_cmp)
        .unwrap_or(hi);
    (lo + hi) / 2.0
}

/// Largest `c` with P(S ≤ c − 1) ≤ `tail` for a statistic whose lower-tail
/// probabilities are `p` (from 0 up): the interval then runs from the c-th
/// smallest to the c-th largest of the sorted values. 0: no interval.
fn rank_from_tail(p: impl Iterator<Item = f64>, tail: f64) -> usize {
    let alpha2 = tail;
    let mut cum = 0.0;
    let mut c = 0;
    for pu in p {
        // A hair of slack for rounding in the sums.
        if cum + pu > alpha2 * (1.0 + 1e-9) {
            break;
        }
        cum += pu;
        c += 1;
    }
    c
}

/// z with `TAIL` above it under the standard normal (Φ⁻¹(0.985)).
const Z_TAIL: f64 = 2.170_090_377_584_56;

/// The normal approximation's rank, continuity corrected.
fn normal_rank(mean: f64, sd: f64) -> usize {
    (mean + 0.5 - Z_TAIL * sd).floor().max(0.0) as usize
}

thread_local! {
    static RANKS: RefCell<HashMap<(u8, usize, usize), usize>> = RefCell::new(HashMap::new());
}

fn cached(kind: u8, a: usize, b: usize, f: impl FnOnce() -> usize) -> usize {
    if let Some(c) = RANKS.with(|r| r.borrow().get(&(kind, a, b)).copied()) {
        return c;
    }
    let c = f();
    RANKS.with(|r| r.borrow_mut().insert((kind, a, b), c));
    c
}

/// The Mann–Whitney interval's rank for `m` and `n` runs.
pub fn mann_whitney_rank(m: usize, n: usize) -> usize {
    let (m, n) = (m.min(n), m.max(n));
    if m == 0 {
        return 0;
    }
    cached(0, m, n, || {
        if n > EXACT_UP_TO {
            let mn = (m * n) as f64;
            return normal_rank(mn / 2.0, (mn * (m + n + 1) as f64 / 12.0).sqrt());
        }
        exact_mann_whitney_rank(m, n, TAIL)
    })
}

fn exact_mann_whitney_rank(m: usize, n: usize, tail: f64) -> usize {
    let total = binomial(m + n, m);
    rank_from_tail(mann_whitney_counts(m, n).iter().map(|c| c / total), tail)
}

/// How many arrangements of `m` and `n` runs give U = 0, 1, … up to
/// ⌊mn/2⌋: the coefficients of the Gaussian binomial [m+n choose m]_q =
/// ∏ (1 − q^(n+i)) / (1 − q^i), truncated at the middle (the lower tail
/// is all the interval needs).
pub fn mann_whitney_counts(m: usize, n: usize) -> Vec<f64> {
    let top = m * n / 2;
    let mut c = vec![0.0; top + 1];
    c[0] = 1.0;
    for i in 1..=m {
        // × (1 − q^(n+i)): from the top down, so each term is the old one.
        let s = n + i;
        for u in (s..=top).rev() {
            c[u] -= c[u - s];
        }
        // ÷ (1 − q^i) = × (1 + q^i + q^2i + …): a running sum.
        for u in i..=top {
            c[u] += c[u - i];
        }
    }
    c
}

/// The signed-rank interval's rank for `n` rounds.
pub fn signed_rank_rank(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    cached(1, n, 0, || {
        if n > EXACT_UP_TO {
            let nf = n as f64;
            return normal_rank(
                nf * (nf + 1.0) / 4.0,
                (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0).sqrt(),
            );
        }
        exact_signed_rank_rank(n, TAIL)
    })
}

fn exact_signed_rank_rank(n: usize, tail: f64) -> usize {
    let top = n * (n + 1) / 4;
    // ∏ (1 + q^i): how many sign patterns give W⁺ = 0, 1, …
    let mut c = vec![0.0; top + 1];
    c[0] = 1.0;
    for i in 1..=n {
        for u in (i..=top).rev() {
            c[u] += c[u - i];
        }
    }
    let total = 2f64.powi(n as i32);
    rank_from_tail(c.iter().map(|x| x / total), tail)
}

/// The median interval's rank for `n` runs: Binomial(n, ½).
pub fn binomial_rank(n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    cached(2, n, 0, || exact_binomial_rank(n, TAIL))
}

fn exact_binomial_rank(n: usize, tail: f64) -> usize {
    let nf = n as f64;
    // In logs: 0.5^n underflows past about 1,000 runs.
    let mut log_p = nf * 0.5f64.ln();
    let mut ps = Vec::with_capacity(n / 2 + 1);
    for k in 0..=n / 2 {
        ps.push(log_p.exp());
        log_p += ((nf - k as f64) / (k as f64 + 1.0)).ln();
    }
    rank_from_tail(ps.into_iter(), tail)
}

/// C(n, k) as a float (exact up to 2^53, close enough beyond for a
/// probability's denominator).
fn binomial(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Seed for a job's subsampling: from its name, so the same reports give
/// the same output whatever the job order.
pub fn seed_of(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes()) ^ 0x5eed_ad4a_5c0b_a7e5
}

// ---- Runs of a suite: which figures, which control, comparable or not ----

use super::result::{Environment, JobResult, JobStatus, RunRecord};

/// Which throughput a verdict reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Ops per wall-clock second: what a program feels, neighbours included.
    #[default]
    Wall,
    /// Ops per CPU-second of the replay thread: the replay's own cost, with
    /// the time the scheduler gave to other processes left out.
    Cpu,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::Wall => "wall",
            Metric::Cpu => "cpu",
        }
    }

    /// The unit figures are in.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Wall => "ops/s",
            Metric::Cpu => "ops/CPU-s",
        }
    }

    /// A run's figure under this metric.
    pub fn of(self, r: &RunRecord) -> Option<f64> {
        match self {
            Metric::Wall => r.ops_per_second,
            Metric::Cpu => r.ops_per_cpu_second,
        }
    }
}

/// A job's figures under `metric`: those of its ok runs that can be
/// measurements, and how many figures were left out as impossible. Reports
/// from before `runs` existed give `ops_per_second_runs`, then the median
/// (wall only).
pub fn figures(j: &JobResult, metric: Metric) -> (Vec<f64>, usize) {
    let from_runs: Vec<f64> = j
        .runs
        .iter()
        .filter(|r| r.status == JobStatus::Ok)
        .filter_map(|r| metric.of(r))
        .collect();
    let all = if !from_runs.is_empty() || metric == Metric::Cpu {
        from_runs
    } else if !j.ops_per_second_runs.is_empty() {
        j.ops_per_second_runs.clone()
    } else {
        j.ops_per_second.into_iter().collect()
    };
    let total = all.len();
    let kept: Vec<f64> = all.into_iter().filter(|x| is_measurement(*x)).collect();
    let left_out = total - kept.len();
    (kept, left_out)
}

/// The control for `job`: the suite's first complete `std` run-csv job on
/// the same CSV; `None` for that job itself.
pub fn control_of<'a>(jobs: &[&'a JobResult], job: &JobResult) -> Option<&'a JobResult> {
    jobs.iter()
        .copied()
        .find(|c| {
            c.mode == "std"
                && c.command == "run-csv"
                && c.csv == job.csv
                && c.is_complete()
                && c.ops_per_second.is_some()
        })
        .filter(|c| c.name != job.name)
}

/// Per-round ratios job ÷ control under `metric`: the runs of each
/// interleaved round in which both ended ok. Empty when the runs carry no
/// rounds (a suite without `interleave`).
pub fn round_ratios(job: &JobResult, control: &JobResult, metric: Metric) -> Vec<f64> {
    let by_round: HashMap<u32, f64> = control
        .runs
        .iter()
        .filter(|r| r.status == JobStatus::Ok)
        .filter_map(|r| Some((r.round?, metric.of(r).filter(|x| is_measurement(*x))?)))
        .collect();
    job.runs
        .iter()
        .filter(|r| r.status == JobStatus::Ok)
        .filter_map(|r| {
            let c = by_round.get(&r.round?)?;
            Some(metric.of(r).filter(|x| is_measurement(*x))? / c)
        })
        .collect()
}

/// A job's throughput against its control in one suite.
#[derive(Debug, Clone, PartialEq)]
pub struct TimesStd {
    /// job ÷ std: the paired estimate over rounds where the suite was
    /// interleaved, else the ratio of medians (no interval).
    pub estimate: Estimate,
    /// The verdict against the control, with paired rounds only.
    pub judgement: Option<Judgement>,
}

impl TimesStd {
    /// "1.27× [1.21, 1.33] faster", "0.98× (7 rounds: too few …)", "1.04×".
    pub fn text(&self) -> String {
        let mut s = format!("{:.2}×", self.estimate.value);
        if let Some((lo, hi)) = self.estimate.interval {
            s.push_str(&format!(" [{lo:.2}, {hi:.2}]"));
        }
        if let Some(j) = &self.judgement {
            s.push(' ');
            s.push_str(match j.verdict {
                Verdict::Faster => "faster",
                Verdict::Slower => "slower",
                Verdict::NoChange => "same",
                _ => "inconclusive",
            });
        }
        s
    }
}

/// `job`'s ×std among `jobs` (the suite), judged against `threshold_pct`.
pub fn times_std(
    jobs: &[&JobResult],
    job: &JobResult,
    metric: Metric,
    threshold_pct: f64,
) -> Option<TimesStd> {
    ratio_to(job, control_of(jobs, job)?, metric, threshold_pct)
}

/// `job` against `reference`, two jobs of one suite on the same CSV: the
/// paired per-round ratio with its verdict where the suite interleaved
/// (the original's A/B comparison, on paired rounds), else the ratio of
/// their medians with no verdict (runs made one job after the other share
/// no rounds, and a drift of the machine would read as a difference).
pub fn ratio_to(
    job: &JobResult,
    reference: &JobResult,
    metric: Metric,
    threshold_pct: f64,
) -> Option<TimesStd> {
    let control = reference;
    let ratios = round_ratios(job, control, metric);
    if let Some(estimate) = paired(&ratios, seed_of(&job.name)) {
        let judgement = Some(judge(&estimate, threshold_pct));
        return Some(TimesStd {
            estimate,
            judgement,
        });
    }
    let (j, _) = figures(job, metric);
    let (c, _) = figures(control, metric);
    let (j, c) = (crate::stats::median(&j)?, crate::stats::median(&c)?);
    Some(TimesStd {
        estimate: Estimate {
            method: Method::Median,
            value: j / c,
            interval: None,
            runs: (0, 0),
            subsampled_from: None,
        },
        judgement: None,
    })
}

/// A light copy of a job in progress: its runs and what finds its control
/// (not its log), with the median of its runs so far as its figure.
pub fn snapshot(r: &JobResult, planned: u32) -> JobResult {
    let mut s = JobResult::planned(&r.name, &r.command, &r.mode, &r.csv, planned);
    s.status = r.status;
    s.runs = r.runs.clone();
    s.ops_per_second = crate::stats::median(&figures(r, Metric::Wall).0);
    s
}

/// Each job's interval half width (percent) for measuring until decisive,
/// and the index of its control: the interval of its per-round ×std where
/// a std job runs its CSV, else of its median (wall time). The runner
/// decides on it; Mission Control shows it live.
pub fn decisive_widths(jobs: &[&JobResult]) -> Vec<(Option<f64>, Option<usize>)> {
    jobs.iter()
        .map(|s| {
            let control = control_of(jobs, s);
            let estimate = match control {
                Some(c) => paired(&round_ratios(s, c, Metric::Wall), seed_of(&s.name)),
                None => median(&figures(s, Metric::Wall).0, seed_of(&s.name)),
            };
            let index = control.and_then(|c| jobs.iter().position(|x| x.name == c.name));
            (estimate.and_then(|e| e.half_width_pct()), index)
        })
        .collect()
}

/// Output flags whose values are paths that may differ between two runs of
/// the same job (a scratch folder, a dated name).
const OUTPUT_FLAGS: [&str; 7] = [
    "--json-summary-out",
    "--metrics-out-dir",
    "--json-out",
    "--outfile",
    "--log-file",
    "--events-out",
    "--out",
];

/// A job's command line with the values of output flags dropped: two runs
/// of one job have equal identities.
pub fn command_identity(command_line: &str) -> String {
    let Some(words) = shlex::split(command_line) else {
        return command_line.to_string();
    };
    let mut out = Vec::with_capacity(words.len());
    let mut skip = false;
    for w in words {
        if skip {
            skip = false;
            out.push("…".to_string());
            continue;
        }
        if let Some((flag, _)) = w.split_once('=')
            && OUTPUT_FLAGS.contains(&flag)
        {
            // `--flag=value` and `--flag value` are one command.
            out.push(flag.to_string());
            out.push("…".to_string());
            continue;
        }
        if OUTPUT_FLAGS.contains(&w.as_str()) {
            skip = true;
        }
        out.push(w);
    }
    out.join(" ")
}

/// What makes two runs of a job the same benchmark: its workload's bytes
/// and its command line apart from output paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobIdentity {
    pub name: String,
    pub csv_bytes: Option<u64>,
    pub csv_checksum: Option<String>,
    /// `command_identity` of its command line ("" when not recorded).
    pub command: String,
}

impl JobIdentity {
    pub fn of(j: &JobResult) -> JobIdentity {
        JobIdentity {
            name: j.name.clone(),
            csv_bytes: j.csv_bytes,
            csv_checksum: j.csv_checksum.clone(),
            command: if j.command_line.is_empty() {
                String::new()
            } else {
                command_identity(&j.command_line)
            },
        }
    }
}

/// Two suite runs measure the same things: every job both ran has the
/// same identity, and they share at least one job.
pub fn suites_comparable(old: &[JobIdentity], new: &[JobIdentity]) -> bool {
    let mut shared = 0;
    for n in new {
        if let Some(o) = old.iter().find(|o| o.name == n.name) {
            if identities_differ(o, n).is_some() {
                return false;
            }
            shared += 1;
        }
    }
    shared > 0
}

/// Why two runs of a job cannot be judged against each other (a changed
/// workload or command), or `None`. Only what both reports record counts:
/// an older report without checksums compares as before.
pub fn incomparable(old: &JobResult, new: &JobResult) -> Option<String> {
    identities_differ(&JobIdentity::of(old), &JobIdentity::of(new))
}

fn identities_differ(old: &JobIdentity, new: &JobIdentity) -> Option<String> {
    if let (Some(a), Some(b)) = (&old.csv_checksum, &new.csv_checksum)
        && a != b
    {
        let size = match (old.csv_bytes, new.csv_bytes) {
            (Some(x), Some(y)) if x != y => format!(
                ", {} → {} bytes",
                crate::fmt::thousands(x as f64),
                crate::fmt::thousands(y as f64)
            ),
            _ => String::new(),
        };
        return Some(format!("CSV changed (checksum {a} → {b}{size})"));
    }
    if !old.command.is_empty() && !new.command.is_empty() {
        let (a, b) = (&old.command, &new.command);
        if a != b {
            return Some(format!(
                "command changed: `{}` → `{}`",
                crate::fmt::shown_text(a, 200),
                crate::fmt::shown_text(b, 200)
            ));
        }
    }
    None
}

/// What makes two runs' environments less comparable, one line each:
/// another adhash, another machine, a busy machine.
pub fn environment_caveats(old: &Environment, new: &Environment) -> Vec<String> {
    let mut out = Vec::new();
    if !old.adhash_version.is_empty()
        && !new.adhash_version.is_empty()
        && old.adhash_version != new.adhash_version
    {
        out.push(format!(
            "adhash version changed: {} → {}",
            crate::fmt::shown_text(&old.adhash_version, 40),
            crate::fmt::shown_text(&new.adhash_version, 40)
        ));
    }
    if old.hostname != new.hostname
        || old.cpu_model != new.cpu_model
        || old.logical_cores != new.logical_cores
    {
        out.push(format!(
            "other machine: {} → {}; a difference may be the machine's",
            crate::fmt::shown_text(&machine(old), 120),
            crate::fmt::shown_text(&machine(new), 120)
        ));
    }
    for (label, e) in [("old", old), ("new", new)] {
        if let Some(load) = busy_load(e) {
            out.push(format!(
                "machine busy in {label} run (load {load:.1} on {} cores)",
                e.logical_cores
            ));
        }
    }
    out
}

fn machine(e: &Environment) -> String {
    let cpu = if e.cpu_model.is_empty() {
        "CPU unknown"
    } else {
        &e.cpu_model
    };
    format!("{} ({cpu}, {} cores)", e.hostname, e.logical_cores)
}

/// The higher of a run's start and end load averages when it exceeds the
/// core count: more runnable work than cores, so the jobs waited for CPU.
pub fn busy_load(e: &Environment) -> Option<f64> {
    let load = e
        .load_average_start
        .into_iter()
        .chain(e.load_average_end)
        .fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.max(l))))?;
    (e.logical_cores > 0 && load > e.logical_cores as f64).then_some(load)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every arrangement of m old and n new runs, counted by U: the
    /// Gaussian binomial must agree.
    #[test]
    fn mann_whitney_counts_match_enumeration() {
        for m in 1..=5usize {
            for n in m..=6usize {
                let mut brute = vec![0.0; m * n + 1];
                // Bits of a mask: which of the m + n ranks are old runs.
                for mask in 0u32..(1 << (m + n)) {
                    if mask.count_ones() as usize != m {
                        continue;
                    }
                    // U = pairs (old, new) with new above old.
                    let mut u = 0;
                    let mut news_above = 0;
                    for bit in (0..m + n).rev() {
                        if mask & (1 << bit) != 0 {
                            u += news_above;
                        } else {
                            news_above += 1;
                        }
                    }
                    brute[u] += 1.0;
                }
                let fast = mann_whitney_counts(m, n);
                assert_eq!(&brute[..fast.len()], &fast[..], "m={m} n={n}");
            }
        }
    }

    /// Ranks from published tables of critical values (two-sided 0.05):
    /// the interval's rank is the critical value + 1.
    #[test]
    fn ranks_match_the_tables() {
        let mw = |m, n| exact_mann_whitney_rank(m, n, 0.025);
        // Mann–Whitney: n1 = n2 = 4 → 0, 6 → 5, 10 → 23, 20 → 127; 5 vs 8 → 6.
        assert_eq!((mw(3, 3), mw(2, 7), mw(2, 8), mw(4, 4)), (0, 0, 1, 1));
        assert_eq!(
            (mw(6, 6), mw(10, 10), mw(20, 20), mw(5, 8)),
            (6, 24, 128, 7)
        );
        // Signed rank: n = 5 → none, 6 → 0, 10 → 8, 20 → 52, 30 → 137.
        let sr = |n| exact_signed_rank_rank(n, 0.025);
        assert_eq!((sr(5), sr(6), sr(10), sr(20), sr(30)), (0, 1, 9, 53, 138));
        // Binomial median: n = 5 → none, 6 → the extremes, 20 → 6th.
        let b = |n| exact_binomial_rank(n, 0.025);
        assert_eq!((b(5), b(6), b(20)), (0, 1, 6));
        // At the verdicts' 1.5% a tail: 4 runs a side, 7 rounds, 7 runs.
        assert_eq!((mann_whitney_rank(3, 4), mann_whitney_rank(4, 4)), (0, 1));
        assert_eq!((signed_rank_rank(6), signed_rank_rank(7)), (0, 1));
        assert_eq!((binomial_rank(6), binomial_rank(7)), (0, 1));
        assert_eq!(
            (
                Method::MannWhitney.min_runs(),
                Method::SignedRank.min_runs()
            ),
            (4, 7)
        );
        // Where the approximation takes over, it agrees with the exact rank.
        let exact = mann_whitney_rank(100, 100) as f64;
        let approx = normal_rank(5000.0, (10_000.0 * 201.0 / 12.0f64).sqrt()) as f64;
        assert!((exact - approx).abs() <= 2.0, "{exact} {approx}");
        let exact = signed_rank_rank(100) as f64;
        let approx = normal_rank(2525.0, (100.0 * 101.0 * 201.0 / 24.0f64).sqrt()) as f64;
        assert!((exact - approx).abs() <= 2.0, "{exact} {approx}");
    }

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
    fn the_estimate_is_the_median_pairwise_ratio() {
        let e = unpaired(&[100.0, 200.0], &[150.0], 1).unwrap();
        // Ratios 1.5 and 0.75: their geometric middle.
        assert!((e.value - (1.5f64 * 0.75).sqrt()).abs() < 1e-12);
        let e = paired(&[1.0, 2.0, 4.0], 1).unwrap();
        // Walsh averages of logs 0, ln2, ln4: 0, ln2/2·1, ln2, 1.5 ln2, ln4·1, ...
        assert!((e.value - 2.0).abs() < 1e-12, "{}", e.value);
        // Not measurements: left out.
        assert!(unpaired(&[0.0, -1.0, f64::NAN], &[1.0], 1).is_none());
        assert!(unpaired(&[2e12], &[1.0], 1).is_none());
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

    #[test]
    fn subsampling_bounds_the_work_and_says_so() {
        let old: Vec<f64> = (0..200_000).map(|i| 1e6 + (i % 997) as f64).collect();
        let new: Vec<f64> = old.iter().map(|x| x * 1.2).collect();
        let t = std::time::Instant::now();
        let e = unpaired(&old, &new, 7).unwrap();
        assert!(t.elapsed().as_secs_f64() < 30.0, "debug build, 1M pairs");
        assert_eq!(e.runs, (MAX_RUNS, MAX_RUNS));
        assert_eq!(e.subsampled_from, Some((200_000, 200_000)));
        assert_eq!(judge(&e, 2.0).verdict, Verdict::Faster);
        assert_eq!(unpaired(&old, &new, 7), Some(e), "seeded");
    }

    #[test]
    fn median_interval_is_order_statistics() {
        let v: Vec<f64> = (1..=7).map(f64::from).collect();
        let e = median(&v, 1).unwrap();
        assert_eq!((e.value, e.interval), (4.0, Some((1.0, 7.0))));
        assert!((e.half_width_pct().unwrap() - 75.0).abs() < 1e-9);
        assert_eq!(median(&v[..6], 1).unwrap().interval, None);
    }
}
