//! Statistics next to every number: median, mean, standard deviation,
//! range and coefficient of variation over a job's measured runs.

use serde::{Deserialize, Serialize};

/// Above this coefficient of variation a figure is flagged as noisy.
pub const NOISY_CV: f64 = 0.05;

/// Summary of a set of measurements (formats.md §9 `stats`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RunStats {
    pub median: f64,
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for a single value.
    pub stddev: f64,
    pub min: f64,
    pub max: f64,
    /// stddev / mean; 0 when the mean is 0.
    pub cv: f64,
    /// How many values these are over.
    #[serde(default)]
    pub n: usize,
}

impl RunStats {
    /// Statistics of `values`; `None` when there are none (non-finite
    /// values are ignored: they are not measurements).
    pub fn of(values: &[f64]) -> Option<RunStats> {
        let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let n = v.len();
        if n == 0 {
            return None;
        }
        let mean = v.iter().sum::<f64>() / n as f64;
        let var = if n > 1 {
            v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        let stddev = var.sqrt();
        Some(RunStats {
            median: median(&v)?,
            mean,
            stddev,
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            cv: if mean != 0.0 {
                stddev / mean.abs()
            } else {
                0.0
            },
            n,
        })
    }

    /// More than one run and a coefficient of variation above `NOISY_CV`.
    pub fn is_noisy(&self) -> bool {
        self.n > 1 && self.cv > NOISY_CV
    }
}

/// The median of `v` (mean of the middle two for an even count).
/// Modified z-score (Iglewicz and Hoaglin) above which a run is flagged as
/// an outlier: about 5 median absolute deviations from the median.
pub const OUTLIER_Z: f64 = 3.5;

/// Runs far from the rest: `(index, modified z-score)` for each value whose
/// |0.6745 (x − median) / MAD| exceeds `OUTLIER_Z`. Needs four values or
/// more, and a spread (MAD > 0): with most runs identical nothing can be
/// told apart from rounding.
pub fn outliers(values: &[f64]) -> Vec<(usize, f64)> {
    if values.len() < 4 || values.iter().any(|v| !v.is_finite()) {
        return Vec::new();
    }
    let Some(m) = median(values) else {
        return Vec::new();
    };
    let deviations: Vec<f64> = values.iter().map(|v| (v - m).abs()).collect();
    let mad = median(&deviations).unwrap_or(0.0);
    if mad <= 0.0 {
        return Vec::new();
    }
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (i, 0.6745 * (v - m) / mad))
        .filter(|(_, z)| z.abs() > OUTLIER_Z)
        .collect()
}

pub fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    Some(if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outliers_are_runs_far_from_the_rest() {
        let runs = [100.0, 101.0, 99.0, 100.5, 99.5, 60.0];
        let found = outliers(&runs);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 5);
        assert!(found[0].1 < -OUTLIER_Z);
        // Ordinary spread, too few runs, identical runs: none.
        assert!(outliers(&[100.0, 104.0, 97.0, 101.0, 99.0]).is_empty());
        assert!(outliers(&[100.0, 101.0, 10.0]).is_empty());
        assert!(outliers(&[100.0, 100.0, 100.0, 100.0, 50.0]).is_empty());
    }

    #[test]
    fn stats_of_a_few_runs() {
        let s = RunStats::of(&[10.0, 12.0, 14.0]).unwrap();
        assert_eq!(s.median, 12.0);
        assert_eq!(s.mean, 12.0);
        assert_eq!(s.stddev, 2.0);
        assert_eq!((s.min, s.max, s.n), (10.0, 14.0, 3));
        assert!((s.cv - 2.0 / 12.0).abs() < 1e-12);
        assert!(s.is_noisy());
        let one = RunStats::of(&[5.0]).unwrap();
        assert_eq!((one.stddev, one.cv), (0.0, 0.0));
        assert!(!one.is_noisy());
        assert!(RunStats::of(&[]).is_none());
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
