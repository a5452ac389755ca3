//! What a suite run produced, as plain data: the runner fills it, the
//! reports render it, the history archives it and Mission Control shows it.
//! It round-trips through the JSON report (formats.md §8–9), so a past run read
//! back from history is the same value the runner made.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::stats::RunStats;

/// Lines of a job's output kept in memory (the report shows the tail).
pub const LOG_TAIL_LINES: usize = 2000;
/// Bytes of a job's output kept in memory.
pub const LOG_TAIL_BYTES: usize = 512 * 1024;
/// Characters of a job's log kept in the JSON report and history, so a
/// reopened run shows what the Markdown report shows.
pub const LOG_ARCHIVE_CHARS: usize = 4000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
    /// A note from the runner itself (launch, timeout, missing CSV...).
    Runner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Ok,
    Failed,
    Timeout,
    Cancelled,
    Skipped,
}

impl JobStatus {
    pub fn name(self) -> &'static str {
        match self {
            JobStatus::Ok => "ok",
            JobStatus::Failed => "failed",
            JobStatus::Timeout => "timeout",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Skipped => "skipped",
        }
    }
}

/// A job's output, bounded: the oldest lines go first. In the JSON report
/// it is the tail of at most `LOG_ARCHIVE_CHARS` characters, as
/// `[[stream, text], ...]`.
#[derive(Debug, Clone, Default)]
pub struct LogTail {
    pub lines: VecDeque<(Stream, String)>,
    bytes: usize,
    pub dropped: u64,
}

impl LogTail {
    pub fn push(&mut self, stream: Stream, line: String) {
        self.bytes += line.len();
        self.lines.push_back((stream, line));
        while self.lines.len() > LOG_TAIL_LINES || self.bytes > LOG_TAIL_BYTES {
            match self.lines.pop_front() {
                Some((_, l)) => {
                    self.bytes -= l.len();
                    self.dropped += 1;
                }
                None => break,
            }
        }
    }

    /// The kept lines joined, as they arrived.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (_, l) in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }
}

#[derive(Serialize, Deserialize)]
struct ArchivedLog {
    lines: Vec<(Stream, String)>,
    dropped: u64,
}

impl Serialize for LogTail {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The newest lines that fit the archive budget.
        let mut kept = Vec::new();
        let mut chars = 0;
        for (stream, line) in self.lines.iter().rev() {
            chars += line.chars().count() + 1;
            if chars > LOG_ARCHIVE_CHARS && !kept.is_empty() {
                break;
            }
            kept.push((*stream, line.clone()));
        }
        kept.reverse();
        let dropped = self.dropped + (self.lines.len() - kept.len()) as u64;
        ArchivedLog {
            lines: kept,
            dropped,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for LogTail {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let a = ArchivedLog::deserialize(d)?;
        let mut t = LogTail::default();
        for (stream, line) in a.lines {
            t.push(stream, line);
        }
        t.dropped += a.dropped;
        Ok(t)
    }
}

/// One measured run of a job (formats.md §9 `runs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub ops_per_second: Option<f64>,
    pub duration_seconds: f64,
    pub status: JobStatus,
    /// Ops per CPU-second of the replay thread (the summary's
    /// `ops_per_cpu_second`), where the CLI reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops_per_cpu_second: Option<f64>,
    /// The interleaved round this run belongs to (1-based): runs of two
    /// jobs in one round ran back to back, so their ratio is paired.
    /// `None` when the suite ran its jobs one after another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<u32>,
}

/// The outcome of one job (all its repeats).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobResult {
    pub name: String,
    pub command: String,
    pub mode: String,
    /// The workload as written in the spec (relative to the spec folder).
    #[serde(default)]
    pub csv: String,
    /// The workload's size and XXH3-64 as the job's last run read it (the
    /// summary's `csv_bytes`, `csv_checksum`): compare knows whether the
    /// workload changed between two runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_bytes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv_checksum: Option<String>,
    pub status: JobStatus,
    pub exit_code: Option<i32>,
    pub duration_seconds: f64,
    /// Median over the ok runs.
    pub ops_per_second: Option<f64>,
    pub ops_per_second_runs: Vec<f64>,
    pub final_backend: Option<String>,
    pub p99_ms: Option<f64>,
    pub summary_path: Option<String>,
    /// A profile job's pick (its last stdout line).
    #[serde(default)]
    pub recommendation: Option<String>,
    #[serde(default)]
    pub command_line: String,
    /// Why the job did not end ok.
    #[serde(default)]
    pub reason: Option<String>,
    /// Runs the spec asked for (`repeat`).
    #[serde(default = "one")]
    pub planned_runs: u32,
    /// Every measured run, in order.
    #[serde(default)]
    pub runs: Vec<RunRecord>,
    /// Over the ok runs' ops/s.
    #[serde(default)]
    pub stats: Option<RunStats>,
    #[serde(default)]
    pub log: LogTail,
    /// Measuring until decisive (`until_ci_pct`): the runs made, whether
    /// the job's interval got under the target, and its half width then
    /// (percent of the estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_met: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_width_pct: Option<f64>,
    /// Metrics ticks of the job's median measured run (by ops/s), thinned
    /// to at most `ticks::TIMELINE_POINTS` (its timeline, kept with the run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<crate::batch::ticks::TickPoint>,
    /// Which run `timeline` is (1-based, as `RunRecord`s count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline_run: Option<u32>,
}

fn one() -> u32 {
    1
}

impl JobResult {
    /// A job that has not run (yet): skipped unless the runner says otherwise.
    pub fn planned(name: &str, command: &str, mode: &str, csv: &str, runs: u32) -> Self {
        JobResult {
            name: name.into(),
            command: command.into(),
            mode: mode.into(),
            csv: csv.into(),
            csv_bytes: None,
            csv_checksum: None,
            status: JobStatus::Skipped,
            exit_code: None,
            duration_seconds: 0.0,
            ops_per_second: None,
            ops_per_second_runs: Vec::new(),
            final_backend: None,
            p99_ms: None,
            summary_path: None,
            recommendation: None,
            command_line: String::new(),
            reason: None,
            planned_runs: runs,
            runs: Vec::new(),
            stats: None,
            rounds: None,
            target_met: None,
            half_width_pct: None,
            log: LogTail::default(),
            timeline: Vec::new(),
            timeline_run: None,
        }
    }

    /// Ok runs out of the planned ones.
    pub fn ok_runs(&self) -> usize {
        self.runs
            .iter()
            .filter(|r| r.status == JobStatus::Ok)
            .count()
    }

    /// Every planned run ended ok: the job's figures can be ranked.
    pub fn is_complete(&self) -> bool {
        self.status == JobStatus::Ok
    }

    /// "2/3 runs" for a job that ran only part of its runs.
    pub fn runs_mark(&self) -> Option<String> {
        (!self.is_complete() && self.ops_per_second.is_some())
            .then(|| format!("{}/{} runs", self.ok_runs(), self.planned_runs))
    }

    /// Statistics worth showing as spread: two or more ok runs.
    pub fn spread(&self) -> Option<RunStats> {
        self.stats.filter(|s| s.n > 1)
    }
}

/// The machine a suite ran on (formats.md §9 `environment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Environment {
    pub adhash_version: String,
    pub os: String,
    pub cpu_model: String,
    pub logical_cores: usize,
    pub load_average_start: Option<f64>,
    pub load_average_end: Option<f64>,
    pub hostname: String,
}

impl Environment {
    /// Read off this machine now (the end load average comes later).
    pub fn capture() -> Environment {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu_model = model_name(&cpuinfo).unwrap_or_else(|| std::env::consts::ARCH.to_string());
        Environment {
            adhash_version: env!("CARGO_PKG_VERSION").into(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            cpu_model,
            logical_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            load_average_start: load_average(),
            load_average_end: None,
            hostname: hostname(),
        }
    }

    /// A short line for lists: "host · 2 cores · load 0.4", or with both
    /// figures "load 2.0 at start, 2.5 at end" (the caveats read the larger:
    /// one run never shows two different loads unexplained).
    pub fn describe(&self) -> String {
        let mut s = format!("{} · {} cores", self.hostname, self.logical_cores);
        match (self.load_average_start, self.load_average_end) {
            (Some(a), Some(b)) => s.push_str(&format!(" · load {a:.1} at start, {b:.1} at end")),
            (Some(l), None) | (None, Some(l)) => s.push_str(&format!(" · load {l:.1}")),
            (None, None) => {}
        }
        s
    }
}

/// A warning when the machine is busy: a 1-minute load average above half
/// its logical cores means other work competes with the jobs for the CPU.
pub fn machine_busy(when: &str, load: Option<f64>, cores: usize) -> Option<String> {
    let load = load?;
    (cores > 0 && load > cores as f64 / 2.0).then(|| {
        format!(
            "machine busy {when}: load average {load:.1} on {cores} cores; other work competes with the jobs, so figures may vary"
        )
    })
}

/// The CPU's "model name" in a /proc/cpuinfo text.
fn model_name(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == "model name").then(|| v.trim().to_string())
    })
}

/// The 1-minute load average, where the system tells it.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// A whole suite's outcome: what the reports are made from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuiteResult {
    pub spec: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub cli: String,
    /// Local time, `YYYY-MM-DD HH:MM:SS`.
    pub generated_at: String,
    /// UTC, RFC 3339 (`2026-11-28T08:30:00Z`).
    #[serde(default)]
    pub started_at: String,
    #[serde(default)]
    pub finished_at: String,
    #[serde(default)]
    pub wall_seconds: f64,
    /// The user (or a signal) stopped the suite.
    #[serde(default)]
    pub cancelled: bool,
    #[serde(default)]
    pub environment: Environment,
    /// What makes the figures less trustworthy (a busy machine).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The suite measured until decisive, to this half width (percent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_ci_pct: Option<f64>,
    pub jobs: Vec<JobResult>,
}

impl SuiteResult {
    /// A suite of `jobs` from spec `spec` with nothing else known yet (no
    /// times, an empty environment): what tests and tools start from.
    pub fn of_jobs(spec: &str, jobs: Vec<JobResult>) -> SuiteResult {
        SuiteResult {
            spec: spec.into(),
            description: None,
            cli: String::new(),
            generated_at: String::new(),
            started_at: String::new(),
            finished_at: String::new(),
            wall_seconds: 0.0,
            cancelled: false,
            environment: Environment::default(),
            warnings: Vec::new(),
            until_ci_pct: None,
            jobs,
        }
    }

    pub fn all_ok(&self) -> bool {
        self.jobs.iter().all(|j| j.status == JobStatus::Ok)
    }

    pub fn ok_count(&self) -> usize {
        self.jobs
            .iter()
            .filter(|j| j.status == JobStatus::Ok)
            .count()
    }

    /// "ok", "cancelled" or "failed": how the run as a whole ended.
    pub fn outcome(&self) -> &'static str {
        if self.cancelled {
            "cancelled"
        } else if self.all_ok() {
            "ok"
        } else {
            "failed"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_above_half_the_cores_is_a_busy_machine() {
        assert_eq!(machine_busy("at the start", Some(1.0), 2), None);
        assert_eq!(machine_busy("at the start", None, 2), None);
        let w = machine_busy("at the end", Some(2.5), 4).unwrap();
        assert!(
            w.starts_with("machine busy at the end: load average 2.5 on 4 cores"),
            "{w}"
        );
    }

    #[test]
    fn log_tail_round_trips_its_newest_lines() {
        let mut t = LogTail::default();
        for i in 0..2000 {
            t.push(Stream::Stdout, format!("line {i:04}"));
        }
        t.push(Stream::Stderr, "boom".into());
        let json = serde_json::to_string(&t).unwrap();
        let back: LogTail = serde_json::from_str(&json).unwrap();
        assert!(back.lines.len() < 500, "bounded by characters");
        assert_eq!(back.lines.back(), Some(&(Stream::Stderr, "boom".into())));
        assert_eq!(back.dropped as usize + back.lines.len(), 2001);
    }

    #[test]
    fn runs_mark_only_for_partial_jobs() {
        let mut j = JobResult::planned("a", "run-csv", "std", "w.csv", 3);
        j.status = JobStatus::Failed;
        j.ops_per_second = Some(1.0);
        j.runs = vec![
            RunRecord {
                ops_per_second: Some(1.0),
                duration_seconds: 1.0,
                status: JobStatus::Ok,
                ops_per_cpu_second: None,
                round: None,
            },
            RunRecord {
                ops_per_second: None,
                duration_seconds: 1.0,
                status: JobStatus::Failed,
                ops_per_cpu_second: None,
                round: None,
            },
        ];
        assert_eq!(j.runs_mark().as_deref(), Some("1/3 runs"));
        j.status = JobStatus::Ok;
        assert_eq!(j.runs_mark(), None);
    }

    #[test]
    fn busy_means_above_half_the_cores() {
        assert_eq!(machine_busy("now", Some(1.0), 2), None, "exactly half");
        assert!(machine_busy("now", Some(1.01), 2).is_some());
        assert_eq!(machine_busy("now", Some(5.0), 0), None, "no core count");
        let load = load_average().expect("Linux tells the load");
        assert!(load >= 0.0);
    }

    /// The tail keeps the newest lines within both bounds and counts what
    /// it dropped; its text is the lines as they came.
    #[test]
    fn log_tail_bounds_lines_and_bytes() {
        let mut t = LogTail::default();
        for i in 0..LOG_TAIL_LINES + 5 {
            t.push(Stream::Stdout, format!("{i}"));
        }
        assert_eq!((t.lines.len(), t.dropped), (LOG_TAIL_LINES, 5));
        assert_eq!(t.lines.front().unwrap().1, "5");
        let mut t = LogTail::default();
        t.push(Stream::Stdout, "a".repeat(LOG_TAIL_BYTES / 2));
        t.push(Stream::Stderr, "b".repeat(LOG_TAIL_BYTES / 2));
        assert_eq!(
            (t.lines.len(), t.dropped),
            (2, 0),
            "exactly the byte bound fits"
        );
        t.push(Stream::Stdout, "c".into());
        assert_eq!((t.lines.len(), t.dropped), (2, 1));
        t.push(Stream::Stdout, "d".repeat(LOG_TAIL_BYTES + 1));
        assert_eq!(
            (t.lines.len(), t.dropped),
            (0, 4),
            "a line over the bound goes too"
        );
        t.push(Stream::Stdout, "e".into());
        t.push(Stream::Runner, "f".into());
        assert_eq!(t.text(), "e\nf\n");
        assert_eq!(LogTail::default().text(), "");
    }

    /// The archive keeps the newest lines within its character budget, at
    /// least one line, and counts the rest as dropped.
    #[test]
    fn the_archived_log_keeps_the_newest_lines_in_its_budget() {
        let mut t = LogTail::default();
        t.push(Stream::Stdout, "x".repeat(LOG_ARCHIVE_CHARS * 2));
        let back: LogTail = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(
            (back.lines.len(), back.dropped),
            (1, 0),
            "one long line is kept"
        );
        let mut t = LogTail::default();
        // 99 characters and a newline each: 40 lines are exactly the budget.
        for i in 0..45 {
            t.push(Stream::Stdout, format!("{i:099}"));
        }
        t.dropped = 7;
        let back: LogTail = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!((back.lines.len(), back.dropped), (40, 12));
        assert_eq!(back.lines[0].1, format!("{:099}", 5));
        // 100 characters and its newline: 40 lines would be 4,040.
        let mut t = LogTail::default();
        for i in 0..45 {
            t.push(Stream::Stdout, format!("{i:0100}"));
        }
        let back: LogTail = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!((back.lines.len(), back.dropped), (39, 6));
    }

    /// A report from before `planned_runs` existed ran each job once.
    #[test]
    fn a_job_without_planned_runs_ran_once() {
        let mut v =
            serde_json::to_value(JobResult::planned("a", "run-csv", "std", "w.csv", 3)).unwrap();
        assert_eq!(v["planned_runs"], 3);
        v.as_object_mut().unwrap().remove("planned_runs");
        let j: JobResult = serde_json::from_value(v).unwrap();
        assert_eq!(j.planned_runs, 1);
    }

    #[test]
    fn the_cpu_model_is_the_model_name_line() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) 2.20GHz \nflags\t\t: fpu\n";
        assert_eq!(
            model_name(cpuinfo).as_deref(),
            Some("Intel(R) Xeon(R) 2.20GHz")
        );
        assert_eq!(model_name("processor\t: 0\n"), None);
    }

    /// The load average and the host name are the system's, read as it
    /// tells them (the load is read around the call: it may change between).
    #[cfg(target_os = "linux")]
    #[test]
    fn load_and_hostname_are_the_systems() {
        let read = || {
            std::fs::read_to_string("/proc/loadavg")
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .parse::<f64>()
                .unwrap()
        };
        let before = read();
        let load = load_average().unwrap();
        let after = read();
        assert!(
            load == before || load == after,
            "{load} vs {before}, {after}"
        );
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        if !host.trim().is_empty() {
            assert_eq!(hostname(), host.trim());
        }
    }

    #[test]
    fn the_environment_is_this_machine() {
        let e = Environment::capture();
        assert_eq!(e.adhash_version, env!("CARGO_PKG_VERSION"));
        assert!(e.os.starts_with(std::env::consts::OS), "{}", e.os);
        assert!(e.logical_cores >= 1 && !e.hostname.is_empty() && !e.cpu_model.is_empty());
        assert_eq!(e.load_average_end, None);
        let mut e = Environment {
            hostname: "h".into(),
            logical_cores: 8,
            ..Environment::default()
        };
        assert_eq!(e.describe(), "h · 8 cores");
        e.load_average_start = Some(1.26);
        assert_eq!(e.describe(), "h · 8 cores · load 1.3");
    }

    #[test]
    fn a_suite_and_a_job_say_how_they_ended() {
        let mut ok = JobResult::planned("a", "run-csv", "std", "w.csv", 2);
        assert!(!ok.is_complete(), "planned: skipped");
        ok.status = JobStatus::Ok;
        ok.stats = crate::stats::RunStats::of(&[1.0]);
        assert!(
            ok.is_complete() && ok.spread().is_none(),
            "one run: no spread"
        );
        ok.stats = crate::stats::RunStats::of(&[1.0, 2.0]);
        assert_eq!(ok.spread().map(|s| s.n), Some(2));
        let mut bad = ok.clone();
        bad.status = JobStatus::Timeout;
        let mut suite = SuiteResult::of_jobs("", vec![ok.clone(), ok]);
        assert!(suite.all_ok());
        assert_eq!((suite.ok_count(), suite.outcome()), (2, "ok"));
        suite.jobs.push(bad);
        assert!(!suite.all_ok());
        assert_eq!((suite.ok_count(), suite.outcome()), (2, "failed"));
        suite.cancelled = true;
        assert_eq!(suite.outcome(), "cancelled");
        assert_eq!(JobStatus::Skipped.name(), "skipped");
        assert_eq!(JobStatus::Cancelled.name(), "cancelled");
    }
}
