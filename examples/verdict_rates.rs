//! The verdicts' error rates and power, measured by simulation (a program
//! you run; tests/verdicts.rs asserts the bounds):
//!
//!     cargo run --release --example verdict_rates
//!
//! For 2, 3, 5, 10 and 30 runs a side: how often `compare` says
//! `faster`/`slower` on runs that did not change (normal 5% noise,
//! log-normal σ = 0.1, 5% noise with one run in ten hit by a neighbour),
//! and how often it finds a real 10% change (5% and 2% noise), and how
//! often it shows equivalence (`no change`) on an unchanged job with 1%
//! noise. docs/benchmarking.md has the table this prints.

use adhash::batch::verdict::{Verdict, judge, unpaired};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal};

const PAIRS: usize = 4000;
const THRESHOLD: f64 = 2.0;

fn rate(
    n: usize,
    seed: u64,
    mut draw: impl FnMut(&mut ChaCha8Rng, bool) -> f64,
    want: Verdict,
) -> f64 {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut hits = 0;
    for i in 0..PAIRS {
        let old: Vec<f64> = (0..n).map(|_| draw(&mut rng, false)).collect();
        let new: Vec<f64> = (0..n).map(|_| draw(&mut rng, true)).collect();
        let v = judge(&unpaired(&old, &new, i as u64).unwrap(), THRESHOLD).verdict;
        let hit = match want {
            // "a false verdict": faster or slower on no change.
            Verdict::Inconclusive => matches!(v, Verdict::Faster | Verdict::Slower),
            w => v == w,
        };
        hits += usize::from(hit);
    }
    hits as f64 / PAIRS as f64 * 100.0
}

fn main() {
    let normal = |sd: f64, change: f64| {
        let d = Normal::new(1e6, 1e6 * sd).unwrap();
        move |rng: &mut ChaCha8Rng, new: bool| {
            d.sample(rng).max(1.0) * if new { change } else { 1.0 }
        }
    };
    let lognormal = LogNormal::new(1e6f64.ln(), 0.1).unwrap();
    let outliers = Normal::new(1e6f64, 5e4).unwrap();
    println!(
        "| runs a side | false faster/slower: normal 5% | log-normal | 10% outliers | finds +10%, 5% noise | finds +10%, 2% noise | no change shown, 1% noise |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for n in [2usize, 3, 5, 10, 30] {
        let s = n as u64;
        let fp_normal = rate(n, s, normal(0.05, 1.0), Verdict::Inconclusive);
        let fp_log = rate(
            n,
            s + 100,
            |rng, _| lognormal.sample(rng),
            Verdict::Inconclusive,
        );
        let fp_out = rate(
            n,
            s + 200,
            |rng, _| {
                let x = outliers.sample(rng).max(1.0);
                if rng.random_bool(0.1) {
                    x * rng.random_range(0.5..0.9)
                } else {
                    x
                }
            },
            Verdict::Inconclusive,
        );
        let power5 = rate(n, s + 300, normal(0.05, 1.1), Verdict::Faster);
        let power2 = rate(n, s + 400, normal(0.02, 1.1), Verdict::Faster);
        let equiv = rate(n, s + 500, normal(0.01, 1.0), Verdict::NoChange);
        println!(
            "| {n} | {fp_normal:.1}% | {fp_log:.1}% | {fp_out:.1}% | {power5:.1}% | {power2:.1}% | {equiv:.1}% |"
        );
    }
}
