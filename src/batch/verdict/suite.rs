//! A suite's runs as a verdict sees them: which figures (wall or CPU
//! time), which job is a job's control and their paired rounds, ×std, the
//! widths measuring until decisive watches, and whether two runs measured
//! the same thing (workload, command, machine).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Estimate, Judgement, Method, Verdict, is_measurement, judge, median, paired, seed_of};
use crate::batch::result::{Environment, JobResult, JobStatus, RunRecord};

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
    // By name through a map: Mission Control asks this while drawing.
    let old: HashMap<&str, &JobIdentity> = old.iter().map(|o| (o.name.as_str(), o)).collect();
    let mut shared = 0;
    for n in new {
        if let Some(o) = old.get(n.name.as_str()) {
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
