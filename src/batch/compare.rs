//! `adhash compare OLD.json NEW.json` (formats.md §9): two batch reports, job by
//! job, with a verdict that knows the noise. Pure: reports in, a
//! `Comparison` out; rendering is text, Markdown, HTML or JSON.
//!
//! The interval is a percentile bootstrap of the ratio of medians: each
//! side's ok runs are resampled with replacement `RESAMPLES` times, the
//! ratio new median ÷ old median taken each time, and the 2.5th and 97.5th
//! percentiles of those ratios bound the 95% interval. The generator is
//! seeded from the job's name, so the same reports always give the same
//! output, whatever the job order.

use std::path::Path;

use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};

use super::report::md_cell as md;
use super::result::{Environment, JobResult, JobStatus, SuiteResult};

pub const COMPARE_SCHEMA: &str = "adhash.batch_compare.v1";
/// Bootstrap resamples per job (documented in docs/benchmarking.md).
pub const RESAMPLES: usize = 10_000;
/// |Δ| below this many percent is `no change`, whatever the interval.
pub const DEFAULT_THRESHOLD_PCT: f64 = 2.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Faster,
    Slower,
    #[serde(rename = "no change")]
    NoChange,
    Inconclusive,
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
            Verdict::OnlyInOld => "only in old",
            Verdict::OnlyInNew => "only in new",
        }
    }
}

/// One report of the two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    pub path: String,
    pub started_at: String,
    pub environment: Environment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobComparison {
    pub name: String,
    pub old_median: Option<f64>,
    pub new_median: Option<f64>,
    pub delta_pct: Option<f64>,
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    pub old_runs: usize,
    pub new_runs: usize,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub schema: String,
    pub old: Side,
    pub new: Side,
    pub threshold_pct: f64,
    pub jobs: Vec<JobComparison>,
}

impl Comparison {
    pub fn any_slower(&self) -> bool {
        self.jobs.iter().any(|j| j.verdict == Verdict::Slower)
    }

    /// The two reports come from different machines (hostname or CPU).
    pub fn machines_differ(&self) -> bool {
        let (a, b) = (&self.old.environment, &self.new.environment);
        a.hostname != b.hostname || a.cpu_model != b.cpu_model || a.logical_cores != b.logical_cores
    }
}

/// A job's measurements: the ops/s of its ok runs (older reports without
/// `runs` fall back to `ops_per_second_runs`, then to the one median).
pub fn samples(j: &JobResult) -> Vec<f64> {
    let from_runs: Vec<f64> = j
        .runs
        .iter()
        .filter(|r| r.status == JobStatus::Ok)
        .filter_map(|r| r.ops_per_second)
        .collect();
    let v = if !from_runs.is_empty() {
        from_runs
    } else if !j.ops_per_second_runs.is_empty() {
        j.ops_per_second_runs.clone()
    } else {
        j.ops_per_second.into_iter().collect()
    };
    v.into_iter()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .collect()
}

/// Compare `old` with `new` (paths are only shown).
pub fn compare(
    old: &SuiteResult,
    old_path: &Path,
    new: &SuiteResult,
    new_path: &Path,
    threshold_pct: f64,
) -> Comparison {
    let side = |s: &SuiteResult, p: &Path| Side {
        path: p.display().to_string(),
        started_at: s.started_at.clone(),
        environment: s.environment.clone(),
    };
    // Matched by name through a map: two 1,000-job reports are not a
    // million name comparisons.
    let by_name: std::collections::HashMap<&str, &JobResult> =
        new.jobs.iter().map(|j| (j.name.as_str(), j)).collect();
    let olds: std::collections::HashSet<&str> = old.jobs.iter().map(|j| j.name.as_str()).collect();
    // Old order first, then jobs only in the new report. The bootstrap is
    // the cost: the jobs are split over the cores.
    let mut jobs: Vec<JobComparison> =
        parallel_map(&old.jobs, |o| match by_name.get(o.name.as_str()) {
            Some(n) => compare_job(&o.name, &samples(o), &samples(n), threshold_pct),
            None => one_sided(o, Verdict::OnlyInOld),
        });
    for n in &new.jobs {
        if !olds.contains(n.name.as_str()) {
            jobs.push(one_sided(n, Verdict::OnlyInNew));
        }
    }
    Comparison {
        schema: COMPARE_SCHEMA.into(),
        old: side(old, old_path),
        new: side(new, new_path),
        threshold_pct,
        jobs,
    }
}

/// `f` over `items` on every core, results in order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

fn one_sided(j: &JobResult, verdict: Verdict) -> JobComparison {
    let s = samples(j);
    let median = crate::stats::median(&s);
    let (old_median, new_median, old_runs, new_runs) = match verdict {
        Verdict::OnlyInOld => (median, None, s.len(), 0),
        _ => (None, median, 0, s.len()),
    };
    JobComparison {
        name: j.name.clone(),
        old_median,
        new_median,
        delta_pct: None,
        ci_low_pct: None,
        ci_high_pct: None,
        old_runs,
        new_runs,
        verdict,
    }
}

/// The verdict for one job from its two samples.
pub fn compare_job(name: &str, old: &[f64], new: &[f64], threshold_pct: f64) -> JobComparison {
    let old_median = crate::stats::median(old);
    let new_median = crate::stats::median(new);
    let delta_pct = match (old_median, new_median) {
        (Some(o), Some(n)) if o > 0.0 => Some((n / o - 1.0) * 100.0),
        _ => None,
    };
    let ci = if old.len() >= 2 && new.len() >= 2 && old_median.is_some_and(|o| o > 0.0) {
        ratio_interval(old, new, RESAMPLES, seed_of(name))
            .map(|(lo, hi)| ((lo - 1.0) * 100.0, (hi - 1.0) * 100.0))
    } else {
        None
    };
    let verdict = match (delta_pct, ci) {
        (None, _) => Verdict::Inconclusive,
        (Some(d), _) if d.abs() < threshold_pct => Verdict::NoChange,
        (Some(_), Some((lo, hi))) if lo <= 0.0 && hi >= 0.0 => Verdict::NoChange,
        (Some(d), Some(_)) if d > 0.0 => Verdict::Faster,
        (Some(_), Some(_)) => Verdict::Slower,
        // One run a side: a difference, but no telling it from noise.
        (Some(_), None) => Verdict::Inconclusive,
    };
    JobComparison {
        name: name.to_string(),
        old_median,
        new_median,
        delta_pct,
        ci_low_pct: ci.map(|c| c.0),
        ci_high_pct: ci.map(|c| c.1),
        old_runs: old.len(),
        new_runs: new.len(),
        verdict,
    }
}

fn seed_of(name: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(name.as_bytes()) ^ 0x5eed_ad4a_5c0b_a7e5
}

/// 95% percentile-bootstrap interval of median(new) ÷ median(old), from
/// `resamples` resamples. `None` when a side is empty or a resampled old
/// median is 0.
pub fn ratio_interval(old: &[f64], new: &[f64], resamples: usize, seed: u64) -> Option<(f64, f64)> {
    if old.is_empty() || new.is_empty() || resamples == 0 {
        return None;
    }
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut old_s = Resampler::new(old);
    let mut new_s = Resampler::new(new);
    let mut ratios = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let o = old_s.median(&mut rng);
        let n = new_s.median(&mut rng);
        if o <= 0.0 {
            return None;
        }
        ratios.push(n / o);
    }
    let at = |q: f64| ((resamples - 1) as f64 * q).round() as usize;
    let (lo, hi) = (at(0.025), at(0.975));
    let lo_v = *ratios.select_nth_unstable_by(lo, f64::total_cmp).1;
    let hi_v = *ratios.select_nth_unstable_by(hi, f64::total_cmp).1;
    Some((lo_v, hi_v))
}

/// Medians of resamples of one sample without sorting each resample: the
/// values are sorted once, a resample is a count per sorted position, and
/// its median is found by walking the counts. O(n) a resample.
struct Resampler {
    sorted: Vec<f64>,
    counts: Vec<u32>,
}

impl Resampler {
    fn new(v: &[f64]) -> Resampler {
        let mut sorted = v.to_vec();
        sorted.sort_by(f64::total_cmp);
        Resampler {
            counts: vec![0; sorted.len()],
            sorted,
        }
    }

    fn median(&mut self, rng: &mut impl RngCore) -> f64 {
        let n = self.sorted.len();
        let counts = &mut self.counts[..n];
        counts.fill(0);
        // Indices by multiply-shift from slices of 64-bit draws: four
        // 16-bit slices a draw for up to 64 runs (bias n / 2^16 ≤ 0.1%), two
        // 32-bit slices above (bias n / 2^32); both far below the
        // bootstrap's own noise. This loop is the whole cost of `compare`.
        if n <= SMALL_SAMPLE {
            let mut left = n;
            while left > 0 {
                let r = rng.next_u64();
                for k in 0..left.min(4) {
                    let bits = (r >> (16 * k)) as u16;
                    counts[((u32::from(bits) * n as u32) >> 16) as usize] += 1;
                }
                left -= left.min(4);
            }
        } else {
            for _ in 0..n / 2 {
                let r = rng.next_u64();
                counts[index(r as u32, n)] += 1;
                counts[index((r >> 32) as u32, n)] += 1;
            }
            if n % 2 == 1 {
                counts[index(rng.next_u64() as u32, n)] += 1;
            }
        }
        // Walk the counts to the middle rank(s): 0-based (n-1)/2 and n/2.
        let (lo_rank, hi_rank) = ((n - 1) / 2, n / 2);
        let (mut seen, mut i) = (0usize, 0usize);
        while seen <= lo_rank {
            seen += counts[i] as usize;
            i += 1;
        }
        let lo = self.sorted[i - 1];
        if seen > hi_rank {
            return lo;
        }
        while seen <= hi_rank {
            seen += counts[i] as usize;
            i += 1;
        }
        (lo + self.sorted[i - 1]) / 2.0
    }
}

/// Samples up to this size draw 16-bit indices (four a random word).
const SMALL_SAMPLE: usize = 64;

/// A uniform index below `n` from 32 random bits.
fn index(bits: u32, n: usize) -> usize {
    ((u64::from(bits) * n as u64) >> 32) as usize
}

// ---- Rendering ----

/// "12.1 M", "980 k", "512": ops/s at a glance.
pub fn ops_short(v: Option<f64>) -> String {
    let Some(v) = v else { return "-".into() };
    // A unit starts where three significant digits of the one below would
    // round up to 1000 (999,999 is "1.00 M", not "1000 k").
    let (x, unit) = if v >= 999.5e6 {
        (v / 1e9, " G")
    } else if v >= 999.5e3 {
        (v / 1e6, " M")
    } else if v >= 999.5 {
        (v / 1e3, " k")
    } else {
        (v, "")
    };
    format!("{}{unit}", crate::fmt::significant(x, 3))
}

/// "+10.7%", "-3.0%", "0.0%".
pub fn pct(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(x) if x.abs() < 0.05 => "0.0%".into(),
        Some(x) => format!("{x:+.1}%"),
    }
}

/// "[+6.2%, +15.0%]", or "" without an interval.
pub fn interval_text(j: &JobComparison) -> String {
    match (j.ci_low_pct, j.ci_high_pct) {
        (Some(lo), Some(hi)) => format!("[{}, {}]", pct(Some(lo)), pct(Some(hi))),
        _ => String::new(),
    }
}

/// How the intervals were made and what the threshold means: under every
/// comparison, in every format.
pub fn method_note(threshold_pct: f64) -> String {
    format!(
        "95% bootstrap intervals of the ratio of medians ({RESAMPLES} resamples); \
         a |Δ| under {threshold_pct}% is within the threshold."
    )
}

/// "Old: <path> (started …, host · cores · load, CPU)".
pub fn side_line(label: &str, s: &Side) -> String {
    format!(
        "{label}: {} (started {}, {}, {})",
        s.path,
        if s.started_at.is_empty() {
            "?"
        } else {
            &s.started_at
        },
        s.environment.describe(),
        if s.environment.cpu_model.is_empty() {
            "CPU unknown"
        } else {
            &s.environment.cpu_model
        }
    )
}

/// The hyperfine-like text table printed on stdout.
pub fn text(c: &Comparison) -> String {
    let mut o = String::new();
    o.push_str(&crate::fmt::shown_text(&side_line("old", &c.old), 300));
    o.push('\n');
    o.push_str(&crate::fmt::shown_text(&side_line("new", &c.new), 300));
    o.push('\n');
    if c.machines_differ() {
        o.push_str(
            "note: the reports come from different machines; a difference may be the machine's\n",
        );
    }
    o.push('\n');
    let names: Vec<String> = c
        .jobs
        .iter()
        .map(|j| crate::fmt::shown_text(&j.name, 40))
        .collect();
    let w = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (j, name) in c.jobs.iter().zip(&names) {
        let figures = format!(
            "{} → {} ops/s",
            ops_short(j.old_median),
            ops_short(j.new_median)
        );
        o.push_str(&format!(
            "{name:<w$}  {figures:<22}  {:>7} {:<18}  {}  ({} → {} runs)\n",
            pct(j.delta_pct),
            interval_text(j),
            j.verdict.text(),
            j.old_runs,
            j.new_runs,
        ));
    }
    o.push_str(&format!("\n{}\n", method_note(c.threshold_pct)));
    o
}

pub fn markdown(c: &Comparison) -> String {
    let mut o = String::from("# Batch Comparison\n\n");
    for (label, s) in [("Old", &c.old), ("New", &c.new)] {
        o.push_str(&format!("- {}\n", md(&side_line(label, s))));
    }
    if c.machines_differ() {
        o.push_str("\n**The reports come from different machines.**\n");
    }
    o.push_str("\n| Job | Old ops/s | New ops/s | Δ | 95% CI | Runs | Verdict |\n");
    o.push_str("|---|---:|---:|---:|---|---:|---|\n");
    for j in &c.jobs {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} → {} | {} |\n",
            md(&j.name),
            ops_short(j.old_median),
            ops_short(j.new_median),
            pct(j.delta_pct),
            match interval_text(j).as_str() {
                "" => "-".to_string(),
                t => md(t),
            },
            j.old_runs,
            j.new_runs,
            j.verdict.text()
        ));
    }
    o.push_str(&format!("\n{}\n", md(&method_note(c.threshold_pct))));
    o
}

pub fn html(c: &Comparison) -> String {
    use super::report::esc;
    // The batch report's stylesheet: its ok / bad / warn colours are the
    // verdicts' green, red and amber.
    let mut o = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Batch Comparison</title>\n<style>{}</style></head><body>\n<h1>Batch Comparison</h1>\n",
        super::report::CSS
    );
    for (label, s) in [("Old", &c.old), ("New", &c.new)] {
        o.push_str(&format!(
            "<p class=\"meta\">{}</p>\n",
            esc(&side_line(label, s))
        ));
    }
    if c.machines_differ() {
        o.push_str("<p class=\"warn\">The reports come from different machines.</p>\n");
    }
    o.push_str("<table><thead><tr><th>Job</th><th>Old ops/s</th><th>New ops/s</th><th>Δ</th><th>95% CI</th><th>Runs</th><th>Verdict</th></tr></thead><tbody>\n");
    for j in &c.jobs {
        let cls = match j.verdict {
            Verdict::Faster => "ok",
            Verdict::Slower => "bad",
            Verdict::Inconclusive => "warn",
            _ => "",
        };
        o.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{} → {}</td><td class=\"{cls}\">{}</td></tr>\n",
            esc(&j.name),
            ops_short(j.old_median),
            ops_short(j.new_median),
            pct(j.delta_pct),
            esc(&interval_text(j)),
            j.old_runs,
            j.new_runs,
            j.verdict.text()
        ));
    }
    o.push_str(&format!(
        "</tbody></table>\n<p class=\"meta\">{}</p>\n</body></html>\n",
        esc(&method_note(c.threshold_pct))
    ));
    o
}

pub fn json(c: &Comparison) -> String {
    let mut s =
        serde_json::to_string_pretty(c).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::result::RunRecord;
    use rand_distr::{Distribution, LogNormal};

    fn job(name: &str, runs: &[(f64, JobStatus)]) -> JobResult {
        let mut j = JobResult::planned(name, "run-csv", "std", "w.csv", runs.len() as u32);
        j.status = JobStatus::Ok;
        j.runs = runs
            .iter()
            .map(|&(ops, status)| RunRecord {
                ops_per_second: Some(ops),
                duration_seconds: 1.0,
                status,
            })
            .collect();
        j
    }

    fn suite(jobs: Vec<JobResult>) -> SuiteResult {
        SuiteResult {
            spec: "s.toml".into(),
            description: None,
            cli: String::new(),
            generated_at: String::new(),
            started_at: String::new(),
            finished_at: String::new(),
            wall_seconds: 0.0,
            cancelled: false,
            environment: Environment::default(),
            warnings: Vec::new(),
            jobs,
        }
    }

    #[test]
    fn resampled_medians_match_sorting_each_resample() {
        for n in [1, 2, 3, 4, 7, 10, 64, 65, 100, 101] {
            let v: Vec<f64> = (0..n).map(|i| ((i * 37) % 11) as f64 + 0.5).collect();
            let mut fast = Resampler::new(&v);
            let mut a = Xoshiro256PlusPlus::seed_from_u64(n as u64);
            let mut b = Xoshiro256PlusPlus::seed_from_u64(n as u64);
            let mut sorted = v.clone();
            sorted.sort_by(f64::total_cmp);
            for _ in 0..200 {
                let got = fast.median(&mut a);
                // The same draws, as indices into the sorted sample.
                let mut resample = Vec::new();
                while resample.len() < n {
                    let r = b.next_u64();
                    if n <= SMALL_SAMPLE {
                        for k in 0..4 {
                            if resample.len() < n {
                                let bits = u32::from((r >> (16 * k)) as u16);
                                resample.push(sorted[((bits * n as u32) >> 16) as usize]);
                            }
                        }
                    } else {
                        for half in [r as u32, (r >> 32) as u32] {
                            if resample.len() < n {
                                resample.push(sorted[index(half, n)]);
                            }
                        }
                    }
                }
                assert_eq!(Some(got), crate::stats::median(&resample), "n = {n}");
            }
        }
    }

    #[test]
    fn indices_cover_the_range_evenly() {
        let n = 7;
        let mut counts = [0u32; 7];
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..70_000 {
            counts[index(rng.next_u64() as u32, n)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (9_500..=10_500).contains(&c)),
            "{counts:?}"
        );
        assert_eq!(index(u32::MAX, n), n - 1);
        assert_eq!(index(0, n), 0);
    }

    #[test]
    fn interval_covers_the_true_ratio_at_about_the_nominal_rate() {
        // New is old scaled by 1.1: the true ratio of medians is 1.1.
        let dist = LogNormal::new(16.0, 0.15).unwrap();
        let trials = 200;
        let mut covered = 0;
        for seed in 0..trials {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1000 + seed);
            let old: Vec<f64> = (0..15).map(|_| dist.sample(&mut rng)).collect();
            let new: Vec<f64> = (0..15).map(|_| dist.sample(&mut rng) * 1.1).collect();
            let (lo, hi) = ratio_interval(&old, &new, 1000, seed).unwrap();
            assert!(lo <= hi);
            if lo <= 1.1 && 1.1 <= hi {
                covered += 1;
            }
        }
        let rate = covered as f64 / trials as f64;
        // Percentile intervals of medians run a little narrow on 15 runs.
        assert!((0.85..=0.995).contains(&rate), "coverage {rate}");
    }

    #[test]
    fn same_inputs_same_output() {
        let old = [10.0, 11.0, 12.0, 9.5];
        let new = [11.0, 12.5, 12.0, 13.0];
        let a = compare_job("x", &old, &new, 2.0);
        let b = compare_job("x", &old, &new, 2.0);
        assert_eq!(a, b);
        assert!(a.ci_low_pct.is_some());
    }

    #[test]
    fn verdicts_at_the_edges() {
        let t = DEFAULT_THRESHOLD_PCT;
        // Clearly faster, clearly slower.
        let old = [100.0, 101.0, 99.0, 100.5, 99.5];
        let fast: Vec<f64> = old.iter().map(|x| x * 1.2).collect();
        let slow: Vec<f64> = old.iter().map(|x| x * 0.8).collect();
        assert_eq!(compare_job("a", &old, &fast, t).verdict, Verdict::Faster);
        assert_eq!(compare_job("a", &old, &slow, t).verdict, Verdict::Slower);
        let c = compare_job("a", &old, &fast, t);
        assert!(c.ci_low_pct.unwrap() > 0.0 && (c.delta_pct.unwrap() - 20.0).abs() < 1e-9);
        // Against itself: no change, an interval around 0.
        let same = compare_job("a", &old, &old, t);
        assert_eq!(same.verdict, Verdict::NoChange);
        assert_eq!(same.delta_pct, Some(0.0));
        // Zero-width interval: every run identical on each side.
        let c = compare_job("a", &[100.0; 3], &[110.0; 3], t);
        let (lo, hi) = (c.ci_low_pct.unwrap(), c.ci_high_pct.unwrap());
        assert!(lo == hi && (lo - 10.0).abs() < 1e-9, "[{lo}, {hi}]");
        assert_eq!(c.verdict, Verdict::Faster);
        assert_eq!(
            compare_job("a", &[100.0; 3], &[100.0; 3], t).verdict,
            Verdict::NoChange
        );
        // Under the threshold, even with a tight interval excluding 0.
        let c = compare_job("a", &[100.0; 3], &[101.0; 3], t);
        assert_eq!(c.verdict, Verdict::NoChange);
        // Noise: overlapping samples, a large Δ but an interval holding 0.
        let c = compare_job(
            "a",
            &[50.0, 150.0, 100.0, 60.0],
            &[70.0, 160.0, 120.0, 55.0],
            t,
        );
        assert_eq!(c.verdict, Verdict::NoChange, "{c:?}");
        // One run a side: no interval; a real difference is inconclusive.
        let c = compare_job("a", &[100.0], &[130.0], t);
        assert_eq!((c.ci_low_pct, c.verdict), (None, Verdict::Inconclusive));
        assert_eq!(
            compare_job("a", &[100.0], &[101.0], t).verdict,
            Verdict::NoChange
        );
        // No figures on a side.
        assert_eq!(
            compare_job("a", &[], &[100.0], t).verdict,
            Verdict::Inconclusive
        );
        assert_eq!(
            compare_job("a", &[0.0, 0.0], &[1.0, 1.0], t).verdict,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn jobs_match_by_name_and_failed_runs_are_left_out() {
        let ok = JobStatus::Ok;
        let old = suite(vec![
            job("kept", &[(100.0, ok), (100.0, ok)]),
            job("gone", &[(5.0, ok)]),
        ]);
        let new = suite(vec![
            job("fresh", &[(7.0, ok)]),
            // The failed run's figure is no measurement.
            job(
                "kept",
                &[(100.0, ok), (1.0, JobStatus::Failed), (100.0, ok)],
            ),
        ]);
        let c = compare(&old, Path::new("a.json"), &new, Path::new("b.json"), 2.0);
        let names: Vec<(&str, Verdict)> = c
            .jobs
            .iter()
            .map(|j| (j.name.as_str(), j.verdict))
            .collect();
        assert_eq!(
            names,
            [
                ("kept", Verdict::NoChange),
                ("gone", Verdict::OnlyInOld),
                ("fresh", Verdict::OnlyInNew)
            ]
        );
        assert_eq!(c.jobs[0].new_runs, 2);
        assert_eq!(c.jobs[1].old_median, Some(5.0));
        assert_eq!(c.jobs[2].new_median, Some(7.0));
        // JSON as formats.md §9 names it.
        let v: serde_json::Value = serde_json::from_str(&json(&c)).unwrap();
        assert_eq!(v["schema"], COMPARE_SCHEMA);
        assert_eq!(v["jobs"][0]["verdict"], "no change");
        assert_eq!(v["jobs"][1]["verdict"], "only in old");
        assert!(v["jobs"][1]["ci_low_pct"].is_null());
        assert_eq!(v["threshold_pct"], 2.0);
        assert_eq!(v["old"]["path"], "a.json");
    }

    #[test]
    fn text_reads_like_hyperfine() {
        let mut c = compare_job(
            "run-uniform",
            &[12.0e6, 12.1e6, 12.2e6],
            &[13.3e6, 13.4e6, 13.5e6],
            2.0,
        );
        c.name = "run-uniform".into();
        let cmp = Comparison {
            schema: COMPARE_SCHEMA.into(),
            old: Side {
                path: "old.json".into(),
                started_at: "t0".into(),
                environment: Environment::default(),
            },
            new: Side {
                path: "new.json".into(),
                started_at: "t1".into(),
                environment: Environment::default(),
            },
            threshold_pct: 2.0,
            jobs: vec![c],
        };
        let t = text(&cmp);
        assert!(t.contains("run-uniform  12.1 M → 13.4 M ops/s"), "{t}");
        assert!(t.contains("+10.7% [+"), "{t}");
        assert!(t.contains("faster"), "{t}");
    }

    /// Samples come from the ok runs; older reports without `runs` give
    /// `ops_per_second_runs`, then the one median; nothing negative or
    /// not finite is a sample.
    #[test]
    fn samples_prefer_runs_then_older_fields() {
        let mut j = job(
            "a",
            &[
                (1.0, JobStatus::Ok),
                (9.0, JobStatus::Failed),
                (3.0, JobStatus::Ok),
            ],
        );
        j.ops_per_second = Some(2.0);
        assert_eq!(samples(&j), vec![1.0, 3.0]);
        j.ops_per_second_runs = vec![7.0, 8.0];
        assert_eq!(samples(&j), vec![1.0, 3.0], "runs win over the older field");
        j.runs.clear();
        assert_eq!(samples(&j), vec![7.0, 8.0]);
        j.ops_per_second_runs.clear();
        assert_eq!(samples(&j), vec![2.0]);
        j.ops_per_second_runs = vec![-1.0, f64::NAN, f64::INFINITY, 0.0, 4.0];
        assert_eq!(samples(&j), vec![0.0, 4.0]);
        j.ops_per_second_runs.clear();
        j.ops_per_second = None;
        assert_eq!(samples(&j), Vec::<f64>::new());
    }

    /// Another host, CPU or core count is another machine: the comparison
    /// says so.
    #[test]
    fn machines_differ_by_host_cpu_or_cores() {
        let env = Environment {
            hostname: "h".into(),
            cpu_model: "c".into(),
            logical_cores: 4,
            ..Environment::default()
        };
        let with = |e: Environment| {
            let mut old = suite(vec![]);
            old.environment = env.clone();
            let mut new = suite(vec![]);
            new.environment = e;
            compare(&old, Path::new("a"), &new, Path::new("b"), 5.0).machines_differ()
        };
        assert!(!with(env.clone()));
        assert!(
            !with(Environment {
                os: "other".into(),
                ..env.clone()
            }),
            "os alone is not the machine"
        );
        assert!(with(Environment {
            hostname: "x".into(),
            ..env.clone()
        }));
        assert!(with(Environment {
            cpu_model: "x".into(),
            ..env.clone()
        }));
        assert!(with(Environment {
            logical_cores: 8,
            ..env.clone()
        }));
    }

    /// An interval needs two runs on each side; a zero old median gives no
    /// Δ at all (not an infinite one).
    #[test]
    fn intervals_need_two_runs_a_side_and_a_positive_old_median() {
        let t = DEFAULT_THRESHOLD_PCT;
        for (old, new) in [
            (&[100.0][..], &[130.0, 131.0, 129.0][..]),
            (&[100.0, 101.0, 99.0][..], &[130.0][..]),
        ] {
            let c = compare_job("a", old, new, t);
            assert_eq!(
                (c.ci_low_pct, c.ci_high_pct),
                (None, None),
                "{old:?} vs {new:?}"
            );
            assert_eq!(c.verdict, Verdict::Inconclusive);
        }
        let c = compare_job("a", &[0.0, 0.0], &[1.0, 1.0], t);
        assert_eq!(
            (c.delta_pct, c.ci_low_pct, c.old_median),
            (None, None, Some(0.0))
        );
        let c = compare_job("a", &[0.0], &[1.0], t);
        assert_eq!(c.delta_pct, None);
    }

    /// Empty reports compare to an empty list; many jobs keep their order
    /// whatever the cores split.
    #[test]
    fn empty_and_many_job_reports_compare_in_order() {
        let c = compare(
            &suite(vec![]),
            Path::new("a"),
            &suite(vec![]),
            Path::new("b"),
            5.0,
        );
        assert!(c.jobs.is_empty());
        let one = suite(vec![job("x", &[(1.0, JobStatus::Ok)])]);
        assert_eq!(
            compare(&one, Path::new("a"), &one, Path::new("b"), 5.0)
                .jobs
                .len(),
            1
        );
        let many: Vec<JobResult> = (0..9)
            .map(|i| job(&format!("j{i}"), &[(100.0 + i as f64, JobStatus::Ok)]))
            .collect();
        let s = suite(many);
        let c = compare(&s, Path::new("a"), &s, Path::new("b"), 5.0);
        let names: Vec<&str> = c.jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(
            names,
            ["j0", "j1", "j2", "j3", "j4", "j5", "j6", "j7", "j8"]
        );
        assert_eq!(c.jobs[8].old_median, Some(108.0));
    }

    /// A change of exactly the threshold is a change.
    #[test]
    fn a_change_of_exactly_the_threshold_counts() {
        // 125 / 100 - 1 is exactly 25%.
        let c = compare_job("a", &[100.0; 3], &[125.0; 3], 25.0);
        assert_eq!((c.delta_pct, c.verdict), (Some(25.0), Verdict::Faster));
        let c = compare_job("a", &[100.0; 3], &[75.0; 3], 25.0);
        assert_eq!((c.delta_pct, c.verdict), (Some(-25.0), Verdict::Slower));
        assert_eq!(
            compare_job("a", &[100.0; 3], &[125.0; 3], 25.1).verdict,
            Verdict::NoChange
        );
    }

    /// The bootstrap needs both samples and at least one resample.
    #[test]
    fn no_interval_from_nothing() {
        assert_eq!(ratio_interval(&[], &[1.0, 2.0], 100, 1), None);
        assert_eq!(ratio_interval(&[1.0, 2.0], &[], 100, 1), None);
        assert_eq!(ratio_interval(&[1.0, 2.0], &[1.0, 2.0], 0, 1), None);
        assert!(ratio_interval(&[1.0, 2.0], &[1.0, 2.0], 1, 1).is_some());
    }

    /// Each job draws its own resamples (seeded by its name): two jobs
    /// with the same figures get their own intervals, each reproducible.
    #[test]
    fn each_job_has_its_own_random_stream() {
        let old = [10.0, 11.0, 12.0, 9.5, 10.2, 13.0];
        let new = [11.0, 12.5, 12.0, 13.0, 10.0, 14.2];
        let a = compare_job("a", &old, &new, 2.0);
        let b = compare_job("b", &old, &new, 2.0);
        assert_ne!((a.ci_low_pct, a.ci_high_pct), (b.ci_low_pct, b.ci_high_pct));
        assert_eq!(compare_job("a", &old, &new, 2.0), a);
    }

    /// Three significant digits in the unit they fit: never "1000 k".
    #[test]
    fn ops_short_moves_up_a_unit_when_rounding_reaches_1000() {
        let cases = [
            (999_999_999.0, "1.00 G"),
            (1.2e9, "1.20 G"),
            (999_400_000.0, "999 M"),
            (999_999.0, "1.00 M"),
            (1e6, "1.00 M"),
            (999_400.0, "999 k"),
            (999.9, "1.00 k"),
            (1e3, "1.00 k"),
            (999.0, "999"),
            (12.5, "12.5"),
            (0.0, "0"),
        ];
        for (v, want) in cases {
            assert_eq!(ops_short(Some(v)), want, "{v}");
        }
        assert_eq!(ops_short(None), "-");
        assert_eq!(
            (
                pct(Some(0.049)),
                pct(Some(-0.049)),
                pct(Some(10.66)),
                pct(None)
            ),
            ("0.0%".into(), "0.0%".into(), "+10.7%".into(), "-".into())
        );
    }
}
