//! Runs a suite's jobs one after another as child processes and reports
//! what happens as `BatchEvent`s over a crossbeam channel. It never touches
//! a GUI: a wake-up callback tells the consumer that events are waiting.
//!
//! Each job runs in its own process group with the spec's folder as cwd;
//! stdout and stderr are read line by line as they arrive. A timeout or a
//! cancel terminates the whole group (SIGTERM, then SIGKILL after a grace
//! period), so no child outlives the runner. Reports are written at the end
//! even when the suite was cancelled.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use super::report::{ReportPaths, write_reports};
use super::result::{Environment, RunRecord, load_average, machine_busy};
pub use super::result::{JobResult, JobStatus, LogTail, Stream, SuiteResult};
use super::spec::{BatchSpec, CliProgram, JobCommand, JobSpec};
use super::ticks::{TIMELINE_POINTS, TickPoint, TickTail};
use crate::stats::RunStats;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

/// A longer line is split: a job printing megabytes without a newline must
/// not exhaust memory.
pub const MAX_LINE_BYTES: usize = 16 * 1024;
/// How long a terminated job may take to exit before it is killed.
pub const KILL_GRACE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub enum BatchEvent {
    SuiteStarted {
        spec: PathBuf,
        jobs: Vec<String>,
    },
    /// A run of a job starts: measured run `run` of `runs`, or warmup run
    /// `run` of `runs` (discarded).
    JobStarted {
        job: usize,
        name: String,
        run: u32,
        runs: u32,
        warmup: bool,
        command_line: String,
    },
    /// Something that makes the figures less trustworthy (a busy machine).
    Warning(String),
    /// A metrics tick of a running job (formats.md §5), as the job wrote it.
    Tick {
        job: usize,
        run: u32,
        warmup: bool,
        tick: Box<TickPoint>,
    },
    /// That run ended (its figures, if it was measured and ok).
    RunFinished {
        job: usize,
        run: u32,
        warmup: bool,
        record: RunRecord,
    },
    Log {
        job: usize,
        stream: Stream,
        line: String,
    },
    JobFinished {
        job: usize,
        result: Box<JobResult>,
    },
    SuiteFinished {
        result: Box<SuiteResult>,
        reports: Result<ReportPaths, String>,
        /// Where the run was archived (formats.md §9); `None` with `history = false`.
        history: Option<Result<PathBuf, String>>,
    },
}

/// Stops a running suite from any thread.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// The flag itself, for work that polls an `AtomicBool`.
    pub fn flag(&self) -> &AtomicBool {
        &self.0
    }

    /// Cancel on each of the signals whose default would end the process
    /// without a word — SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM — as SIGINT,
    /// SIGTERM and SIGHUP do (the CLI's ctrlc handler): the running job's
    /// group is killed and the reports are written. SIGKILL and SIGSTOP
    /// cannot be caught; against SIGKILL the jobs carry PR_SET_PDEATHSIG.
    #[cfg(unix)]
    pub fn on_other_signals(&self) {
        for sig in [
            signal_hook::consts::SIGQUIT,
            signal_hook::consts::SIGUSR1,
            signal_hook::consts::SIGUSR2,
            signal_hook::consts::SIGALRM,
        ] {
            let _ = signal_hook::flag::register(sig, Arc::clone(&self.0));
        }
    }
}

pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Sends events and wakes the consumer. A consumer that went away does not
/// stop the suite (its reports are still written).
struct Events {
    tx: Sender<BatchEvent>,
    wake: Waker,
}

impl Events {
    fn send(&self, e: BatchEvent) {
        let _ = self.tx.send(e);
        (self.wake)();
    }
}

/// Run every job of `spec`, write the reports, and return the result.
pub fn run_suite(
    spec: &BatchSpec,
    tx: Sender<BatchEvent>,
    wake: Waker,
    cancel: CancelToken,
) -> SuiteResult {
    let events = Events { tx, wake };
    let started = Instant::now();
    let started_at = utc_now();
    let generated_at = chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string();
    let mut environment = Environment::capture();
    let mut warnings = Vec::new();
    let mut warn = |w: Option<String>, events: &Events| {
        if let Some(w) = w {
            events.send(BatchEvent::Warning(w.clone()));
            warnings.push(w);
        }
    };
    events.send(BatchEvent::SuiteStarted {
        spec: spec.path.clone(),
        jobs: spec.jobs.iter().map(|j| j.name.clone()).collect(),
    });
    warn(
        machine_busy(
            "at the start",
            environment.load_average_start,
            environment.logical_cores,
        ),
        &events,
    );
    // Summaries of run-csv jobs that name none go here, so every run-csv
    // job reports its throughput.
    // What runs killed outright (SIGKILL) left: scratch folders, and
    // half-written reports and history entries beside ours.
    clean_stale_leftovers(spec);
    let scratch = tempfile::Builder::new()
        .prefix(&crate::fs::pid_prefix(crate::fs::SCRATCH_STEM))
        .tempdir()
        .ok();
    let scratch_dir = scratch.as_ref().map(|d| d.path());
    let mut jobs: Vec<JobRun> = spec
        .jobs
        .iter()
        .enumerate()
        .map(|(i, job)| JobRun::new(spec, i, job, scratch_dir))
        .collect();
    if spec.interleave {
        // Round-robin: run k of every job before run k + 1 of any, so a
        // drift of the machine (heat, a background task) hits all alike.
        for jr in &mut jobs {
            jr.prepare(&events);
        }
        let mut round = 0;
        while !cancel.is_cancelled() && jobs.iter().any(|j| !j.done) {
            round += 1;
            for i in round_order(jobs.len(), round) {
                if cancel.is_cancelled() {
                    break;
                }
                if !jobs[i].done {
                    jobs[i].run_once(&events, &cancel, Some(round));
                }
            }
        }
        if let Some(target) = spec.until_ci_pct {
            let budget = Duration::from_secs_f64(spec.max_seconds);
            until_decisive(&mut jobs, target, budget, started, round, &events, &cancel);
        }
    } else {
        for jr in &mut jobs {
            if cancel.is_cancelled() {
                break;
            }
            jr.prepare(&events);
            while !jr.done && !cancel.is_cancelled() {
                jr.run_once(&events, &cancel, None);
            }
            // Finished here so its report line comes before the next job's.
            jr.finish(&events);
        }
    }
    let results: Vec<JobResult> = jobs.into_iter().map(|mut j| j.finish(&events)).collect();
    environment.load_average_end = load_average();
    warn(
        machine_busy(
            "at the end",
            environment.load_average_end,
            environment.logical_cores,
        ),
        &events,
    );
    let suite = SuiteResult {
        spec: spec.path.display().to_string(),
        description: spec.description.clone(),
        cli: spec.cli.describe(),
        generated_at,
        started_at,
        finished_at: utc_now(),
        wall_seconds: started.elapsed().as_secs_f64(),
        cancelled: cancel.is_cancelled(),
        environment,
        warnings,
        until_ci_pct: spec.until_ci_pct,
        jobs: results,
    };
    let reports = write_reports(spec, &suite).map_err(|e| e.detail);
    let history = spec
        .history
        .then(|| super::history::archive(spec, &suite).map_err(|e| e.detail));
    events.send(BatchEvent::SuiteFinished {
        result: Box::new(suite.clone()),
        reports,
        history,
    });
    suite
}

/// The order jobs run in within interleaved round `round` (1-based): as
/// listed in odd rounds, reversed in even ones (ABBA). A job's place in a
/// round can matter (the one after another job finds its caches and the
/// CPU's clock as that job left them); alternating it cancels that
/// between paired rounds instead of biasing every ×std the same way.
fn round_order(jobs: usize, round: u32) -> Box<dyn Iterator<Item = usize>> {
    if round % 2 == 1 {
        Box::new(0..jobs)
    } else {
        Box::new((0..jobs).rev())
    }
}

/// Measured runs a job may reach while measuring until decisive.
const MAX_DECISIVE_RUNS: u32 = 10_000;

/// Measure until decisive (formats.md §7): add interleaved rounds until
/// every job's interval (of its ×std where a std job runs its CSV, else of
/// its median) is narrower than ±`target` percent, or the suite has run for
/// `budget`. A round runs the jobs still short of the target and the
/// controls they are paired with. Stopping looks at the intervals' width
/// only, never at a verdict: no peeking bias.
fn until_decisive(
    jobs: &mut [JobRun],
    target: f64,
    budget: Duration,
    started: Instant,
    mut round: u32,
    events: &Events,
    cancel: &CancelToken,
) {
    let within = |w: Option<f64>| w.is_some_and(|w| w < target);
    if let Some(first) = jobs.first_mut() {
        first.note(
            events,
            format!(
                "[adhash] measuring until every interval is under ±{target}% (at most {} s of suite time)",
                budget.as_secs_f64()
            ),
        );
    }
    let mut out_of_time = false;
    loop {
        let widths = half_widths(jobs);
        // A job that failed, or that gives no throughput (a profile job, a
        // CLI that writes no summary), can never narrow an interval: it
        // gets no more rounds.
        let alive: Vec<bool> = jobs
            .iter()
            .map(|j| {
                j.result.status == JobStatus::Ok
                    && has_figures(&j.result)
                    && j.planned < MAX_DECISIVE_RUNS
            })
            .collect();
        let short: Vec<bool> = (0..jobs.len())
            .map(|i| alive[i] && !within(widths[i].0))
            .collect();
        if cancel.is_cancelled() || !short.iter().any(|s| *s) {
            break;
        }
        if started.elapsed() >= budget {
            out_of_time = true;
            break;
        }
        // Jobs short of the target, and the controls they pair with.
        let needed: Vec<bool> = (0..jobs.len())
            .map(|i| {
                alive[i]
                    && (short[i]
                        || widths
                            .iter()
                            .zip(&short)
                            .any(|((_, control), s)| *s && *control == Some(i)))
            })
            .collect();
        round += 1;
        for i in round_order(jobs.len(), round) {
            if cancel.is_cancelled() {
                break;
            }
            if needed[i] {
                let jr = &mut jobs[i];
                jr.planned += 1;
                jr.done = false;
                jr.run_once(events, cancel, Some(round));
            }
        }
    }
    let widths = half_widths(jobs);
    for (jr, (w, _)) in jobs.iter_mut().zip(widths) {
        let met = within(w);
        jr.result.target_met = Some(met);
        jr.result.half_width_pct = w;
        jr.result.rounds = Some(jr.result.runs.len() as u32);
        let width = w.map_or("no interval yet".to_string(), |w| format!("±{w:.2}%"));
        let why = if met {
            String::new()
        } else if jr.result.status != JobStatus::Ok {
            " (the job failed)".into()
        } else if !has_figures(&jr.result) {
            " (the job gives no throughput figures)".into()
        } else if out_of_time {
            " (max_seconds reached)".into()
        } else if cancel.is_cancelled() {
            " (cancelled)".into()
        } else {
            format!(" ({MAX_DECISIVE_RUNS} runs reached)")
        };
        let line = format!(
            "[adhash] target ±{target}%: {} at {width} after {} runs{why}",
            if met { "met" } else { "not met" },
            jr.result.runs.len()
        );
        jr.note(events, line);
    }
}

/// Some run of the job gave a throughput figure.
fn has_figures(r: &JobResult) -> bool {
    !super::verdict::figures(r, super::verdict::Metric::Wall)
        .0
        .is_empty()
}

/// Each job's interval half width now (percent) and the index of its
/// control, from the runs so far.
fn half_widths(jobs: &[JobRun]) -> Vec<(Option<f64>, Option<usize>)> {
    let snapshots: Vec<JobResult> = jobs
        .iter()
        .map(|j| super::verdict::snapshot(&j.result, j.planned))
        .collect();
    super::verdict::decisive_widths(&snapshots.iter().collect::<Vec<_>>())
}

/// Remove what dead adhash processes left: their scratch folders in the
/// system's temporary folder, their temporary files beside this spec's
/// reports and in its history.
fn clean_stale_leftovers(spec: &BatchSpec) {
    use crate::fs::{SCRATCH_STEM, TEMP_FILE_STEM, clean_stale};
    clean_stale(&std::env::temp_dir(), SCRATCH_STEM);
    let mut folders: Vec<PathBuf> = [
        Some(&spec.report),
        spec.html_report.as_ref(),
        Some(&spec.json_report),
    ]
    .into_iter()
    .flatten()
    .filter_map(|p| p.parent().map(Path::to_path_buf))
    .collect();
    folders.push(super::history::folder(spec));
    folders.sort();
    folders.dedup();
    for f in folders {
        clean_stale(&f, TEMP_FILE_STEM);
    }
}

/// Now in UTC, RFC 3339 to the second.
fn utc_now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn planned(job: &JobSpec) -> JobResult {
    JobResult::planned(
        &job.name,
        job.command.name(),
        job.mode.name(),
        &job.csv,
        job.repeat,
    )
}

/// One job of a suite as it runs: its result so far, and what comes next
/// (warmup runs, then measured ones). The suite drives it run by run, in
/// order or interleaved with the other jobs.
struct JobRun<'a> {
    spec: &'a BatchSpec,
    index: usize,
    job: &'a JobSpec,
    summary_arg: Option<String>,
    command_line: String,
    result: JobResult,
    /// Runs started so far, warmups included.
    started: u32,
    /// Measured runs to make: `repeat`, and more while measuring until
    /// decisive.
    planned: u32,
    /// No run is left to start (all done, failed, or cancelled).
    done: bool,
    /// Reported with `JobFinished` already.
    finished: bool,
    /// Time spent in this job's own runs (interleaved jobs share the wall).
    busy: Duration,
    backends: Vec<String>,
    p99s: Vec<f64>,
    /// Where the job's metrics ticks go, followed live (run-csv jobs).
    metrics_dir: Option<PathBuf>,
    /// Flags the runner adds so it can follow the job (adhash's own CLI).
    runner_args: Vec<String>,
    /// Each measured ok run's ticks (thinned) with its run number and
    /// ops/s: the job keeps its median run's.
    timelines: Vec<(u32, f64, Vec<TickPoint>)>,
}

/// The run a job's timeline shows: its median by ops/s (the lower middle
/// of an even count), so the picture is of a typical run, not the last.
pub fn median_run<T>(mut runs: Vec<(u32, f64, T)>) -> Option<(u32, T)> {
    if runs.is_empty() {
        return None;
    }
    runs.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let (run, _, t) = runs.swap_remove((runs.len() - 1) / 2);
    Some((run, t))
}

/// How often the runner looks at a running job when it prints nothing:
/// its ticks, its deadline, a cancel. Every wake is CPU beside the job
/// being measured; 50 ms is well under what a person notices.
const WAKE: Duration = Duration::from_millis(50);

/// The tick period the runner asks of adhash's own run-csv: a run of 0.5 s
/// gives 50 ticks, enough to draw its timeline.
pub const RUNNER_TICK_MS: u64 = 10;

impl<'a> JobRun<'a> {
    fn new(spec: &'a BatchSpec, index: usize, job: &'a JobSpec, scratch: Option<&Path>) -> Self {
        let summary_arg: Option<String> = match (job.command, &job.json_summary) {
            (JobCommand::RunCsv, Some(p)) => Some(p.clone()),
            (JobCommand::RunCsv, None) => scratch.map(|d| {
                d.join(format!("job-{}.summary.json", index + 1))
                    .display()
                    .to_string()
            }),
            (JobCommand::Profile, _) => None,
        };
        // adhash's own run-csv is asked for fine ticks (in a scratch folder
        // when the spec keeps none); another CLI's ticks are followed where
        // the spec sends them, with the flags the spec gives.
        let own_cli = matches!(spec.cli, CliProgram::SelfExe(_));
        let sets = |flag: &str| {
            job.extra_args
                .iter()
                .any(|a| a.split('=').next() == Some(flag))
        };
        let mut runner_args = Vec::new();
        let metrics_dir = match (job.command, &job.metrics_out_dir) {
            (JobCommand::RunCsv, Some(d)) => Some(spec.resolve(d)),
            (JobCommand::RunCsv, None) if own_cli => scratch.map(|s| {
                let d = s.join(format!("job-{}.metrics", index + 1));
                runner_args.extend(["--metrics-out-dir".to_string(), d.display().to_string()]);
                d
            }),
            _ => None,
        };
        if own_cli && metrics_dir.is_some() && !sets("--metrics-interval-ms") {
            runner_args.extend([
                "--metrics-interval-ms".to_string(),
                RUNNER_TICK_MS.to_string(),
            ]);
        }
        let mut command_line = spec.command_line(job, summary_arg.as_deref());
        for a in &runner_args {
            command_line.push(' ');
            command_line.push_str(&super::spec::shell_quote(a));
        }
        let mut result = planned(job);
        result.command_line = command_line.clone();
        result.summary_path = job
            .json_summary
            .as_ref()
            .map(|p| spec.resolve(p).display().to_string());
        result.reason = Some("suite cancelled before this job started".into());
        JobRun {
            spec,
            index,
            job,
            summary_arg,
            command_line,
            result,
            started: 0,
            planned: job.repeat,
            done: false,
            finished: false,
            busy: Duration::ZERO,
            backends: Vec::new(),
            p99s: Vec::new(),
            metrics_dir,
            runner_args,
            timelines: Vec::new(),
        }
    }

    fn note(&mut self, events: &Events, line: String) {
        events.send(BatchEvent::Log {
            job: self.index,
            stream: Stream::Runner,
            line: line.clone(),
        });
        self.result.log.push(Stream::Runner, line);
    }

    fn fail_before_launch(&mut self, events: &Events, why: String) {
        self.result.status = JobStatus::Failed;
        self.note(events, format!("[adhash] {why}"));
        self.result.reason = Some(why);
        self.done = true;
    }

    /// Check what the job needs before its first run; a job that cannot
    /// run is done (failed) at once.
    fn prepare(&mut self, events: &Events) {
        let csv = self.spec.resolve(&self.job.csv);
        if !csv.is_file() {
            // Say what is there instead: a folder, a FIFO or a device is not
            // "not found".
            let what = match std::fs::metadata(&csv) {
                Err(_) => "CSV not found".to_string(),
                Ok(m) if m.is_dir() => "the CSV is a folder, not a file".into(),
                Ok(_) => "the CSV is not a regular file (a FIFO or a device)".into(),
            };
            return self.fail_before_launch(
                events,
                format!("{what}: {} (job not launched)", csv.display()),
            );
        }
        for out in self.job.outputs() {
            if let Some(parent) = self.spec.resolve(out).parent()
                && let Err(e) = std::fs::create_dir_all(parent)
            {
                return self.fail_before_launch(
                    events,
                    format!("cannot create output folder {}: {e}", parent.display()),
                );
            }
        }
        self.result.status = JobStatus::Ok;
        self.result.reason = None;
    }

    /// Start the next run (a warmup first, if any are left) and wait for it.
    /// `round`: the interleaved round it runs in.
    fn run_once(&mut self, events: &Events, cancel: &CancelToken, round: Option<u32>) {
        if self.done {
            return;
        }
        let warmups = self.job.warmup;
        self.started += 1;
        let warmup = self.started <= warmups;
        let (run, runs) = if warmup {
            (self.started, warmups)
        } else {
            (self.started - warmups, self.planned)
        };
        events.send(BatchEvent::JobStarted {
            job: self.index,
            name: self.job.name.clone(),
            run,
            runs,
            warmup,
            command_line: self.command_line.clone(),
        });
        let (prog, mut args) = self.spec.program();
        args.extend(self.job.args(self.summary_arg.as_deref()));
        args.extend(self.runner_args.iter().cloned());
        // The last run's ticks are not this run's: start from an empty file
        // (run-csv truncates it anyway, but maybe after we first look).
        let mut tail = self.metrics_dir.as_ref().map(|d| {
            let path = d.join(crate::bench::metrics::METRICS_FILE);
            let _ = std::fs::remove_file(&path);
            TickTail::new(&path)
        });
        let job = self.index;
        let mut ticks: Vec<TickPoint> = Vec::new();
        let mut follow = || {
            if let Some(t) = tail.as_mut() {
                for tick in t.poll() {
                    if !warmup {
                        ticks.push(tick.clone());
                    }
                    events.send(BatchEvent::Tick {
                        job,
                        run,
                        warmup,
                        tick: Box::new(tick),
                    });
                }
            }
        };
        let launched_at = SystemTime::now();
        let t0 = Instant::now();
        let outcome = run_process(
            &prog,
            &args,
            &self.spec.dir,
            self.job.timeout_s,
            self.index,
            events,
            cancel,
            &mut self.result.log,
            &mut follow,
        );
        let took = t0.elapsed();
        self.busy += took;
        self.result.exit_code = outcome.exit_code;
        let mut record = RunRecord {
            ops_per_second: None,
            duration_seconds: took.as_secs_f64(),
            status: outcome.status,
            ops_per_cpu_second: None,
            round,
        };
        let label = if warmup { "warmup" } else { "run" };
        if outcome.status != JobStatus::Ok {
            if !warmup {
                self.result.runs.push(record.clone());
            }
            self.result.status = outcome.status;
            let why = outcome.reason.unwrap_or_else(|| "failed".into());
            self.note(events, format!("[adhash] {label} {run}/{runs}: {why}"));
            self.result.reason = Some(if warmup {
                format!("warmup run {run}: {why}")
            } else {
                why
            });
            self.done = true;
            self.send_run(events, run, warmup, record);
            return;
        }
        if warmup {
            self.note(
                events,
                format!(
                    "[adhash] warmup {run}/{runs} done in {:.2} s (discarded)",
                    took.as_secs_f64()
                ),
            );
            self.send_run(events, run, warmup, record);
            return;
        }
        if self.job.command == JobCommand::Profile {
            self.result.recommendation = outcome
                .last_stdout
                .filter(|l| !l.contains(char::is_whitespace));
        }
        if let Some(path) = &self.summary_arg {
            match read_fresh_summary(&self.spec.resolve(path), launched_at) {
                Ok(s) => {
                    if let Some(ops) = s.ops_per_second {
                        self.result.ops_per_second_runs.push(ops);
                        record.ops_per_second = Some(ops);
                    }
                    record.ops_per_cpu_second = s.ops_per_cpu_second;
                    if s.csv_checksum.is_some() {
                        self.result.csv_bytes = s.csv_bytes;
                        self.result.csv_checksum = s.csv_checksum;
                    }
                    self.backends.extend(s.final_backend);
                    self.p99s.extend(s.p99_ms);
                }
                Err(why) => self.note(
                    events,
                    format!("[adhash] run {run}: summary not used: {why}"),
                ),
            }
        }
        self.result.runs.push(record.clone());
        if let (false, Some(ops)) = (ticks.is_empty(), record.ops_per_second) {
            let thinned = super::ticks::thin(ticks, TIMELINE_POINTS);
            self.timelines.push((run, ops, thinned));
        }
        self.send_run(events, run, warmup, record);
        if run >= self.planned {
            self.done = true;
        }
    }

    fn send_run(&self, events: &Events, run: u32, warmup: bool, record: RunRecord) {
        events.send(BatchEvent::RunFinished {
            job: self.index,
            run,
            warmup,
            record,
        });
    }

    /// The job's result (once): statistics over its ok runs, with warnings
    /// about noise, announced with `JobFinished`.
    fn finish(&mut self, events: &Events) -> JobResult {
        if self.finished {
            return self.result.clone();
        }
        self.finished = true;
        let r = &mut self.result;
        if !self.done {
            // The suite was cancelled before this job's next run.
            if self.started == 0 {
                r.status = JobStatus::Skipped;
                r.reason = Some("suite cancelled before this job started".into());
            } else {
                r.status = JobStatus::Cancelled;
                r.reason = Some("cancelled between its runs".into());
            }
        }
        r.duration_seconds = self.busy.as_secs_f64();
        r.planned_runs = self.planned;
        r.stats = RunStats::of(&r.ops_per_second_runs);
        r.ops_per_second = r.stats.map(|s| s.median);
        r.final_backend = self.backends.pop();
        r.p99_ms = crate::stats::median(&self.p99s);
        if let Some((run, ticks)) = median_run(std::mem::take(&mut self.timelines)) {
            r.timeline = ticks;
            r.timeline_run = Some(run);
        }
        let mut warnings = Vec::new();
        if let Some(s) = r.spread()
            && s.is_noisy()
        {
            warnings.push(format!(
                "[adhash] warning: runs vary by CV {:.1}% (ops/s {:.0}..{:.0}); the machine may be busy",
                s.cv * 100.0,
                s.min,
                s.max
            ));
        }
        for (i, z) in crate::stats::outliers(&r.ops_per_second_runs) {
            warnings.push(format!(
                "[adhash] warning: run {} ({} ops/s) is an outlier (modified z-score {z:.1}); \
                 another process may have interfered: consider more runs, `warmup` or `interleave`",
                i + 1,
                crate::fmt::thousands(r.ops_per_second_runs[i])
            ));
        }
        for w in warnings {
            self.note(events, w);
        }
        events.send(BatchEvent::JobFinished {
            job: self.index,
            result: Box::new(self.result.clone()),
        });
        self.result.clone()
    }
}

/// The summary fields the report uses, read leniently (a Python CLI's
/// summary has the same names).
#[derive(Debug, Default)]
struct SummaryFigures {
    ops_per_second: Option<f64>,
    ops_per_cpu_second: Option<f64>,
    csv_bytes: Option<u64>,
    csv_checksum: Option<String>,
    final_backend: Option<String>,
    p99_ms: Option<f64>,
}

/// A summary larger than this is not read (formats.md §3).
pub const MAX_SUMMARY_BYTES: u64 = 64 * 1024 * 1024;
/// Longer backend names are cut (a hostile summary must not flood a report).
const MAX_BACKEND_CHARS: usize = 120;

/// Read the summary at `path` only if this run wrote it (modified after
/// `since`): a stale file from an earlier run must not count. Only a
/// regular file is opened (a FIFO would block for ever), at most
/// `MAX_SUMMARY_BYTES` of it, and figures that cannot be measurements
/// (non-finite, negative, absurd) are refused.
fn read_fresh_summary(path: &Path, since: SystemTime) -> Result<SummaryFigures, String> {
    let meta =
        std::fs::metadata(path).map_err(|_| format!("{} was not written", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    if meta.len() > MAX_SUMMARY_BYTES {
        return Err(format!(
            "{} is larger than {} MiB",
            path.display(),
            MAX_SUMMARY_BYTES >> 20
        ));
    }
    let modified = meta.modified().map_err(|e| e.to_string())?;
    // Allow for filesystems that keep coarse timestamps.
    if modified + Duration::from_secs(1) < since {
        return Err(format!("{} is older than this run (stale)", path.display()));
    }
    // Capped while reading too: the file may grow after the size check.
    let text =
        crate::fs::read_text_capped(path, MAX_SUMMARY_BYTES, "summary").map_err(|e| e.detail)?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
    let figure = |x: &serde_json::Value, what: &str, max: f64| -> Result<Option<f64>, String> {
        match x {
            serde_json::Value::Null => Ok(None),
            x => match x.as_f64() {
                Some(f) if f.is_finite() && (0.0..=max).contains(&f) => Ok(Some(f)),
                _ => Err(format!(
                    "{}: invalid {what}: {}",
                    path.display(),
                    crate::fmt::shown_text(&x.to_string(), 40)
                )),
            },
        }
    };
    let backend = v["final_backend"]
        .as_str()
        .map(|b| crate::fmt::shown_text(b, MAX_BACKEND_CHARS));
    Ok(SummaryFigures {
        // A trillion ops/s or an hour-long p99 is not a measurement.
        ops_per_second: figure(&v["ops_per_second"], "ops_per_second", 1e12)?,
        // 0 (no CPU time measured) or a figure that is no measurement: none.
        ops_per_cpu_second: figure(&v["ops_per_cpu_second"], "ops_per_cpu_second", 1e12)?
            .filter(|x| *x > 0.0),
        csv_bytes: v["csv_bytes"].as_u64(),
        // A checksum is "0x" and 16 hex digits; anything else is not kept.
        csv_checksum: v["csv_checksum"]
            .as_str()
            .filter(|c| {
                c.len() == 18
                    && c.starts_with("0x")
                    && c[2..].bytes().all(|b| b.is_ascii_hexdigit())
            })
            .map(str::to_string),
        final_backend: backend,
        p99_ms: figure(&v["latency_ms"]["overall"]["p99"], "p99", 3.6e6)?,
    })
}

struct ProcessOutcome {
    status: JobStatus,
    exit_code: Option<i32>,
    reason: Option<String>,
    last_stdout: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn run_process(
    prog: &str,
    args: &[String],
    cwd: &Path,
    timeout_s: f64,
    index: usize,
    events: &Events,
    cancel: &CancelToken,
    log: &mut LogTail,
    on_wake: &mut dyn FnMut(),
) -> ProcessOutcome {
    let mut cmd = Command::new(prog);
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    // If adhash is killed outright (SIGKILL), the job dies with it rather
    // than running on as an orphan. Linux only; what the job itself
    // started and moved out of reach (a daemon) is not covered.
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: between fork and exec only async-signal-safe calls
        // (prctl, getppid) and no allocation.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent died before the prctl: no signal will come.
                if libc::getppid() != parent {
                    return Err(std::io::Error::other("adhash ended before the job started"));
                }
                Ok(())
            });
        }
    }
    let mark = JobMark::new();
    cmd.env(&mark.name, &mark.value);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return ProcessOutcome {
                status: JobStatus::Failed,
                exit_code: None,
                reason: Some(format!("cannot start {prog}: {e}")),
                last_stdout: None,
            };
        }
    };
    // If this thread unwinds (a bug), the job and its descendants die with it.
    let _group = GroupGuard(child.id() as i32, &mark);
    // Bounded: a job that floods its output waits for us, not our memory.
    let (ltx, lrx) = crossbeam_channel::bounded::<(Stream, String)>(1024);
    if let Some(out) = child.stdout.take() {
        spawn_reader(out, Stream::Stdout, ltx.clone());
    }
    if let Some(err) = child.stderr.take() {
        spawn_reader(err, Stream::Stderr, ltx.clone());
    }
    drop(ltx);

    // A timeout too large for the clock means no timeout, never a panic.
    let deadline = Duration::try_from_secs_f64(timeout_s)
        .ok()
        .and_then(|d| Instant::now().checked_add(d));
    let mut last_stdout = None;
    let mut forward = |stream: Stream, line: String, log: &mut LogTail| {
        if stream == Stream::Stdout && !line.trim().is_empty() {
            last_stdout = Some(line.trim().to_string());
        }
        events.send(BatchEvent::Log {
            job: index,
            stream,
            line: line.clone(),
        });
        log.push(stream, line);
    };
    let mut stop: Option<(JobStatus, String)> = None;
    let mut readers_done = false;
    let exit = loop {
        if !readers_done {
            match lrx.recv_timeout(WAKE) {
                Ok((s, l)) => {
                    forward(s, l, log);
                    // Drain what is already there before checking the clock.
                    while let Ok((s, l)) = lrx.try_recv() {
                        forward(s, l, log);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => readers_done = true,
            }
        } else {
            std::thread::sleep(WAKE / 2);
        }
        // Follow the job's other outputs (its metrics ticks).
        on_wake();
        if stop.is_none() {
            if cancel.is_cancelled() {
                stop = Some((JobStatus::Cancelled, "cancelled".into()));
            } else if deadline.is_some_and(|d| Instant::now() >= d) {
                stop = Some((JobStatus::Timeout, format!("timed out after {timeout_s} s")));
            }
            if stop.is_some() {
                let code = terminate_group(&mut child);
                drain(&lrx, &mut |s, l| forward(s, l, log));
                break code;
            }
        }
        match child.try_wait() {
            Ok(Some(status)) if readers_done => break Some(status),
            Ok(Some(status)) => {
                // Output may still be in the pipes; the readers end when it is read.
                if wait_readers(&lrx, &mut |s, l| forward(s, l, log)) {
                    break Some(status);
                }
                readers_done = true;
            }
            Ok(None) => {}
            Err(e) => {
                stop = Some((JobStatus::Failed, format!("cannot wait for the job: {e}")));
                break terminate_group(&mut child);
            }
        }
    };
    // Whatever the job left behind in its process group goes too, and so
    // does anything that escaped the group (setsid, a daemon): found by the
    // job's mark, and reaped if it was handed to us as the subreaper.
    kill_group(&child, libc::SIGKILL);
    mark.kill_descendants();
    on_wake();
    reap_escaped();
    if let Some((status, reason)) = stop {
        return ProcessOutcome {
            status,
            exit_code: exit.and_then(|s| s.code()),
            reason: Some(reason),
            last_stdout,
        };
    }
    let code = exit.and_then(|s| s.code());
    match exit {
        Some(s) if s.success() => ProcessOutcome {
            status: JobStatus::Ok,
            exit_code: code,
            reason: None,
            last_stdout,
        },
        Some(s) => ProcessOutcome {
            status: JobStatus::Failed,
            exit_code: code,
            reason: Some(match code {
                Some(c) => format!("exited with code {c}"),
                None => format!("killed by a signal ({s})"),
            }),
            last_stdout,
        },
        None => ProcessOutcome {
            status: JobStatus::Failed,
            exit_code: None,
            reason: Some("exit status unknown".into()),
            last_stdout,
        },
    }
}

/// After the child exited, read what is left; false if the pipes stay open
/// (a grandchild holds them) past a short wait.
fn wait_readers(lrx: &Receiver<(Stream, String)>, f: &mut dyn FnMut(Stream, String)) -> bool {
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        match lrx.recv_deadline(until) {
            Ok((s, l)) => f(s, l),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return true,
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => return false,
        }
    }
}

fn drain(lrx: &Receiver<(Stream, String)>, f: &mut dyn FnMut(Stream, String)) {
    let until = Instant::now() + Duration::from_millis(500);
    while let Ok((s, l)) = lrx.recv_deadline(until) {
        f(s, l);
    }
}

/// Kills a job's process group and its marked descendants when dropped:
/// the runner thread may end by a panic, and no job may outlive it.
struct GroupGuard<'a>(i32, &'a JobMark);

impl Drop for GroupGuard<'_> {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: kill(2) on a process group id; no memory is involved. The
        // group is gone already on the normal path (ESRCH, ignored).
        unsafe {
            libc::kill(-self.0, libc::SIGKILL);
        }
        self.1.kill_descendants();
    }
}

/// An environment variable set on one job run, which every descendant
/// inherits, even one that leaves the job's process group (`setsid`, a
/// daemon) or is re-parented away from us: at the end of the run the
/// processes carrying it are the ones to kill. Unlike the subreaper, it
/// tells a job's descendants from the other children of Mission Control
/// (a browser opened on a report, a file dialog). Its name holds our pid,
/// so a nested `adhash batch` adds its own mark and keeps ours.
struct JobMark {
    name: String,
    value: String,
}

impl JobMark {
    fn new() -> JobMark {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        JobMark {
            name: format!("ADHASH_JOB_{}", std::process::id()),
            value: RUNS.fetch_add(1, Ordering::Relaxed).to_string(),
        }
    }

    /// SIGKILL every process whose environment holds the mark, until none
    /// is left (one may fork while we look). Linux: other systems have no
    /// /proc to read, and rely on the process group alone.
    fn kill_descendants(&self) {
        #[cfg(target_os = "linux")]
        {
            let needle = format!("{}={}\0", self.name, self.value).into_bytes();
            for _ in 0..50 {
                let marked: Vec<i32> = std::fs::read_dir("/proc")
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter_map(|e| {
                        let pid: i32 = e.file_name().to_str()?.parse().ok()?;
                        // Another user's processes cannot be read: not ours.
                        let env = std::fs::read(e.path().join("environ")).ok()?;
                        // A whole `NAME=value` entry: at the start or after a NUL.
                        let found = memchr::memmem::find_iter(&env, &needle)
                            .any(|at| at == 0 || env[at - 1] == 0);
                        found.then_some(pid)
                    })
                    .collect();
                if marked.is_empty() {
                    return;
                }
                for pid in marked {
                    // SAFETY: kill(2) on a pid; no memory is involved.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
}

static SUBREAPER: AtomicBool = AtomicBool::new(false);

/// Make this process the subreaper of everything it starts (Linux): a job's
/// descendant that leaves the job's process group (`setsid`, a daemon)
/// becomes our child when its parent dies, so the runner can find and kill
/// it when the job ends. For `adhash batch`, whose only children are jobs.
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl(2) with PR_SET_CHILD_SUBREAPER and an integer flag.
        let ok = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } == 0;
        SUBREAPER.store(ok, Ordering::SeqCst);
    }
}

/// As subreaper: kill and reap every child left (they can only be escaped
/// descendants of jobs that ended), until none is left.
fn reap_escaped() {
    if !SUBREAPER.load(Ordering::SeqCst) {
        return;
    }
    #[cfg(target_os = "linux")]
    for _ in 0..50 {
        let me = std::process::id().to_string();
        let orphans: Vec<i32> = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let pid: i32 = e.file_name().to_str()?.parse().ok()?;
                let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
                // Fields after the `(comm)`: state, ppid, ...
                let rest = stat.rsplit_once(") ")?.1;
                let ppid = rest.split_whitespace().nth(1)?;
                (ppid == me).then_some(pid)
            })
            .collect();
        if orphans.is_empty() {
            return;
        }
        for pid in orphans {
            // SAFETY: kill(2) and waitpid(2) on a pid that is our child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
        }
    }
}

fn kill_group(child: &Child, signal: i32) {
    #[cfg(unix)]
    {
        // The child leads its own group (process_group(0)), so its pid is the group id.
        let pgid = child.id() as i32;
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is involved.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = signal;
        let _ = child;
    }
}

/// SIGTERM the group, give it `KILL_GRACE`, then SIGKILL; reap the child.
fn terminate_group(child: &mut Child) -> Option<std::process::ExitStatus> {
    kill_group(child, libc::SIGTERM);
    let until = Instant::now() + KILL_GRACE;
    while Instant::now() < until {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    kill_group(child, libc::SIGKILL);
    let _ = child.kill();
    child.wait().ok()
}

/// Read `r` line by line (lossy UTF-8, long lines split) into `tx`.
fn spawn_reader<R: Read + Send + 'static>(r: R, stream: Stream, tx: Sender<(Stream, String)>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::with_capacity(64 * 1024, r);
        let mut line: Vec<u8> = Vec::new();
        loop {
            let buf = match reader.fill_buf() {
                Ok([]) => break,
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let room = MAX_LINE_BYTES - line.len();
            let (used, complete) = match buf.iter().take(room).position(|&b| b == b'\n') {
                Some(i) => {
                    line.extend_from_slice(&buf[..i]);
                    (i + 1, true)
                }
                None => {
                    let n = buf.len().min(room);
                    line.extend_from_slice(&buf[..n]);
                    (n, line.len() >= MAX_LINE_BYTES)
                }
            };
            reader.consume(used);
            if complete {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                let text = String::from_utf8_lossy(&line).into_owned();
                line.clear();
                if tx.send((stream, text)).is_err() {
                    return;
                }
            }
        }
        if !line.is_empty() {
            let _ = tx.send((stream, String::from_utf8_lossy(&line).into_owned()));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flag work polls (a DNA analysis) is the token's own, shared by
    /// its clones: cancelling any of them raises it.
    #[test]
    fn the_flag_is_the_tokens_own() {
        let token = CancelToken::new();
        let other = token.clone();
        assert!(!token.flag().load(Ordering::SeqCst));
        other.cancel();
        assert!(token.flag().load(Ordering::SeqCst) && token.is_cancelled());
    }

    fn summary_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn modified(path: &Path) -> SystemTime {
        std::fs::metadata(path).unwrap().modified().unwrap()
    }

    /// A summary of exactly 64 MiB is read (its NUL padding is then bad
    /// JSON); one byte more is refused unread.
    #[test]
    fn a_summary_is_read_up_to_64_mib() {
        assert_eq!(MAX_SUMMARY_BYTES, 64 << 20);
        let (_dir, path) = summary_file(r#"{"ops_per_second": 5}"#);
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_len(MAX_SUMMARY_BYTES).unwrap();
        let err = read_fresh_summary(&path, modified(&path)).unwrap_err();
        assert!(err.contains("is not valid JSON"), "{err}");
        f.set_len(MAX_SUMMARY_BYTES + 1).unwrap();
        let err = read_fresh_summary(&path, modified(&path)).unwrap_err();
        assert!(err.contains("is larger than 64 MiB"), "{err}");
    }

    /// Up to a second older than the run counts as this run's (coarse
    /// file timestamps); more is stale.
    #[test]
    fn a_summary_up_to_a_second_older_than_the_run_is_fresh() {
        let (_dir, path) = summary_file(r#"{"ops_per_second": 5}"#);
        let at = modified(&path);
        let s = read_fresh_summary(&path, at + Duration::from_secs(1)).unwrap();
        assert_eq!(s.ops_per_second, Some(5.0));
        let err = read_fresh_summary(&path, at + Duration::from_millis(1001)).unwrap_err();
        assert!(err.contains("stale"), "{err}");
    }

    /// Figures that cannot be measurements are refused; the bounds are in.
    #[test]
    fn summary_figures_must_be_measurements() {
        let read = |text: &str| {
            let (_dir, path) = summary_file(text);
            read_fresh_summary(&path, modified(&path))
        };
        let ok = read(
            r#"{"ops_per_second": 1e12, "final_backend": "chaining",
                "latency_ms": {"overall": {"p99": 3.6e6}}}"#,
        )
        .unwrap();
        assert_eq!(ok.ops_per_second, Some(1e12));
        assert_eq!(ok.p99_ms, Some(3.6e6));
        assert_eq!(ok.final_backend.as_deref(), Some("chaining"));
        let zero = read(r#"{"ops_per_second": 0, "latency_ms": null}"#).unwrap();
        assert_eq!((zero.ops_per_second, zero.p99_ms), (Some(0.0), None));
        for (text, what) in [
            (r#"{"ops_per_second": -5}"#, "invalid ops_per_second: -5"),
            (r#"{"ops_per_second": 1.1e12}"#, "invalid ops_per_second"),
            (r#"{"ops_per_second": "fast"}"#, "invalid ops_per_second"),
            (
                r#"{"latency_ms": {"overall": {"p99": -0.5}}}"#,
                "invalid p99: -0.5",
            ),
            (
                r#"{"latency_ms": {"overall": {"p99": 3.7e6}}}"#,
                "invalid p99",
            ),
        ] {
            let err = read(text).unwrap_err();
            assert!(err.contains(what), "{text}: {err}");
        }
    }

    /// Issue 27, item 5: a job's timeline is its median run's (the lower
    /// middle of an even count), not its last.
    #[test]
    fn the_timeline_is_the_median_runs() {
        let runs = |ops: &[f64]| -> Vec<(u32, f64, u32)> {
            ops.iter()
                .enumerate()
                .map(|(i, &o)| (i as u32 + 1, o, i as u32 + 1))
                .collect()
        };
        assert_eq!(median_run(runs(&[5.0, 9.0, 1.0])), Some((1, 1)));
        assert_eq!(median_run(runs(&[3.0, 1.0, 4.0, 2.0])), Some((4, 4)));
        assert_eq!(median_run(runs(&[7.0])), Some((1, 1)));
        assert_eq!(median_run::<u32>(Vec::new()), None);
    }

    /// Lines sent within the wait are read, however late in it.
    #[test]
    fn readers_are_waited_for_after_the_job_exits() {
        let late = |hold: Duration| {
            let (tx, rx) = crossbeam_channel::unbounded();
            // Late, yet a small part of the 2 s wait, so a busy machine's
            // scheduling delay does not push it past the end.
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                tx.send((Stream::Stdout, "late".to_string())).unwrap();
                std::thread::sleep(hold);
            });
            rx
        };
        let mut got = Vec::new();
        let rx = late(Duration::ZERO);
        assert!(wait_readers(&rx, &mut |_, l| got.push(l)), "pipes closed");
        assert_eq!(got, ["late"]);
        // Pipes a grandchild holds open: give up after the wait.
        got.clear();
        let rx = late(Duration::from_secs(5));
        assert!(!wait_readers(&rx, &mut |_, l| got.push(l)));
        assert_eq!(got, ["late"]);
    }

    /// What a killed job says as it goes is kept, for half a second.
    #[test]
    fn a_killed_jobs_last_words_are_drained() {
        let (tx, rx) = crossbeam_channel::unbounded();
        std::thread::spawn(move || {
            // 40 ms of a 500 ms drain: room for a busy machine's delays.
            for word in ["last", "words"] {
                std::thread::sleep(Duration::from_millis(20));
                tx.send((Stream::Stderr, word.to_string())).unwrap();
            }
        });
        let mut got = Vec::new();
        drain(&rx, &mut |_, l| got.push(l));
        assert_eq!(got, ["last", "words"]);
    }

    /// A pipe that reads as scripted, counting the reads.
    struct ScriptedPipe(Vec<std::io::Result<&'static [u8]>>, Arc<AtomicU64>);

    impl Read for ScriptedPipe {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.1.fetch_add(1, Ordering::SeqCst);
            if self.0.is_empty() {
                return Ok(0);
            }
            let bytes = self.0.remove(0)?;
            buf[..bytes.len()].copy_from_slice(bytes);
            Ok(bytes.len())
        }
    }

    /// An interrupted read is tried again; any other error ends the
    /// stream there, keeping its unfinished last line.
    #[test]
    fn a_reader_retries_an_interrupted_read_and_stops_at_an_error() {
        use std::io::{Error, ErrorKind};
        let reads = Arc::new(AtomicU64::new(0));
        let pipe = ScriptedPipe(
            vec![
                Ok(b"one\n"),
                Err(Error::from(ErrorKind::Interrupted)),
                Ok(b"two\npartial"),
                Err(Error::from(ErrorKind::BrokenPipe)),
                Ok(b"after the error\n"),
            ],
            reads.clone(),
        );
        let (tx, rx) = crossbeam_channel::unbounded();
        spawn_reader(pipe, Stream::Stdout, tx);
        let lines: Vec<String> = rx.iter().map(|(_, l)| l).collect();
        assert_eq!(lines, ["one", "two", "partial"]);
        assert_eq!(reads.load(Ordering::SeqCst), 4);
    }

    /// Run `sh -c script` as a job run, with a `timeout_s` timeout.
    fn run_sh(script: &str, timeout_s: f64) -> (ProcessOutcome, LogTail) {
        run_sh_cancelled_at(script, timeout_s, None)
    }

    /// Run `sh -c script` as a job run, cancelled when it logs `cancel_at`.
    fn run_sh_cancelled_at(
        script: &str,
        timeout_s: f64,
        cancel_at: Option<&'static str>,
    ) -> (ProcessOutcome, LogTail) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let events = Events {
            tx,
            wake: Arc::new(|| {}),
        };
        let cancel = CancelToken::new();
        let c = cancel.clone();
        std::thread::spawn(move || {
            for e in rx {
                if let BatchEvent::Log { line, .. } = e
                    && Some(line.as_str()) == cancel_at
                {
                    c.cancel();
                }
            }
        });
        let mut log = LogTail::default();
        let args = ["-c".to_string(), script.to_string()];
        let outcome = run_process(
            "sh",
            &args,
            Path::new("."),
            timeout_s,
            0,
            &events,
            &cancel,
            &mut log,
            &mut || {},
        );
        (outcome, log)
    }

    /// `pid` is gone or a zombie.
    fn gone(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
            s.rsplit_once(") ").is_some_and(|r| r.1.starts_with('Z'))
        })
    }

    /// True once `pid` is gone; false if it still runs after 5 s.
    fn ends(pid: i32) -> bool {
        let until = Instant::now() + Duration::from_secs(5);
        while !gone(pid) {
            if Instant::now() > until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// SIGKILL `pid` (a test's leftover) and say whether it had ended.
    fn ended_or_kill(pid: i32) -> bool {
        let ended = ends(pid);
        // SAFETY: kill(2) on a pid this test started; no memory is involved.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
        ended
    }

    /// A profile's recommendation is its last non-blank stdout line, not
    /// a blank line after it nor what it says on stderr.
    #[cfg(unix)]
    #[test]
    fn the_last_stdout_line_is_the_last_with_words() {
        let (out, log) = run_sh("echo fast-lookup; echo; echo '  '; echo warning >&2", 30.0);
        assert_eq!(out.status, JobStatus::Ok);
        assert_eq!(out.last_stdout.as_deref(), Some("fast-lookup"));
        assert!(log.text().contains("warning"), "{}", log.text());
    }

    /// A job that exits while a grandchild holds its pipes open ends
    /// after the readers' wait (keeping what came late), not when the
    /// grandchild does; the grandchild is killed with the group.
    #[cfg(unix)]
    #[test]
    fn a_grandchild_holding_the_pipes_does_not_hold_the_job() {
        let (out, log) = run_sh("(sleep 0.2; echo late) & sleep 300 & echo $!", 10.0);
        assert_eq!(out.status, JobStatus::Ok, "{:?}", out.reason);
        let pid: i32 = log.lines.iter().find_map(|(_, l)| l.parse().ok()).unwrap();
        assert!(ended_or_kill(pid), "the grandchild survived");
        assert!(log.text().contains("late"), "{}", log.text());
    }

    /// A cancel asks the job's whole group to stop (SIGTERM) and gives it
    /// the grace to do so: a member says goodbye, and the leader's own exit
    /// code is kept.
    #[cfg(unix)]
    #[test]
    fn a_cancel_terms_the_whole_group_and_waits_its_grace() {
        let member = "trap 'echo member got TERM; exit 0' TERM; echo ready; \
                      while :; do sleep 0.05; done";
        let script = format!("sh -c \"{member}\" & trap 'wait; exit 7' TERM; wait");
        let (out, log) = run_sh_cancelled_at(&script, 30.0, Some("ready"));
        assert_eq!(out.status, JobStatus::Cancelled);
        assert_eq!(out.exit_code, Some(7), "{}", log.text());
        assert!(log.text().contains("member got TERM"), "{}", log.text());
    }

    /// Dropping the guard (the runner thread unwinding) kills the job's
    /// whole process group, not only its leader.
    #[cfg(unix)]
    #[test]
    fn the_guard_kills_the_jobs_group() {
        use std::os::unix::process::{CommandExt, ExitStatusExt};
        let mut child = Command::new("sh")
            .args(["-c", "sleep 300 & echo $!; wait"])
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let sleeper: i32 = line.trim().parse().unwrap();
        drop(GroupGuard(child.id() as i32, &JobMark::new()));
        let killed = ends(child.id() as i32);
        if !killed {
            let _ = child.kill();
        }
        assert_eq!(child.wait().unwrap().signal(), Some(libc::SIGKILL));
        assert!(ended_or_kill(sleeper), "the group's other process survived");
    }

    /// Exactly the processes whose environment holds the run's mark as a
    /// whole entry are killed, wherever the entry is.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_mark_kills_exactly_the_marked() {
        let sleep = std::env::split_paths(&std::env::var_os("PATH").unwrap())
            .map(|d| d.join("sleep"))
            .find(|p| p.is_file())
            .unwrap();
        let mark = JobMark::new();
        let start = |env: &[(String, String)]| {
            let mut c = Command::new(&sleep);
            c.arg("300").env_clear();
            for (k, v) in env {
                c.env(k, v);
            }
            c.spawn().unwrap()
        };
        let (name, value) = (mark.name.clone(), mark.value.clone());
        // The environment is passed sorted by name: AAA comes first.
        let marked = [
            start(&[(name.clone(), value.clone())]),
            start(&[("AAA".into(), "1".into()), (name.clone(), value.clone())]),
        ];
        let unmarked = [
            start(&[(format!("Z{name}"), value.clone())]),
            start(&[(name.clone(), format!("{value}0"))]),
            start(&[("AAA".into(), format!("{name}={value}"))]),
        ];
        mark.kill_descendants();
        // Done when it returns: the marked are zombies (our children) by now.
        let ended: Vec<bool> = marked
            .iter()
            .chain(&unmarked)
            .map(|c| gone(c.id() as i32))
            .collect();
        for mut c in marked.into_iter().chain(unmarked) {
            let _ = c.kill();
            let _ = c.wait();
        }
        assert_eq!(ended, [true, true, false, false, false]);
    }
}
