//! Small statistics used by Workload DNA: running moments, nearest-rank
//! percentiles, and the chi-square survival function (regularised upper
//! incomplete gamma, Numerical Recipes' series / continued fraction).

use serde::{Deserialize, Serialize};

/// `{count, min, max, mean, stdev}` (population stdev), accumulated in one pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryStats {
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub stdev: f64,
}

/// Welford's running mean and variance.
#[derive(Debug, Clone, Copy, Default)]
pub struct Running {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Running {
    #[inline]
    pub fn add(&mut self, x: f64) {
        if self.n == 0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    pub fn summary(&self) -> SummaryStats {
        if self.n == 0 {
            return SummaryStats::default();
        }
        SummaryStats {
            count: self.n,
            min: self.min,
            max: self.max,
            mean: self.mean,
            stdev: (self.m2 / self.n as f64).sqrt(),
        }
    }
}

/// Nearest-rank percentile of ascending `sorted` (p in 0..=1).
pub fn nearest_rank(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the series accurate near 0.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Q(a, x) = Γ(a, x) / Γ(a): the regularised upper incomplete gamma.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let gln = ln_gamma(a);
    if x < a + 1.0 {
        // Series for P, then Q = 1 - P.
        let mut ap = a;
        let mut sum = 1.0 / a;
        let mut del = sum;
        for _ in 0..100_000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (1.0 - sum * (-x + a * x.ln() - gln).exp()).clamp(0.0, 1.0)
    } else {
        // Lentz's continued fraction for Q.
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let del = d * c;
            h *= del;
            if (del - 1.0).abs() < 1e-15 {
                break;
            }
        }
        ((-x + a * x.ln() - gln).exp() * h).clamp(0.0, 1.0)
    }
}

/// P(χ² ≥ x) with `dof` degrees of freedom.
pub fn chi_square_sf(x: f64, dof: f64) -> f64 {
    gamma_q(dof / 2.0, x / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_moments() {
        let mut r = Running::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            r.add(x);
        }
        let s = r.summary();
        assert_eq!(s.count, 8);
        assert_eq!(s.mean, 5.0);
        assert!((s.stdev - 2.0).abs() < 1e-12);
        assert_eq!((s.min, s.max), (2.0, 9.0));
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!((ln_gamma(1.0)).abs() < 1e-12);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn chi_square_survival_known_values() {
        // scipy.stats.chi2.sf(3.84145882, 1) = 0.05; chi2.sf(18.307, 10) = 0.05
        assert!((chi_square_sf(3.841_458_82, 1.0) - 0.05).abs() < 1e-6);
        assert!((chi_square_sf(18.307_038, 10.0) - 0.05).abs() < 1e-6);
        // At the mean of a large dof the tail is a little under one half.
        let p = chi_square_sf(4095.0, 4095.0);
        assert!((p - 0.497).abs() < 0.005, "{p}");
        assert!(chi_square_sf(6000.0, 4095.0) < 1e-20);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(nearest_rank(&v, 0.5), 50);
        assert_eq!(nearest_rank(&v, 0.99), 99);
        assert_eq!(nearest_rank(&[], 0.5), 0);
    }

    /// Reference values from mpmath (40 digits), on both sides of the
    /// reflection at 0.5 and far out.
    #[test]
    fn ln_gamma_matches_a_reference() {
        let cases = [
            (0.1, 2.252_712_651_734_206),
            (0.3, 1.095_797_994_818_075_6),
            (1.5, -0.120_782_237_635_245_22),
            (2.0, 0.0),
            (3.7, 1.428_072_326_665_388),
            (10.0, 12.801_827_480_081_469),
            (100.0, 359.134_205_369_575_4),
            (1e5, 1_051_287.708_973_656_9),
        ];
        for (x, want) in cases {
            let got = ln_gamma(x);
            assert!(
                (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                "ln Γ({x}) = {got}, want {want}"
            );
        }
    }

    /// Q(a, x) against mpmath on the series side (x < a + 1) and the
    /// continued-fraction side, small and large a.
    #[test]
    fn gamma_q_matches_a_reference() {
        let cases = [
            (0.5, 0.1, 0.654_720_846_018_577),
            (0.5, 2.0, 0.045_500_263_896_358_41),
            (1.0, 0.5, 0.606_530_659_712_633_4),
            (3.0, 1.0, 0.919_698_602_928_605_8),
            (3.0, 10.0, 0.002_769_395_715_511_576),
            (10.0, 5.0, 0.968_171_942_693_795_2),
            (10.0, 20.0, 0.004_995_412_308_307_587),
            (2047.5, 2047.5, 0.497_061_145_852_534_7),
            (2047.5, 2200.0, 0.000_488_054_400_884_932_2),
            (0.5, 1e-8, 0.999_887_162_083_666_6),
            (1.5, 2.5, 0.171_797_144_296_733_14),
            (50.0, 80.0, 0.000_130_783_976_591_410_34),
        ];
        for (a, x, want) in cases {
            let got = gamma_q(a, x);
            assert!(
                (got - want).abs() <= 1e-9 * want,
                "Q({a}, {x}) = {got}, want {want}"
            );
        }
        assert_eq!((gamma_q(3.0, 0.0), gamma_q(3.0, -1.0)), (1.0, 1.0));
        assert_eq!(chi_square_sf(0.0, 4.0), 1.0);
        // χ² with 2 dof is an exponential: P(χ² ≥ x) = e^(-x/2).
        assert!((chi_square_sf(3.0, 2.0) - (-1.5f64).exp()).abs() < 1e-14);
    }

    #[test]
    fn running_moments_of_one_value_and_of_none() {
        let mut r = Running::default();
        assert_eq!(r.summary(), SummaryStats::default());
        r.add(-3.5);
        assert_eq!(
            r.summary(),
            SummaryStats {
                count: 1,
                min: -3.5,
                max: -3.5,
                mean: -3.5,
                stdev: 0.0
            }
        );
        r.add(1.5);
        let s = r.summary();
        assert_eq!((s.min, s.max, s.mean, s.stdev), (-3.5, 1.5, -1.0, 2.5));
    }

    #[test]
    fn nearest_rank_at_the_ends() {
        let v = [10, 20, 30, 40];
        assert_eq!(nearest_rank(&v, 0.0), 10, "rank 1 at least");
        assert_eq!(nearest_rank(&v, 0.25), 10);
        assert_eq!(nearest_rank(&v, 0.26), 20);
        assert_eq!(nearest_rank(&v, 1.0), 40);
        assert_eq!(nearest_rank(&v, 1.5), 40, "never past the end");
        assert_eq!(nearest_rank(&[7], 0.5), 7);
    }
}
