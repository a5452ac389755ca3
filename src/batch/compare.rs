//! `adhash compare OLD.json NEW.json` (formats.md §9): two batch reports, job by
//! job, with a verdict that knows the noise. Pure: reports in, a
//! `Comparison` out; rendering is text, Markdown, HTML or JSON. Every
//! verdict comes from `batch::verdict`.
//!
//! Per job: the medians, Δ (the Hodges–Lehmann estimate of new ÷ old), its
//! interval and verdict on the chosen metric (wall or CPU time); whether
//! the two runs can be compared at all (the same CSV content and command
//! line); and, where both runs have a `std` job on the job's CSV and ran
//! interleaved, the same judgement of the job's per-round ×std
//! (`normalized`), so a machine that slowed for everyone is not read as a
//! regression of every job.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::report::md_cell as md;
use super::result::{Environment, JobResult, SuiteResult};
use super::verdict::{self, Estimate, Judgement, Method};
pub use super::verdict::{Metric, Verdict};

pub const COMPARE_SCHEMA: &str = "adhash.batch_compare.v2";
/// A change under this many percent is no change worth a verdict.
pub const DEFAULT_THRESHOLD_PCT: f64 = 2.0;

/// Which figures the gate (and the headline verdict) reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Normalize {
    /// ×std where both runs have a control on the job's CSV, raw elsewhere.
    #[default]
    Auto,
    /// ×std for every job; one without a control in both runs is
    /// inconclusive.
    Always,
    /// Raw figures only.
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompareOptions {
    pub threshold_pct: f64,
    pub metric: Metric,
    pub normalize: Normalize,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            threshold_pct: DEFAULT_THRESHOLD_PCT,
            metric: Metric::Wall,
            normalize: Normalize::Auto,
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

/// The same judgement of a job's ×std (per-round job ÷ control).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Normalized {
    pub old_median: Option<f64>,
    pub new_median: Option<f64>,
    pub delta_pct: Option<f64>,
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    pub old_rounds: usize,
    pub new_rounds: usize,
    pub verdict: Verdict,
    pub reason: Option<String>,
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
    /// Why the verdict is what it is, when it needs saying.
    #[serde(default)]
    pub reason: Option<String>,
    /// The same CSV content and command line in both runs.
    #[serde(default = "yes")]
    pub comparable: bool,
    #[serde(default)]
    pub normalized: Option<Normalized>,
    /// The job is the control its CSV's other jobs are normalised by.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub control: bool,
    /// The gate reads `normalized` rather than the raw verdict.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gated_on_normalized: bool,
}

fn yes() -> bool {
    true
}

impl JobComparison {
    /// The verdict the gate and the headline read: the normalised one
    /// where it applies.
    pub fn gate_verdict(&self) -> Verdict {
        match &self.normalized {
            Some(n) if self.gated_on_normalized => n.verdict,
            _ => self.verdict,
        }
    }

    /// Why this job fails `--fail-on-regression`, if it does.
    pub fn regression(&self) -> Option<String> {
        if self.control && self.gated_on_normalized {
            // The control is the yardstick; its own move is the machine's.
            return None;
        }
        match self.gate_verdict() {
            Verdict::Slower => Some(format!("{}: slower", self.name)),
            Verdict::OnlyInOld => Some(format!("{}: missing from the new run", self.name)),
            _ if self.old_runs > 0 && self.new_runs == 0 => {
                Some(format!("{}: no ok run in the new run", self.name))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub schema: String,
    pub old: Side,
    pub new: Side,
    pub threshold_pct: f64,
    pub metric: Metric,
    /// The interval's method, named.
    pub method: String,
    pub normalize: Normalize,
    /// What makes the comparison less sure: another machine, a busy one,
    /// another adhash, figures left out.
    pub caveats: Vec<String>,
    pub jobs: Vec<JobComparison>,
}

impl Comparison {
    /// Jobs that fail `--fail-on-regression`, each with why.
    pub fn regressions(&self) -> Vec<String> {
        self.jobs.iter().filter_map(|j| j.regression()).collect()
    }

    pub fn any_slower(&self) -> bool {
        self.jobs
            .iter()
            .any(|j| j.gate_verdict() == Verdict::Slower)
    }

    /// The two reports come from different machines (hostname or CPU).
    pub fn machines_differ(&self) -> bool {
        let (a, b) = (&self.old.environment, &self.new.environment);
        a.hostname != b.hostname || a.cpu_model != b.cpu_model || a.logical_cores != b.logical_cores
    }
}

/// Compare `old` with `new` (paths are only shown).
pub fn compare(
    old: &SuiteResult,
    old_path: &Path,
    new: &SuiteResult,
    new_path: &Path,
    opts: &CompareOptions,
) -> Comparison {
    let side = |s: &SuiteResult, p: &Path| Side {
        path: p.display().to_string(),
        started_at: s.started_at.clone(),
        environment: s.environment.clone(),
    };
    // Matched by name through a map: two 1,000-job reports are not a
    // million name comparisons.
    let by_name: HashMap<&str, &JobResult> =
        new.jobs.iter().map(|j| (j.name.as_str(), j)).collect();
    let olds: HashSet<&str> = old.jobs.iter().map(|j| j.name.as_str()).collect();
    let old_refs: Vec<&JobResult> = old.jobs.iter().collect();
    let new_refs: Vec<&JobResult> = new.jobs.iter().collect();
    let mut caveats = verdict::environment_caveats(&old.environment, &new.environment);
    let mut notes: Vec<String> = Vec::new();
    // Old order first, then jobs only in the new report. The jobs are
    // split over the cores: a report may hold thousands.
    let mut jobs: Vec<JobComparison> = parallel_map(&old.jobs, |o| {
        let mut notes = Vec::new();
        let c = match by_name.get(o.name.as_str()) {
            Some(n) => compare_pair(o, n, (&old_refs, &new_refs), opts, &mut notes),
            None => one_sided(o, Verdict::OnlyInOld, opts.metric),
        };
        (c, notes)
    })
    .into_iter()
    .map(|(c, n)| {
        notes.extend(n);
        c
    })
    .collect();
    for n in &new.jobs {
        if !olds.contains(n.name.as_str()) {
            jobs.push(one_sided(n, Verdict::OnlyInNew, opts.metric));
        }
    }
    if opts.normalize != Normalize::Never
        && jobs.iter().any(|j| j.normalized.is_none() && !j.control)
        && jobs.iter().any(|j| j.control)
        && !jobs.iter().any(|j| j.normalized.is_some())
    {
        caveats.push(
            "×std needs interleaved rounds (`interleave = true`) in both runs: judged on raw figures"
                .into(),
        );
    }
    caveats.extend(notes);
    Comparison {
        schema: COMPARE_SCHEMA.into(),
        old: side(old, old_path),
        new: side(new, new_path),
        threshold_pct: opts.threshold_pct,
        metric: opts.metric,
        method: method_text(opts),
        normalize: opts.normalize,
        caveats,
        jobs,
    }
}

fn method_text(opts: &CompareOptions) -> String {
    format!(
        "{}; ×std: {}",
        Method::MannWhitney.describe(),
        "the same on per-round ratios to the std job on the job's CSV"
    ) + &match opts.metric {
        Metric::Wall => String::new(),
        Metric::Cpu => "; figures are ops per CPU-second".into(),
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

fn one_sided(j: &JobResult, verdict: Verdict, metric: Metric) -> JobComparison {
    let (s, _) = verdict::figures(j, metric);
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
        reason: None,
        comparable: true,
        normalized: None,
        control: false,
        gated_on_normalized: false,
    }
}

/// "new: 0/5 runs ok" when a side has no figure to judge.
fn missing_side(label: &str, j: &JobResult, metric: Metric) -> String {
    let ok = j.ok_runs();
    if ok > 0 && metric == Metric::Cpu {
        format!("{label}: no CPU-time figures (the report predates them, or the CLI gives none)")
    } else {
        format!(
            "{label}: {ok}/{} runs ok",
            j.planned_runs.max(j.runs.len() as u32)
        )
    }
}

/// One job present in both reports.
fn compare_pair(
    o: &JobResult,
    n: &JobResult,
    suites: (&[&JobResult], &[&JobResult]),
    opts: &CompareOptions,
    notes: &mut Vec<String>,
) -> JobComparison {
    let (old, old_out) = verdict::figures(o, opts.metric);
    let (new, new_out) = verdict::figures(n, opts.metric);
    for (label, out) in [("old", old_out), ("new", new_out)] {
        if out > 0 {
            notes.push(format!(
                "{label} run, job {}: {out} figure(s) that cannot be measurements (not finite, under 10⁻⁶ or over 10¹² ops/s) left out",
                crate::fmt::shown_text(&o.name, 60)
            ));
        }
    }
    let mut c = compare_figures(&o.name, &old, &new, opts.threshold_pct);
    // The figures are measurements already: `unpaired` subsampled them
    // exactly when a side holds more than MAX_RUNS.
    if old.len() > verdict::MAX_RUNS || new.len() > verdict::MAX_RUNS {
        notes.push(format!(
            "job {}: {} vs {} runs; a seeded random {} a side judged",
            crate::fmt::shown_text(&o.name, 60),
            old.len(),
            new.len(),
            verdict::MAX_RUNS
        ));
    }
    let mut why = Vec::new();
    if old.is_empty() {
        why.push(missing_side("old", o, opts.metric));
    }
    if new.is_empty() {
        why.push(missing_side("new", n, opts.metric));
    }
    if !why.is_empty() {
        c.verdict = Verdict::Inconclusive;
        c.reason = Some(why.join("; "));
    } else if n.runs_mark().is_some() {
        // Judged on its ok runs; say that some failed.
        let partial = format!("new: {}/{} runs ok", n.ok_runs(), n.planned_runs);
        c.reason = Some(match c.reason.take() {
            Some(r) => format!("{r}; {partial}"),
            None => partial,
        });
    }
    if let Some(why) = verdict::incomparable(o, n) {
        c.verdict = Verdict::NotComparable;
        c.ci_low_pct = None;
        c.ci_high_pct = None;
        c.comparable = false;
        c.reason = Some(why);
        return c;
    }
    let (old_jobs, new_jobs) = suites;
    let is_control = |jobs: &[&JobResult], j: &JobResult| {
        j.mode == "std"
            && verdict::control_of(jobs, j).is_none()
            && jobs
                .iter()
                .any(|x| verdict::control_of(jobs, x).is_some_and(|c| c.name == j.name))
    };
    c.control = is_control(old_jobs, o) && is_control(new_jobs, n);
    if opts.normalize == Normalize::Never || c.control {
        c.gated_on_normalized = c.control && opts.normalize != Normalize::Never;
        return c;
    }
    let ratios = |jobs: &[&JobResult], j: &JobResult| {
        verdict::control_of(jobs, j)
            .map(|ctl| verdict::round_ratios(j, ctl, opts.metric))
            .unwrap_or_default()
    };
    let (ro, rn) = (ratios(old_jobs, o), ratios(new_jobs, n));
    if !ro.is_empty() && !rn.is_empty() {
        let x = compare_figures(&o.name, &ro, &rn, opts.threshold_pct);
        c.normalized = Some(Normalized {
            old_median: x.old_median,
            new_median: x.new_median,
            delta_pct: x.delta_pct,
            ci_low_pct: x.ci_low_pct,
            ci_high_pct: x.ci_high_pct,
            old_rounds: ro.len(),
            new_rounds: rn.len(),
            verdict: x.verdict,
            reason: x.reason,
        });
        c.gated_on_normalized = true;
    } else if opts.normalize == Normalize::Always {
        c.normalized = Some(Normalized {
            old_median: crate::stats::median(&ro),
            new_median: crate::stats::median(&rn),
            delta_pct: None,
            ci_low_pct: None,
            ci_high_pct: None,
            old_rounds: ro.len(),
            new_rounds: rn.len(),
            verdict: Verdict::Inconclusive,
            reason: Some(
                "no ×std: needs a std job on the same CSV, interleaved, in both runs".into(),
            ),
        });
        c.gated_on_normalized = true;
    }
    c
}

/// The verdict on two sets of figures of one job (`name` seeds the
/// subsampling of huge reports).
pub fn compare_figures(name: &str, old: &[f64], new: &[f64], threshold_pct: f64) -> JobComparison {
    let old_median = crate::stats::median(old);
    let new_median = crate::stats::median(new);
    let estimate: Option<Estimate> = verdict::unpaired(old, new, verdict::seed_of(name));
    let (verdict, reason) = match &estimate {
        Some(e) => {
            let Judgement { verdict, reason } = verdict::judge(e, threshold_pct);
            (verdict, reason)
        }
        None => (Verdict::Inconclusive, Some("no figures on a side".into())),
    };
    let ci = estimate.as_ref().and_then(Estimate::interval_pct);
    JobComparison {
        name: name.to_string(),
        old_median,
        new_median,
        delta_pct: estimate.as_ref().map(Estimate::delta_pct),
        ci_low_pct: ci.map(|c| c.0),
        ci_high_pct: ci.map(|c| c.1),
        old_runs: old.len(),
        new_runs: new.len(),
        verdict,
        reason,
        comparable: true,
        normalized: None,
        control: false,
        gated_on_normalized: false,
    }
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

/// "[+6.2%, +15.0%]" of a ×std judgement, or "".
fn normalized_interval(n: &Normalized) -> String {
    match (n.ci_low_pct, n.ci_high_pct) {
        (Some(lo), Some(hi)) => format!("[{}, {}]", pct(Some(lo)), pct(Some(hi))),
        _ => String::new(),
    }
}

/// A ×std figure: "1.04×".
fn times(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.3}×"))
}

/// How the intervals were made, what the threshold means and which verdict
/// the gate reads: under every comparison, in every format.
pub fn method_note(c: &Comparison) -> String {
    let t = c.threshold_pct;
    let gate = match c.normalize {
        Normalize::Never => "the gate reads the raw figures".to_string(),
        Normalize::Always => "the gate reads ×std (per-round ratios to the std job)".to_string(),
        Normalize::Auto => "the gate reads ×std where both runs have an interleaved std job on the job's CSV, raw figures elsewhere".to_string(),
    };
    format!(
        "Figures: {} ({} time). Δ and its {:.0}% interval: {}. faster/slower: the interval excludes 0 and |Δ| ≥ {t}%; no change: the whole interval within ±{t}%; otherwise inconclusive. With --fail-on-regression, {gate}; a job that is slower, missing, or without an ok run in the new report fails it.",
        c.metric.unit(),
        c.metric.name(),
        verdict::CONFIDENCE * 100.0,
        Method::MannWhitney.describe()
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

/// The verdict cell: the verdict and, where it needs one, why.
pub fn verdict_text(verdict: Verdict, reason: Option<&str>) -> String {
    match reason {
        Some(r) => format!("{}: {r}", verdict.text()),
        None => verdict.text().to_string(),
    }
}

/// The hyperfine-like text table printed on stdout.
pub fn text(c: &Comparison) -> String {
    let mut o = String::new();
    o.push_str(&crate::fmt::shown_text(&side_line("old", &c.old), 300));
    o.push('\n');
    o.push_str(&crate::fmt::shown_text(&side_line("new", &c.new), 300));
    o.push('\n');
    for caveat in &c.caveats {
        o.push_str(&format!("note: {}\n", crate::fmt::shown_text(caveat, 300)));
    }
    o.push('\n');
    let names: Vec<String> = c
        .jobs
        .iter()
        .map(|j| crate::fmt::shown_text(&j.name, 40))
        .collect();
    let w = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let unit = c.metric.unit();
    for (j, name) in c.jobs.iter().zip(&names) {
        let figures = format!(
            "{} → {} {unit}",
            ops_short(j.old_median),
            ops_short(j.new_median)
        );
        let runs = format!("({} → {} runs)", j.old_runs, j.new_runs);
        o.push_str(&format!(
            "{name:<w$}  {figures:<24}  {:>7} {:<18}  {runs:<19} {}\n",
            pct(j.delta_pct),
            interval_text(j),
            crate::fmt::shown_text(&verdict_text(j.verdict, j.reason.as_deref()), 300),
        ));
        if let Some(n) = &j.normalized {
            let figures = format!("{} → {}", times(n.old_median), times(n.new_median));
            let rounds = format!("({} → {} rounds)", n.old_rounds, n.new_rounds);
            o.push_str(&format!(
                "{:<w$}  {figures:<24}  {:>7} {:<18}  {rounds:<19} {}{}\n",
                "  ×std",
                pct(n.delta_pct),
                normalized_interval(n),
                verdict_text(n.verdict, n.reason.as_deref()),
                if j.gated_on_normalized {
                    "  ← gate"
                } else {
                    ""
                }
            ));
        } else if j.control && j.gated_on_normalized {
            o.push_str(&format!(
                "{:<w$}  the control of its CSV: the gate does not read it\n",
                ""
            ));
        }
    }
    o.push_str(&format!("\n{}\n", method_note(c)));
    o
}

pub fn markdown(c: &Comparison) -> String {
    let mut o = String::from("# Batch Comparison\n\n");
    for (label, s) in [("Old", &c.old), ("New", &c.new)] {
        o.push_str(&format!("- {}\n", md(&side_line(label, s))));
    }
    if !c.caveats.is_empty() {
        o.push('\n');
        for caveat in &c.caveats {
            o.push_str(&format!("- **Note:** {}\n", md(caveat)));
        }
    }
    let unit = c.metric.unit();
    o.push_str(&format!(
        "\n| Job | Old {unit} | New {unit} | Δ | {:.0}% CI | Runs | Verdict |\n",
        verdict::CONFIDENCE * 100.0
    ));
    o.push_str("|---|---:|---:|---:|---|---:|---|\n");
    let cell = |t: String| if t.is_empty() { "-".into() } else { md(&t) };
    for j in &c.jobs {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} → {} | {} |\n",
            md(&j.name),
            ops_short(j.old_median),
            ops_short(j.new_median),
            pct(j.delta_pct),
            cell(interval_text(j)),
            j.old_runs,
            j.new_runs,
            md(&verdict_text(j.verdict, j.reason.as_deref()))
        ));
        if let Some(n) = &j.normalized {
            o.push_str(&format!(
                "| ↳ {} ×std{} | {} | {} | {} | {} | {} → {} rounds | {} |\n",
                md(&j.name),
                if j.gated_on_normalized { " (gate)" } else { "" },
                times(n.old_median),
                times(n.new_median),
                pct(n.delta_pct),
                cell(normalized_interval(n)),
                n.old_rounds,
                n.new_rounds,
                md(&verdict_text(n.verdict, n.reason.as_deref()))
            ));
        }
    }
    o.push_str(&format!("\n{}\n", md(&method_note(c))));
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
    for caveat in &c.caveats {
        o.push_str(&format!("<p class=\"warn\">{}</p>\n", esc(caveat)));
    }
    let unit = esc(c.metric.unit());
    o.push_str(&format!("<table><thead><tr><th>Job</th><th>Old {unit}</th><th>New {unit}</th><th>Δ</th><th>{:.0}% CI</th><th>Runs</th><th>Verdict</th></tr></thead><tbody>\n", verdict::CONFIDENCE * 100.0));
    let cls = |v: Verdict| match v {
        Verdict::Faster => "ok",
        Verdict::Slower => "bad",
        Verdict::Inconclusive | Verdict::NotComparable => "warn",
        _ => "",
    };
    for j in &c.jobs {
        o.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{} → {}</td><td class=\"{}\">{}</td></tr>\n",
            esc(&j.name),
            ops_short(j.old_median),
            ops_short(j.new_median),
            pct(j.delta_pct),
            esc(&interval_text(j)),
            j.old_runs,
            j.new_runs,
            cls(j.verdict),
            esc(&verdict_text(j.verdict, j.reason.as_deref()))
        ));
        if let Some(n) = &j.normalized {
            o.push_str(&format!(
                "<tr><td>↳ {} ×std{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{} → {} rounds</td><td class=\"{}\">{}</td></tr>\n",
                esc(&j.name),
                if j.gated_on_normalized { " (gate)" } else { "" },
                times(n.old_median),
                times(n.new_median),
                pct(n.delta_pct),
                esc(&normalized_interval(n)),
                n.old_rounds,
                n.new_rounds,
                cls(n.verdict),
                esc(&verdict_text(n.verdict, n.reason.as_deref()))
            ));
        }
    }
    o.push_str(&format!(
        "</tbody></table>\n<p class=\"meta\">{}</p>\n</body></html>\n",
        esc(&method_note(c))
    ));
    o
}

/// Write `c` to `path` as Markdown, HTML or JSON by its extension,
/// atomically; `path` may not be one of the two reports compared.
pub fn write(c: &Comparison, path: &Path, old: &Path, new: &Path) -> crate::error::Result<()> {
    use super::report::ReportFormat;
    let format = ReportFormat::from_path(path)?;
    crate::fs::check_outputs(
        &[("the old report", old), ("the new report", new)],
        &[("the comparison", path)],
    )?;
    let text = match format {
        ReportFormat::Markdown => markdown(c),
        ReportFormat::Html => html(c),
        ReportFormat::Json => json(c),
    };
    crate::workload::csv::write_atomic(path, |w| {
        w.write_all(text.as_bytes())
            .map_err(|e| crate::error::Error::io_at("cannot write", path, &e))
    })
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
    use crate::batch::result::{JobStatus, RunRecord};

    fn run(ops: f64, status: JobStatus, round: Option<u32>) -> RunRecord {
        RunRecord {
            ops_per_second: Some(ops),
            duration_seconds: 1.0,
            status,
            ops_per_cpu_second: Some(ops * 1.25),
            round,
        }
    }

    fn job(name: &str, runs: &[(f64, JobStatus)]) -> JobResult {
        let mut j = JobResult::planned(name, "run-csv", "adaptive", "w.csv", runs.len() as u32);
        j.status = if runs.iter().all(|r| r.1 == JobStatus::Ok) {
            JobStatus::Ok
        } else {
            JobStatus::Failed
        };
        j.runs = runs.iter().map(|&(ops, st)| run(ops, st, None)).collect();
        let ok: Vec<f64> = j
            .runs
            .iter()
            .filter(|r| r.status == JobStatus::Ok)
            .filter_map(|r| r.ops_per_second)
            .collect();
        j.ops_per_second_runs = ok.clone();
        j.stats = crate::stats::RunStats::of(&ok);
        j.ops_per_second = j.stats.map(|s| s.median);
        j
    }

    fn oks(v: &[f64]) -> Vec<(f64, JobStatus)> {
        v.iter().map(|&x| (x, JobStatus::Ok)).collect()
    }

    fn suite(jobs: Vec<JobResult>) -> SuiteResult {
        SuiteResult::of_jobs("s.toml", jobs)
    }

    fn cmp(old: &SuiteResult, new: &SuiteResult) -> Comparison {
        compare(
            old,
            Path::new("a.json"),
            new,
            Path::new("b.json"),
            &CompareOptions::default(),
        )
    }

    #[test]
    fn same_inputs_same_output() {
        let old = [10.0, 11.0, 12.0, 9.5];
        let new = [11.0, 12.5, 12.0, 13.0];
        let a = compare_figures("x", &old, &new, 2.0);
        assert_eq!(a, compare_figures("x", &old, &new, 2.0));
        assert!(a.ci_low_pct.is_some());
    }

    #[test]
    fn verdicts_at_the_edges() {
        let t = DEFAULT_THRESHOLD_PCT;
        let old = [100.0, 101.0, 99.0, 100.5, 99.5];
        let fast: Vec<f64> = old.iter().map(|x| x * 1.2).collect();
        let slow: Vec<f64> = old.iter().map(|x| x * 0.8).collect();
        assert_eq!(
            compare_figures("a", &old, &fast, t).verdict,
            Verdict::Faster
        );
        assert_eq!(
            compare_figures("a", &old, &slow, t).verdict,
            Verdict::Slower
        );
        let c = compare_figures("a", &old, &fast, t);
        assert!(c.ci_low_pct.unwrap() > 0.0 && (c.delta_pct.unwrap() - 20.0).abs() < 1e-9);
        // Against itself: equivalence shown, an interval around 0.
        let same = compare_figures("a", &old, &old, t);
        assert_eq!(same.verdict, Verdict::NoChange);
        assert!(same.delta_pct.unwrap().abs() < 1e-9);
        // Identical runs at 2 a side: no zero-width interval, no verdict.
        let c = compare_figures("a", &[1e6, 1e6], &[9e5, 9e5], t);
        assert_eq!((c.ci_low_pct, c.verdict), (None, Verdict::Inconclusive));
        assert_eq!(
            c.reason.as_deref(),
            Some("too few runs (2 vs 2; an interval needs 4 a side)")
        );
        // 3 vs 3 reaches no interval either: a 25% change is inconclusive,
        // never no change.
        let c = compare_figures("a", &[100.0, 101.0, 99.0], &[125.0, 126.0, 124.0], t);
        assert_eq!(c.verdict, Verdict::Inconclusive);
        // Noise: overlapping samples, an interval holding 0 and reaching
        // far past the threshold.
        let c = compare_figures(
            "a",
            &[50.0, 150.0, 100.0, 60.0, 90.0],
            &[70.0, 160.0, 120.0, 55.0, 95.0],
            t,
        );
        assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
        assert!(
            c.reason.as_deref().unwrap().starts_with("interval ±"),
            "{c:?}"
        );
        // No figures on a side.
        assert_eq!(
            compare_figures("a", &[], &[100.0], t).verdict,
            Verdict::Inconclusive
        );
    }

    /// A change of exactly the threshold is a change.
    #[test]
    fn a_change_of_exactly_the_threshold_counts() {
        let c = compare_figures("a", &[100.0; 4], &[125.0; 4], 25.0);
        assert!((c.delta_pct.unwrap() - 25.0).abs() < 1e-9);
        assert_eq!(c.verdict, Verdict::Faster);
        let c = compare_figures("a", &[100.0; 4], &[75.0; 4], 24.0);
        assert_eq!(c.verdict, Verdict::Slower);
        // Under the threshold, with a tight interval: no change.
        let c = compare_figures("a", &[100.0; 4], &[101.0; 4], 2.0);
        assert_eq!(c.verdict, Verdict::NoChange);
    }

    #[test]
    fn jobs_match_by_name_and_failed_runs_are_left_out() {
        let ok = JobStatus::Ok;
        let old = suite(vec![
            job("kept", &oks(&[100.0; 4])),
            job("gone", &oks(&[5.0])),
        ]);
        let mut kept = oks(&[100.0; 4]);
        // The failed run's figure is no measurement.
        kept.insert(1, (1.0, JobStatus::Failed));
        let new = suite(vec![job("fresh", &[(7.0, ok)]), job("kept", &kept)]);
        let c = cmp(&old, &new);
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
        assert_eq!(c.jobs[0].new_runs, 4);
        assert_eq!(c.jobs[0].reason.as_deref(), Some("new: 4/5 runs ok"));
        assert_eq!(c.jobs[1].old_median, Some(5.0));
        assert_eq!(c.jobs[2].new_median, Some(7.0));
        // A vanished job fails the gate.
        assert_eq!(c.regressions(), ["gone: missing from the new run"]);
        // JSON as formats.md §9 names it.
        let v: serde_json::Value = serde_json::from_str(&json(&c)).unwrap();
        assert_eq!(v["schema"], COMPARE_SCHEMA);
        assert_eq!(v["metric"], "wall");
        assert!(v["method"].as_str().unwrap().contains("Mann–Whitney"));
        assert!(v["caveats"].is_array());
        for field in [
            "name",
            "old_median",
            "new_median",
            "delta_pct",
            "ci_low_pct",
            "ci_high_pct",
            "old_runs",
            "new_runs",
            "verdict",
            "reason",
            "comparable",
            "normalized",
        ] {
            assert!(v["jobs"][0].get(field).is_some(), "{field}");
        }
        assert_eq!(v["jobs"][0]["verdict"], "no change");
        assert_eq!(v["jobs"][1]["verdict"], "only in old");
        assert!(v["jobs"][1]["ci_low_pct"].is_null());
        assert_eq!(v["threshold_pct"], 2.0);
        assert_eq!(v["old"]["path"], "a.json");
    }

    /// Every run of the new side failed: no verdict can be made, the row
    /// says why, and the gate fails.
    #[test]
    fn a_new_run_with_no_ok_run_fails_the_gate() {
        let old = suite(vec![job("a", &oks(&[100.0; 5]))]);
        let failed = vec![(0.0, JobStatus::Failed); 5];
        let mut j = job("a", &failed);
        j.runs.iter_mut().for_each(|r| r.ops_per_second = None);
        let c = cmp(&old, &suite(vec![j]));
        assert_eq!(c.jobs[0].verdict, Verdict::Inconclusive);
        assert_eq!(c.jobs[0].reason.as_deref(), Some("new: 0/5 runs ok"));
        assert_eq!(c.regressions(), ["a: no ok run in the new run"]);
        // A slower job fails it too; a faster or unchanged one does not.
        let slow = suite(vec![job("a", &oks(&[70.0, 71.0, 69.0, 70.5]))]);
        assert_eq!(cmp(&old, &slow).regressions(), ["a: slower"]);
        let fast = suite(vec![job("a", &oks(&[170.0, 171.0, 169.0, 170.5]))]);
        assert!(cmp(&old, &fast).regressions().is_empty());
    }

    /// A changed CSV or command line: `not comparable`, whatever the
    /// figures; output paths do not count.
    #[test]
    fn a_changed_workload_or_command_is_not_comparable() {
        let mut a = job("a", &oks(&[100.0; 4]));
        a.csv_checksum = Some("0x0000000000000001".into());
        a.csv_bytes = Some(1000);
        a.command_line = "adhash --mode std run-csv --csv w.csv --json-summary-out /tmp/x1/job-1.summary.json --metrics-out-dir /tmp/x1/m".into();
        let mut b = a.clone();
        b.runs
            .iter_mut()
            .for_each(|r| r.ops_per_second = Some(50.0));
        b.command_line = "adhash --mode std run-csv --csv w.csv --json-summary-out /tmp/y2/job-1.summary.json --metrics-out-dir=/tmp/y2/m".into();
        let c = cmp(&suite(vec![a.clone()]), &suite(vec![b.clone()]));
        assert_eq!(c.jobs[0].verdict, Verdict::Slower, "paths differ only");
        assert!(c.jobs[0].comparable);
        let mut changed = b.clone();
        changed.csv_checksum = Some("0x0000000000000002".into());
        changed.csv_bytes = Some(2000);
        let c = cmp(&suite(vec![a.clone()]), &suite(vec![changed]));
        assert_eq!(c.jobs[0].verdict, Verdict::NotComparable);
        assert!(!c.jobs[0].comparable);
        assert_eq!(
            c.jobs[0].reason.as_deref(),
            Some(
                "CSV changed (checksum 0x0000000000000001 → 0x0000000000000002, 1,000 → 2,000 bytes)"
            )
        );
        assert_eq!(c.jobs[0].ci_low_pct, None);
        let mut other = b;
        other.command_line = other.command_line.replace("--mode std", "--mode adaptive");
        let c = cmp(&suite(vec![a]), &suite(vec![other]));
        assert_eq!(c.jobs[0].verdict, Verdict::NotComparable);
        assert!(
            c.jobs[0]
                .reason
                .as_deref()
                .unwrap()
                .starts_with("command changed: `adhash --mode std"),
            "{:?}",
            c.jobs[0].reason
        );
    }

    /// Another machine, another adhash, a busy machine: said in the
    /// caveats of every format.
    #[test]
    fn the_environment_is_checked_before_a_verdict() {
        let env = Environment {
            adhash_version: "0.1.0".into(),
            hostname: "h".into(),
            cpu_model: "c".into(),
            logical_cores: 2,
            load_average_start: Some(0.5),
            load_average_end: Some(0.4),
            ..Environment::default()
        };
        let mut old = suite(vec![job("a", &oks(&[100.0; 4]))]);
        old.environment = env.clone();
        let mut new = old.clone();
        assert!(cmp(&old, &new).caveats.is_empty());
        new.environment.load_average_end = Some(5.6);
        new.environment.adhash_version = "0.2.0".into();
        let c = cmp(&old, &new);
        assert_eq!(
            c.caveats,
            [
                "adhash version changed: 0.1.0 → 0.2.0",
                "machine busy in new run (load 5.6 on 2 cores)"
            ]
        );
        for out in [text(&c), markdown(&c), html(&c)] {
            assert!(
                out.contains("machine busy in new run (load 5.6 on 2 cores)"),
                "{out}"
            );
        }
        new.environment.hostname = "other".into();
        assert!(cmp(&old, &new).caveats[1].starts_with("other machine: h (c, 2 cores) → other"));
    }

    /// Interleaved suites with a std job: a machine 30% slower for every
    /// job reads as `slower` on raw figures and `no change` on ×std, which
    /// the gate reads; the control itself is not gated.
    #[test]
    fn normalized_compare_cancels_a_uniform_slowdown() {
        let rounds = 10;
        let make = |speed: f64, wobble: u32| {
            let mut jobs = Vec::new();
            for (name, mode, base) in [("std", "std", 1e6), ("adaptive", "adaptive", 1.3e6)] {
                let mut j = job(name, &oks(&vec![0.0; rounds]));
                j.mode = mode.into();
                for (i, r) in j.runs.iter_mut().enumerate() {
                    // Each round its own machine speed, shared by both jobs.
                    let round_speed = 1.0 + ((i as u32 * 7 + wobble) % 10) as f64 / 100.0;
                    let own = 1.0 + ((i * 3 + name.len()) % 5) as f64 / 1000.0;
                    r.ops_per_second = Some(base * speed * round_speed * own);
                    r.round = Some(i as u32 + 1);
                }
                let ok: Vec<f64> = j.runs.iter().filter_map(|r| r.ops_per_second).collect();
                j.stats = crate::stats::RunStats::of(&ok);
                j.ops_per_second = j.stats.map(|s| s.median);
                jobs.push(j);
            }
            suite(jobs)
        };
        let c = cmp(&make(1.0, 0), &make(0.7, 3));
        let a = &c.jobs[1];
        assert_eq!(a.verdict, Verdict::Slower, "raw: the machine slowed");
        let n = a.normalized.as_ref().unwrap();
        assert_eq!(
            (n.verdict, n.old_rounds, n.new_rounds),
            (Verdict::NoChange, 10, 10)
        );
        assert!(a.gated_on_normalized);
        assert_eq!(a.gate_verdict(), Verdict::NoChange);
        assert!(c.jobs[0].control && c.jobs[0].normalized.is_none());
        assert!(c.regressions().is_empty(), "{:?}", c.regressions());
        // Raw only: both regress.
        let raw = compare(
            &make(1.0, 0),
            Path::new("a"),
            &make(0.7, 3),
            Path::new("b"),
            &CompareOptions {
                normalize: Normalize::Never,
                ..CompareOptions::default()
            },
        );
        assert_eq!(raw.regressions(), ["std: slower", "adaptive: slower"]);
        let t = text(&c);
        assert!(t.contains("×std") && t.contains("← gate"), "{t}");
        // Without rounds (no interleave) there is no ×std; --normalize
        // makes that inconclusive for the gate, and the header says why.
        let mut flat = make(1.0, 0);
        flat.jobs
            .iter_mut()
            .flat_map(|j| j.runs.iter_mut())
            .for_each(|r| r.round = None);
        let c = cmp(&flat, &flat);
        assert!(c.jobs[1].normalized.is_none());
        assert!(
            c.caveats.iter().any(|w| w.contains("interleave")),
            "{:?}",
            c.caveats
        );
        let forced = compare(
            &flat,
            Path::new("a"),
            &flat,
            Path::new("b"),
            &CompareOptions {
                normalize: Normalize::Always,
                ..CompareOptions::default()
            },
        );
        assert_eq!(forced.jobs[1].gate_verdict(), Verdict::Inconclusive);
    }

    /// Figures that cannot be measurements are refused and counted; a
    /// crafted report with 200,000 runs is judged on a sample.
    #[test]
    fn impossible_and_huge_inputs_are_bounded() {
        let mut bad = job("a", &oks(&[100.0, 101.0, 99.0, 100.5, 99.5]));
        bad.runs[0].ops_per_second = Some(f64::INFINITY);
        bad.runs[1].ops_per_second = Some(-3.0);
        bad.runs[2].ops_per_second = Some(5e12);
        let good = job("a", &oks(&[100.0, 101.0, 99.0, 100.5, 99.5]));
        let c = cmp(&suite(vec![good.clone()]), &suite(vec![bad]));
        assert_eq!(c.jobs[0].new_runs, 2);
        assert!(
            c.caveats[0].starts_with("new run, job a: 3 figure(s) that cannot be measurements")
        );
        let many: Vec<(f64, JobStatus)> = (0..200_000)
            .map(|i| (1e6 + (i % 1000) as f64, JobStatus::Ok))
            .collect();
        let huge = job("a", &many);
        // Judged on a sample (the caveat says so), so the work is bounded.
        let c = cmp(&suite(vec![huge.clone()]), &suite(vec![huge]));
        assert_eq!(c.jobs[0].verdict, Verdict::NoChange);
        assert!(
            c.caveats
                .iter()
                .any(|w| w.contains("200000 vs 200000 runs")),
            "{:?}",
            c.caveats
        );
    }

    /// `--metric cpu` reads ops per CPU-second; a report without them says
    /// so instead of judging wall figures under the CPU label.
    #[test]
    fn the_cpu_metric_reads_cpu_figures() {
        let old = suite(vec![job("a", &oks(&[100.0, 101.0, 99.0, 100.5]))]);
        let opts = CompareOptions {
            metric: Metric::Cpu,
            ..CompareOptions::default()
        };
        let c = compare(&old, Path::new("a"), &old, Path::new("b"), &opts);
        assert_eq!(c.jobs[0].old_median, Some(100.25 * 1.25));
        assert!(text(&c).contains("ops/CPU-s"));
        let mut no_cpu = old.clone();
        no_cpu.jobs[0]
            .runs
            .iter_mut()
            .for_each(|r| r.ops_per_cpu_second = None);
        let c = compare(&no_cpu, Path::new("a"), &old, Path::new("b"), &opts);
        assert_eq!(c.jobs[0].verdict, Verdict::Inconclusive);
        assert!(
            c.jobs[0]
                .reason
                .as_deref()
                .unwrap()
                .starts_with("old: no CPU-time figures")
        );
    }

    #[test]
    fn text_reads_like_hyperfine() {
        let old = suite(vec![job(
            "run-uniform",
            &oks(&[12.0e6, 12.1e6, 12.2e6, 12.1e6]),
        )]);
        let new = suite(vec![job(
            "run-uniform",
            &oks(&[13.3e6, 13.4e6, 13.5e6, 13.4e6]),
        )]);
        let t = text(&cmp(&old, &new));
        assert!(t.contains("run-uniform  12.1 M → 13.4 M ops/s"), "{t}");
        assert!(t.contains("+10.7% [+"), "{t}");
        assert!(t.contains("faster"), "{t}");
        assert!(t.contains("(4 → 4 runs)"), "{t}");
    }

    /// Samples come from the ok runs; older reports without `runs` give
    /// `ops_per_second_runs`, then the one median; nothing that cannot be
    /// a measurement is a sample.
    #[test]
    fn figures_prefer_runs_then_older_fields() {
        let mut j = job(
            "a",
            &[
                (1.0, JobStatus::Ok),
                (9.0, JobStatus::Failed),
                (3.0, JobStatus::Ok),
            ],
        );
        j.ops_per_second = Some(2.0);
        let f = |j: &JobResult| verdict::figures(j, Metric::Wall);
        assert_eq!(f(&j), (vec![1.0, 3.0], 0));
        j.ops_per_second_runs = vec![7.0, 8.0];
        assert_eq!(f(&j).0, vec![1.0, 3.0], "runs win over the older field");
        j.runs.clear();
        assert_eq!(f(&j).0, vec![7.0, 8.0]);
        j.ops_per_second_runs.clear();
        assert_eq!(f(&j).0, vec![2.0]);
        j.ops_per_second_runs = vec![-1.0, f64::NAN, f64::INFINITY, 0.0, 4.0];
        assert_eq!(f(&j), (vec![4.0], 4));
        j.ops_per_second_runs.clear();
        j.ops_per_second = None;
        assert_eq!(f(&j), (Vec::<f64>::new(), 0));
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
            cmp(&old, &new).machines_differ()
        };
        assert!(!with(env.clone()));
        assert!(
            !with(Environment {
                os: "other".into(),
                ..env.clone()
            }),
            "os alone is not the machine"
        );
        for e in [
            Environment {
                hostname: "x".into(),
                ..env.clone()
            },
            Environment {
                cpu_model: "x".into(),
                ..env.clone()
            },
            Environment {
                logical_cores: 8,
                ..env.clone()
            },
        ] {
            assert!(with(e));
        }
    }

    /// Empty reports compare to an empty list; many jobs keep their order
    /// whatever the cores split.
    #[test]
    fn empty_and_many_job_reports_compare_in_order() {
        assert!(cmp(&suite(vec![]), &suite(vec![])).jobs.is_empty());
        let many: Vec<JobResult> = (0..9)
            .map(|i| job(&format!("j{i}"), &oks(&[100.0 + i as f64])))
            .collect();
        let s = suite(many);
        let c = cmp(&s, &s);
        let names: Vec<&str> = c.jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(
            names,
            ["j0", "j1", "j2", "j3", "j4", "j5", "j6", "j7", "j8"]
        );
        assert_eq!(c.jobs[8].old_median, Some(108.0));
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
