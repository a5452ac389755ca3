//! The intervals a verdict reads: the Hodges–Lehmann estimates and their
//! exact rank intervals (Mann–Whitney for two sets of runs, Wilcoxon signed
//! rank for paired rounds, binomial order statistics for one median), and
//! the rank distributions they come from.

use std::cell::RefCell;
use std::collections::HashMap;

use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{EXACT_UP_TO, Estimate, MAX_RUNS, Method, RATIO_BOUNDS, TAIL, is_measurement};

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
#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::verdict::{Verdict, judge};

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
    fn subsampling_bounds_the_work_and_says_so() {
        let old: Vec<f64> = (0..200_000).map(|i| 1e6 + (i % 997) as f64).collect();
        let new: Vec<f64> = old.iter().map(|x| x * 1.2).collect();
        let e = unpaired(&old, &new, 7).unwrap();
        // The work is bounded by what is judged (a count, not a clock).
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
