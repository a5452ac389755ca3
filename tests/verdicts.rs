//! The verdicts' error rates, measured by simulation (formats.md §9): on
//! runs that did not change, `faster`/`slower` at most 5% of the time at
//! every run count, whatever the noise; real changes found when the runs
//! can show them; equivalence (`no change`) never claimed for a change
//! beyond the threshold. Seeded: the same figures on every machine.

use adhash::batch::verdict::{Verdict, judge, paired, unpaired};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Normal};

const PAIRS: usize = 1000;
const THRESHOLD: f64 = 2.0;

#[derive(Clone, Copy, Debug)]
enum Noise {
    /// 5% coefficient of variation.
    Normal,
    /// Skewed: log-normal with σ = 0.1.
    LogNormal,
    /// 5% normal noise, and one run in ten hit by a neighbour (0.5×–0.9×).
    Outliers,
}

fn draw(noise: Noise, rng: &mut ChaCha8Rng, scale: f64) -> f64 {
    let base = 1e6 * scale;
    match noise {
        Noise::Normal => Normal::new(base, base * 0.05).unwrap().sample(rng).max(1.0),
        Noise::LogNormal => LogNormal::new(base.ln(), 0.1).unwrap().sample(rng),
        Noise::Outliers => {
            let x = Normal::new(base, base * 0.05).unwrap().sample(rng).max(1.0);
            if rng.random_bool(0.1) {
                x * rng.random_range(0.5..0.9)
            } else {
                x
            }
        }
    }
}

fn runs(noise: Noise, rng: &mut ChaCha8Rng, n: usize, scale: f64) -> Vec<f64> {
    (0..n).map(|_| draw(noise, rng, scale)).collect()
}

/// How often each verdict came out over `PAIRS` simulated comparisons of
/// `n` runs a side, new = old × `change`.
fn tally(noise: Noise, n: usize, change: f64, seed: u64) -> [usize; 4] {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut t = [0; 4];
    for i in 0..PAIRS {
        let old = runs(noise, &mut rng, n, 1.0);
        let new = runs(noise, &mut rng, n, change);
        let e = unpaired(&old, &new, i as u64).unwrap();
        t[match judge(&e, THRESHOLD).verdict {
            Verdict::Faster => 0,
            Verdict::Slower => 1,
            Verdict::NoChange => 2,
            _ => 3,
        }] += 1;
    }
    t
}

#[test]
fn no_change_is_rarely_called_a_change_at_any_run_count() {
    for (k, noise) in [Noise::Normal, Noise::LogNormal, Noise::Outliers]
        .into_iter()
        .enumerate()
    {
        for n in [2, 3, 5, 10, 30] {
            // Each noise its own draws: rank methods see only the order, so
            // one stream through two monotone noises would test one thing.
            let seed = 1000 * k as u64 + n as u64;
            let [faster, slower, same, inconclusive] = tally(noise, n, 1.0, seed);
            let false_rate = (faster + slower) as f64 / PAIRS as f64;
            eprintln!(
                "{noise:?} n={n}: false {false_rate:.3} (faster {faster}, slower {slower}), no change {same}, inconclusive {inconclusive}"
            );
            assert!(
                false_rate <= 0.05,
                "{noise:?}, {n} runs a side: {false_rate}"
            );
        }
    }
}

#[test]
fn a_hundred_runs_a_side_hold_the_rate_too() {
    let mut rng = ChaCha8Rng::seed_from_u64(100);
    let mut wrong = 0;
    let pairs = 300;
    for i in 0..pairs {
        let old = runs(Noise::Outliers, &mut rng, 100, 1.0);
        let new = runs(Noise::Outliers, &mut rng, 100, 1.0);
        let v = judge(&unpaired(&old, &new, i).unwrap(), THRESHOLD).verdict;
        wrong += usize::from(matches!(v, Verdict::Faster | Verdict::Slower));
    }
    // The interval excludes 0 at most 5% of the time; the threshold makes
    // a verdict rarer still.
    assert!(wrong as f64 / pairs as f64 <= 0.05, "{wrong}/{pairs}");
}

#[test]
fn a_25_percent_change_at_3_runs_is_never_no_change() {
    for noise in [Noise::Normal, Noise::LogNormal, Noise::Outliers] {
        for change in [1.25, 0.75] {
            let [_, _, same, _] = tally(noise, 3, change, 3);
            assert_eq!(same, 0, "{noise:?} ×{change}");
        }
    }
}

#[test]
fn a_10_percent_change_with_2_percent_noise_at_6_runs_is_found() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let noise = Normal::new(1.0, 0.02).unwrap();
    let mut found = 0;
    for i in 0..PAIRS {
        let old: Vec<f64> = (0..6).map(|_| 1e6 * noise.sample(&mut rng)).collect();
        let new: Vec<f64> = (0..6).map(|_| 1.1e6 * noise.sample(&mut rng)).collect();
        found += usize::from(
            judge(&unpaired(&old, &new, i as u64).unwrap(), THRESHOLD).verdict == Verdict::Faster,
        );
    }
    let power = found as f64 / PAIRS as f64;
    eprintln!("power at 6 runs, 10% change, 2% noise: {power}");
    assert!(power >= 0.8, "{power}");
}

/// Equivalence is a claim too: a 5% change (past the 2% threshold) is
/// called `no change` at most 5% of the time, at every run count.
#[test]
fn equivalence_is_not_claimed_for_a_real_change() {
    for n in [4, 10, 30, 100] {
        let [_, _, same, _] = tally(Noise::Normal, n, 1.05, 50 + n as u64);
        assert!(same as f64 / PAIRS as f64 <= 0.05, "n={n}: {same}");
    }
    // A truly unchanged job with many quiet runs is shown equivalent.
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let quiet = Normal::new(1e6, 1e4).unwrap();
    let old: Vec<f64> = (0..30).map(|_| quiet.sample(&mut rng)).collect();
    let new: Vec<f64> = (0..30).map(|_| quiet.sample(&mut rng)).collect();
    assert_eq!(
        judge(&unpaired(&old, &new, 1).unwrap(), THRESHOLD).verdict,
        Verdict::NoChange
    );
}

/// Paired rounds: a round effect (the machine busy for a while) hits the
/// job and its control alike. On an unchanged pair the ×std verdict is
/// rarely wrong; a 10% difference is found at 10 rounds even though the
/// machine's speed swings by 40% between rounds, where the unpaired
/// comparison of the same runs cannot see it.
#[test]
fn paired_rounds_cancel_what_a_round_does_to_both() {
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    let own = Normal::new(1.0, 0.02).unwrap();
    let round = |rng: &mut ChaCha8Rng| rng.random_range(0.6..1.0);
    for rounds in [6, 10, 30, 100] {
        let mut wrong = 0;
        for i in 0..PAIRS {
            let ratios: Vec<f64> = (0..rounds)
                .map(|_| {
                    let r = round(&mut rng);
                    (r * own.sample(&mut rng)) / (r * own.sample(&mut rng))
                })
                .collect();
            let v = judge(&paired(&ratios, i as u64).unwrap(), THRESHOLD).verdict;
            wrong += usize::from(matches!(v, Verdict::Faster | Verdict::Slower));
        }
        assert!(wrong as f64 / PAIRS as f64 <= 0.05, "{rounds}: {wrong}");
    }
    let (mut paired_found, mut unpaired_found) = (0, 0);
    for i in 0..200 {
        let (mut job, mut control, mut ratios) = (vec![], vec![], vec![]);
        for _ in 0..10 {
            let r = round(&mut rng);
            let (j, c) = (
                1.1e6 * r * own.sample(&mut rng),
                1e6 * r * own.sample(&mut rng),
            );
            job.push(j);
            control.push(c);
            ratios.push(j / c);
        }
        paired_found +=
            usize::from(judge(&paired(&ratios, i).unwrap(), THRESHOLD).verdict == Verdict::Faster);
        unpaired_found += usize::from(
            judge(&unpaired(&control, &job, i).unwrap(), THRESHOLD).verdict == Verdict::Faster,
        );
    }
    eprintln!(
        "10 rounds, 40% round swing: paired {paired_found}/200, unpaired {unpaired_found}/200"
    );
    assert!(paired_found >= 180, "{paired_found}");
    assert!(unpaired_found < paired_found / 2, "{unpaired_found}");
}

proptest::proptest! {
    /// Whatever a report holds (NaN, infinities, negatives, 0, absurd
    /// figures, ties), the estimates never panic, and an interval holds
    /// its estimate with finite, positive bounds.
    #[test]
    fn estimates_hold_on_any_figures(
        old in proptest::collection::vec(proptest::num::f64::ANY, 0..40),
        new in proptest::collection::vec(proptest::num::f64::ANY, 0..40),
        seed in proptest::prelude::any::<u64>(),
    ) {
        use adhash::batch::verdict::{median, paired, Estimate};
        let check = |e: Option<Estimate>| {
            if let Some(e) = e {
                proptest::prop_assert!(e.value.is_finite() && e.value > 0.0, "{e:?}");
                if let Some((lo, hi)) = e.interval {
                    proptest::prop_assert!(lo.is_finite() && hi.is_finite() && lo > 0.0, "{e:?}");
                    proptest::prop_assert!(lo <= e.value && e.value <= hi, "{e:?}");
                }
                let _ = judge(&e, 2.0);
            }
            Ok(())
        };
        check(unpaired(&old, &new, seed))?;
        check(paired(&new, seed))?;
        check(median(&old, seed))?;
    }
}
