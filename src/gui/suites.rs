//! The Benchmark Suites tab: a `SuiteSession` model and its view.
//!
//! A run is a value (`SuiteRun`: its spec, when it started, its rows, log,
//! result and reports). The session keeps the live run, the newest known run
//! of each spec, and a run the user reopened from history; the panels render
//! the run that belongs to the selected spec, or the spec's plan when it has
//! none. So a log, a table or a status line can never show one run's data
//! under another spec's name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::{Color32, RichText};

use super::history_view::{self, CompareState, SuiteView};
use super::jobs::Job;
use super::palette;
use super::timeline_view;
use super::widgets::log_view::{self, LogBuffer, LogLine};
use super::widgets::throughput::{self, BarDatum};
use super::{Command, ReportAction};
use crate::batch::history::HistoryEntry;
use crate::batch::report::{ReportPaths, SummaryRow, summary_columns, summary_rows};
use crate::batch::runner::{BatchEvent, JobResult, JobStatus, Stream, SuiteResult, run_suite};
use crate::batch::spec::{self, BatchSpec, SpecEntry};
use crate::batch::ticks::TickPoint;
use crate::fmt::{latency_ms, shown_text, thousands};

/// Where a job stands in the table.
#[derive(Debug, Clone, PartialEq)]
pub enum RowStatus {
    /// The spec's plan: no run of it is shown.
    Planned,
    /// In a run, not started yet.
    Pending,
    Running {
        since: Instant,
        run: u32,
        runs: u32,
        /// A warmup run (discarded): `run` of `runs` warmups.
        warmup: bool,
    },
    /// Run `run` of `runs` ended; the next waits its turn (interleaved).
    Between {
        run: u32,
        runs: u32,
        warmup: bool,
    },
    Done(JobStatus),
}

#[derive(Debug, Clone)]
pub struct JobRow {
    pub name: String,
    pub command: String,
    /// "all" for a profile job (it runs every mode).
    pub mode: String,
    /// Resolved against the spec folder (Analyze opens it).
    pub csv: PathBuf,
    pub csv_missing: bool,
    pub status: RowStatus,
    /// The job's outcome once it finished.
    pub result: Option<JobResult>,
    /// Ticks of the measured run in progress (or the last one), live.
    pub live_ticks: Vec<TickPoint>,
    /// Measured runs finished so far, live (with their rounds).
    pub live_runs: Vec<crate::batch::result::RunRecord>,
    /// The half width of the job's interval now (measure until decisive).
    pub live_width: Option<f64>,
}

impl JobRow {
    fn planned(spec: &BatchSpec, j: &spec::JobSpec) -> JobRow {
        let csv = spec.resolve(&j.csv);
        JobRow {
            name: j.name.clone(),
            command: j.command.name().into(),
            mode: mode_cell(j.command.name(), j.mode.name()),
            csv_missing: !csv.is_file(),
            csv,
            status: RowStatus::Planned,
            result: None,
            live_ticks: Vec::new(),
            live_runs: Vec::new(),
            live_width: None,
        }
    }

    fn finished(r: &JobResult, spec_dir: &Path) -> JobRow {
        let csv = if r.csv.is_empty() {
            PathBuf::new()
        } else {
            spec::tidy(&spec_dir.join(&r.csv))
        };
        JobRow {
            name: r.name.clone(),
            command: r.command.clone(),
            mode: mode_cell(&r.command, &r.mode),
            csv_missing: false,
            csv,
            status: RowStatus::Done(r.status),
            result: Some(r.clone()),
            live_ticks: Vec::new(),
            live_runs: Vec::new(),
            live_width: r.half_width_pct,
        }
    }

    /// The job's timeline: the live run's ticks while they come, else the
    /// ticks kept with its result.
    pub fn timeline(&self) -> &[TickPoint] {
        match &self.result {
            Some(r) if self.live_ticks.is_empty() || !r.timeline.is_empty() => &r.timeline,
            _ => &self.live_ticks,
        }
    }

    pub fn ops(&self) -> Option<f64> {
        self.result.as_ref().and_then(|r| r.ops_per_second)
    }

    pub fn status_text(&self, now: Instant) -> String {
        match &self.status {
            RowStatus::Planned if self.csv_missing => "CSV missing".into(),
            RowStatus::Planned => "not run".into(),
            RowStatus::Pending => "pending".into(),
            RowStatus::Running {
                since,
                run,
                runs,
                warmup,
            } => {
                let t = now.duration_since(*since).as_secs_f64();
                if *warmup {
                    format!("warmup {run}/{runs} {t:.1} s")
                } else if *runs > 1 {
                    format!("running {run}/{runs} {t:.1} s")
                } else {
                    format!("running {t:.1} s")
                }
            }
            RowStatus::Between { run, runs, warmup } => {
                let what = if *warmup { "warmup" } else { "run" };
                format!("{what} {run}/{runs} done, waiting")
            }
            RowStatus::Done(s) => {
                let word = match s {
                    JobStatus::Ok => "ok",
                    JobStatus::Failed => "failed",
                    JobStatus::Timeout => "timed out",
                    JobStatus::Cancelled => "cancelled",
                    JobStatus::Skipped => "skipped",
                };
                match self.result.as_ref().and_then(|r| r.reason.as_deref()) {
                    Some(why) if *s != JobStatus::Ok && why != word && why != s.name() => {
                        format!("{word}: {}", shown_text(why, 48))
                    }
                    _ => word.into(),
                }
            }
        }
    }

    /// Duration of a job that ran; skipped and unstarted jobs have none.
    pub fn duration_text(&self) -> String {
        match (&self.status, &self.result) {
            (RowStatus::Done(JobStatus::Skipped), _) => "-".into(),
            (RowStatus::Done(_), Some(r)) => format!("{:.2} s", r.duration_seconds),
            _ => "-".into(),
        }
    }
}

/// A profile job runs every mode; its `mode` field means nothing.
fn mode_cell(command: &str, mode: &str) -> String {
    if command == "profile" {
        "all".into()
    } else {
        mode.into()
    }
}

/// Where a shown run came from.
#[derive(Debug, Clone, PartialEq)]
pub enum RunSource {
    /// Started in this session.
    Live,
    /// Read back from the run history (read-only).
    History(PathBuf),
}

/// One run of one spec, with everything the panels show about it.
pub struct SuiteRun {
    /// The spec as the user opened it (for display).
    pub spec: PathBuf,
    /// The spec's identity (canonical path).
    pub key: PathBuf,
    /// Local start time, `YYYY-MM-DD HH:MM:SS`.
    pub started: String,
    pub rows: Vec<JobRow>,
    pub log: LogBuffer,
    /// Set when the run finished.
    pub result: Option<SuiteResult>,
    pub reports: Option<Result<ReportPaths, String>>,
    pub archive: Option<Result<PathBuf, String>>,
    pub source: RunSource,
    /// What makes this run's figures less trustworthy (a busy machine).
    pub warnings: Vec<String>,
    /// The run measures until every interval is under ±this (percent).
    pub until_ci_pct: Option<f64>,
    running_since: Option<Instant>,
}

impl SuiteRun {
    fn started_now(spec: &BatchSpec, key: PathBuf) -> SuiteRun {
        SuiteRun {
            spec: spec.path.clone(),
            key,
            started: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
            rows: spec
                .jobs
                .iter()
                .map(|j| JobRow {
                    status: RowStatus::Pending,
                    ..JobRow::planned(spec, j)
                })
                .collect(),
            log: LogBuffer::default(),
            result: None,
            reports: None,
            archive: None,
            source: RunSource::Live,
            warnings: Vec::new(),
            until_ci_pct: spec.until_ci_pct,
            running_since: Some(Instant::now()),
        }
    }

    /// A past run read from its archived JSON report.
    pub fn from_history(path: &Path, suite: SuiteResult) -> SuiteRun {
        let spec = PathBuf::from(&suite.spec);
        let dir = spec.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut log = LogBuffer::default();
        for (i, j) in suite.jobs.iter().enumerate() {
            if j.log.dropped > 0 {
                log.push(LogLine {
                    job: i,
                    stream: Stream::Runner,
                    text: format!("({} earlier lines not archived)", j.log.dropped),
                });
            }
            for (stream, text) in &j.log.lines {
                log.push(LogLine {
                    job: i,
                    stream: *stream,
                    text: text.clone(),
                });
            }
        }
        SuiteRun {
            key: spec_key(&spec),
            spec,
            started: suite.generated_at.clone(),
            rows: suite
                .jobs
                .iter()
                .map(|j| JobRow::finished(j, &dir))
                .collect(),
            log,
            reports: None,
            archive: Some(Ok(path.to_path_buf())),
            warnings: suite.warnings.clone(),
            until_ci_pct: suite.until_ci_pct,
            result: Some(suite),
            source: RunSource::History(path.to_path_buf()),
            running_since: None,
        }
    }

    /// Each job's interval width from the runs so far: once a run ends,
    /// never in a frame (the figures are the runner's, `batch::verdict`).
    fn update_widths(&mut self) {
        let snapshots: Vec<JobResult> = self
            .rows
            .iter()
            .map(|r| {
                let mut j = JobResult::planned(
                    &r.name,
                    &r.command,
                    &r.mode,
                    &r.csv.display().to_string(),
                    r.live_runs.len() as u32,
                );
                // A failed run ends the job: no more width to watch.
                j.status = if r.live_runs.iter().all(|x| x.status == JobStatus::Ok) {
                    JobStatus::Ok
                } else {
                    JobStatus::Failed
                };
                j.runs = r.live_runs.clone();
                crate::batch::verdict::snapshot(&j, j.planned_runs)
            })
            .collect();
        let widths = crate::batch::verdict::decisive_widths(&snapshots.iter().collect::<Vec<_>>());
        for (row, (w, _)) in self.rows.iter_mut().zip(widths) {
            row.live_width = w;
        }
    }

    pub fn is_running(&self) -> bool {
        self.result.is_none()
    }

    pub fn done_count(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.status, RowStatus::Done(_)))
            .count()
    }

    /// The status line: "Run of … : finished 2/2 ok in 3.21 s".
    pub fn headline(&self) -> (String, Color32) {
        let from = match &self.source {
            RunSource::Live => String::new(),
            RunSource::History(_) => " (from history, read-only)".into(),
        };
        match &self.result {
            None => {
                let t = self
                    .running_since
                    .map_or(0.0, |s| s.elapsed().as_secs_f64());
                (
                    format!(
                        "Run started {}: {}/{} jobs done, {t:.1} s",
                        self.started,
                        self.done_count(),
                        self.rows.len()
                    ),
                    palette::ACCENT,
                )
            }
            Some(s) => {
                let color = palette::outcome(s.outcome());
                let how = match s.outcome() {
                    "cancelled" => "cancelled",
                    _ => "finished",
                };
                (
                    format!(
                        "Run of {}{from}: {how}, {}/{} ok in {:.2} s",
                        self.started,
                        s.ok_count(),
                        s.jobs.len(),
                        s.wall_seconds
                    ),
                    color,
                )
            }
        }
    }

    fn apply(&mut self, ev: BatchEvent) {
        match ev {
            BatchEvent::SuiteStarted { .. } => {}
            BatchEvent::Warning(w) => self.warnings.push(w),
            BatchEvent::Tick {
                job,
                warmup: false,
                tick,
                ..
            } => {
                if let Some(r) = self.rows.get_mut(job) {
                    r.live_ticks.push(*tick);
                }
            }
            BatchEvent::Tick { .. } => {}
            BatchEvent::JobStarted {
                job,
                run,
                runs,
                warmup,
                ..
            } => {
                if let Some(r) = self.rows.get_mut(job) {
                    r.status = RowStatus::Running {
                        since: Instant::now(),
                        run,
                        runs,
                        warmup,
                    };
                    if !warmup {
                        r.live_ticks.clear();
                    }
                }
            }
            BatchEvent::RunFinished {
                job,
                run,
                warmup,
                record,
            } => {
                if let Some(r) = self.rows.get_mut(job)
                    && let RowStatus::Running { runs, .. } = r.status
                {
                    r.status = RowStatus::Between { run, runs, warmup };
                }
                if !warmup && let Some(r) = self.rows.get_mut(job) {
                    r.live_runs.push(record);
                }
                if !warmup && self.until_ci_pct.is_some() {
                    self.update_widths();
                }
            }
            BatchEvent::Log { job, stream, line } => self.log.push(LogLine {
                job,
                stream,
                text: line,
            }),
            BatchEvent::JobFinished { job, result } => {
                if let Some(r) = self.rows.get_mut(job) {
                    r.status = RowStatus::Done(result.status);
                    r.result = Some(*result);
                }
            }
            BatchEvent::SuiteFinished {
                result,
                reports,
                history,
            } => {
                // The runner's own start time is the run's name in its
                // reports and history: show that one from now on, so a run
                // reopened later carries the same label (the GUI's clock
                // read at the click can be a second earlier).
                if !result.generated_at.is_empty() {
                    self.started = result.generated_at.clone();
                }
                self.result = Some(*result);
                self.reports = Some(reports);
                self.archive = history;
                self.running_since = None;
            }
        }
    }

    /// The HTML report this run wrote itself, if any.
    pub fn own_html_report(&self) -> Option<PathBuf> {
        match (&self.source, &self.reports) {
            (RunSource::Live, Some(Ok(p))) => p.html.clone(),
            _ => None,
        }
    }
}

/// A spec's identity: its canonical path, so `docs/x.toml` and
/// `/repo/docs/x.toml` are one spec.
pub fn spec_key(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// The suite running on its worker thread.
struct LiveRun {
    job: Job<BatchEvent, SuiteResult>,
    run: SuiteRun,
}

/// What a finished run left, for the recent-runs list and a notice.
#[derive(Debug, Clone)]
pub struct FinishedRun {
    pub spec: PathBuf,
    pub started: String,
    pub ok: usize,
    pub total: usize,
    pub outcome: &'static str,
    pub reports: Result<ReportPaths, String>,
    pub archive: Option<Result<PathBuf, String>>,
}

/// The selected spec's archived runs.
#[derive(Debug, Clone, Default)]
pub struct HistoryList {
    pub key: Option<PathBuf>,
    pub entries: Vec<HistoryEntry>,
    pub loading: bool,
}

pub struct SuiteSession {
    /// The `adhash` that runs jobs of specs without `hashmap_cli`.
    pub cli_exe: PathBuf,
    pub catalog: Vec<SpecEntry>,
    pub spec_path: Option<PathBuf>,
    pub spec_key: Option<PathBuf>,
    pub spec: Option<Result<BatchSpec, String>>,
    /// The selected spec's jobs, shown when no run of it is.
    plan: Vec<JobRow>,
    live: Option<LiveRun>,
    /// The newest run of each spec this session knows (finished).
    pub last: HashMap<PathBuf, SuiteRun>,
    /// An older run the user reopened; shown while its spec is selected.
    pub pinned: Option<SuiteRun>,
    pub history: HistoryList,
    /// What the main area shows: the run, History or Compare.
    pub view: SuiteView,
    /// Archived runs picked in History for comparison (at most two).
    pub picks: Vec<PathBuf>,
    /// The last comparison asked for.
    pub comparison: Option<CompareState>,
    /// Jobs whose ops/s curves the Timeline overlays (two or more).
    pub overlay: Vec<usize>,
    pub selected_job: Option<usize>,
    pub log_filter: String,
    pub jump_to_end: bool,
    /// The log shown when no run is (always empty).
    empty_log: LogBuffer,
}

impl SuiteSession {
    pub fn new(cli_exe: PathBuf) -> Self {
        SuiteSession {
            cli_exe,
            catalog: Vec::new(),
            spec_path: None,
            spec_key: None,
            spec: None,
            plan: Vec::new(),
            live: None,
            last: HashMap::new(),
            pinned: None,
            history: HistoryList::default(),
            view: SuiteView::default(),
            picks: Vec::new(),
            comparison: None,
            overlay: Vec::new(),
            selected_job: None,
            log_filter: String::new(),
            jump_to_end: false,
            empty_log: LogBuffer::with_capacity(1),
        }
    }

    pub fn is_running(&self) -> bool {
        self.live.is_some()
    }

    /// The running suite's spec, done jobs and total, for indicators.
    pub fn live_progress(&self) -> Option<(PathBuf, usize, usize)> {
        self.live
            .as_ref()
            .map(|l| (l.run.spec.clone(), l.run.done_count(), l.run.rows.len()))
    }

    /// The live run is the selected spec's.
    pub fn live_is_shown(&self) -> bool {
        self.live
            .as_ref()
            .is_some_and(|l| Some(&l.run.key) == self.spec_key.as_ref())
    }

    /// The run the panels show: the reopened one, else the live one, else
    /// the newest known, all only for the selected spec.
    pub fn shown(&self) -> Option<&SuiteRun> {
        let key = self.spec_key.as_ref()?;
        if let Some(p) = self.pinned.as_ref().filter(|p| &p.key == key) {
            return Some(p);
        }
        if let Some(l) = self.live.as_ref().filter(|l| &l.run.key == key) {
            return Some(&l.run);
        }
        self.last.get(key)
    }

    fn shown_mut(&mut self) -> Option<&mut SuiteRun> {
        let key = self.spec_key.clone()?;
        if self.pinned.as_ref().is_some_and(|p| p.key == key) {
            return self.pinned.as_mut();
        }
        if self.live.as_ref().is_some_and(|l| l.run.key == key) {
            return self.live.as_mut().map(|l| &mut l.run);
        }
        self.last.get_mut(&key)
    }

    /// The finished result of the shown run (what Export writes).
    pub fn shown_result(&self) -> Option<&SuiteResult> {
        self.shown().and_then(|r| r.result.as_ref())
    }

    /// The table's rows: the shown run's, or the spec's plan.
    pub fn rows(&self) -> &[JobRow] {
        self.shown().map_or(&self.plan, |r| &r.rows)
    }

    /// The live run's log (the frame benchmark preloads it).
    pub fn live_log_mut(&mut self) -> Option<&mut LogBuffer> {
        self.live.as_mut().map(|l| &mut l.run.log)
    }

    /// The shown run's log (empty when no run is shown).
    pub fn log(&self) -> &LogBuffer {
        self.shown().map_or(&self.empty_log, |r| &r.log)
    }

    /// Re-read the specs in `folders` and the single `files` the user
    /// opened (small files: fine on the GUI thread).
    pub fn refresh_catalog(&mut self, folders: &[PathBuf], files: &[PathBuf]) {
        self.catalog = spec::bundled_specs(folders, None, &self.cli_exe);
        for f in files {
            let canonical = spec_key(f);
            if f.is_file() && !self.catalog.iter().any(|e| e.canonical == canonical) {
                self.catalog.push(SpecEntry {
                    path: f.clone(),
                    canonical,
                    spec: spec::load(f, None, &self.cli_exe).map_err(|e| e.detail),
                });
            }
        }
    }

    /// The spec at `path` is not in the browser yet.
    pub fn is_uncatalogued(&self, path: &Path) -> bool {
        let key = spec_key(path);
        !self.catalog.iter().any(|e| e.canonical == key)
    }

    /// Select a spec; an invalid one is kept with its error (shown, not
    /// hidden). Returns whether its history should be read.
    pub fn open_spec(&mut self, path: &Path) -> bool {
        let key = spec_key(path);
        if self.spec_key.as_ref() != Some(&key) {
            self.pinned = None;
            self.selected_job = None;
            self.history = HistoryList::default();
            // Picks are runs of the spec that was selected.
            self.picks.clear();
            self.overlay.clear();
        }
        self.spec_path = Some(path.to_path_buf());
        self.spec_key = Some(key);
        let loaded = spec::load(path, None, &self.cli_exe).map_err(|e| e.detail);
        self.plan = match &loaded {
            Ok(s) => s.jobs.iter().map(|j| JobRow::planned(s, j)).collect(),
            Err(_) => Vec::new(),
        };
        let ok = loaded.is_ok();
        self.spec = Some(loaded);
        self.sync_filter();
        ok
    }

    /// Start the selected spec on a worker thread.
    pub fn start(&mut self, waker: super::Waker) -> Result<(), String> {
        if let Some(l) = &self.live {
            return Err(format!(
                "{} is already running: stop it first",
                l.run.spec.display()
            ));
        }
        // Re-read the spec so edits made since it was opened are run.
        if let Some(p) = self.spec_path.clone() {
            self.open_spec(&p);
        }
        let spec = match &self.spec {
            Some(Ok(s)) => s.clone(),
            Some(Err(e)) => return Err(format!("the spec is invalid: {e}")),
            None => return Err("open a spec first".into()),
        };
        let key = self
            .spec_key
            .clone()
            .unwrap_or_else(|| spec_key(&spec.path));
        let run = SuiteRun::started_now(&spec, key);
        let job = Job::spawn("suite", 16 * 1024, waker, move |ctx| {
            run_suite(&spec, ctx.sender(), ctx.waker(), ctx.cancel_token())
        })?;
        self.pinned = None;
        self.live = Some(LiveRun { job, run });
        self.sync_filter();
        Ok(())
    }

    pub fn stop(&mut self) {
        if let Some(l) = &self.live {
            l.job.cancel();
        }
    }

    /// Stop a running suite and wait (at most `limit`) until it has ended:
    /// its job killed, its report written. For closing the app.
    pub fn shutdown(&mut self, limit: Duration) {
        self.stop();
        let until = Instant::now() + limit;
        while self.is_running() && Instant::now() < until {
            if self.drain(Duration::from_millis(20)).is_none() {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    /// Apply the live run's events for at most `budget`; returns the run
    /// if it finished.
    pub fn drain(&mut self, budget: Duration) -> Option<FinishedRun> {
        let live = self.live.as_mut()?;
        let polled = live.job.poll(budget, || SuiteResult {
            spec: live.run.spec.display().to_string(),
            description: None,
            cli: String::new(),
            generated_at: live.run.started.clone(),
            started_at: String::new(),
            finished_at: String::new(),
            wall_seconds: 0.0,
            cancelled: false,
            environment: Default::default(),
            warnings: Vec::new(),
            until_ci_pct: None,
            jobs: Vec::new(),
        });
        for ev in polled.progress {
            live.run.apply(ev);
        }
        let suite = polled.done?;
        let LiveRun { mut run, .. } = self.live.take()?;
        if run.result.is_none() {
            // The runner thread died before it reported the end.
            if !suite.generated_at.is_empty() {
                run.started = suite.generated_at.clone();
            }
            run.result = Some(suite);
            run.reports = Some(Err("the runner stopped unexpectedly".into()));
            run.running_since = None;
        }
        let result = run.result.as_ref()?;
        let finished = FinishedRun {
            spec: run.spec.clone(),
            started: run.started.clone(),
            ok: result.ok_count(),
            total: result.jobs.len(),
            outcome: result.outcome(),
            reports: run
                .reports
                .clone()
                .unwrap_or_else(|| Err("no reports".into())),
            archive: run.archive.clone(),
        };
        if self.pinned.as_ref().is_some_and(|p| p.key == run.key) {
            self.pinned = None;
        }
        // The new run is at once in its spec's history list.
        if let (Some(Ok(path)), Some(result)) = (&run.archive, &run.result)
            && self.history.key.as_ref() == Some(&run.key)
            && !self.history.entries.iter().any(|e| &e.path == path)
        {
            self.history
                .entries
                .insert(0, HistoryEntry::of(path, result));
        }
        self.last.insert(run.key.clone(), run);
        self.sync_filter();
        Some(finished)
    }

    /// Events are waiting (the budget ran out).
    pub fn has_backlog(&self) -> bool {
        self.live.as_ref().is_some_and(|l| l.job.has_backlog())
    }

    /// The history of `key` was read: keep the list, and show its newest
    /// run if nothing newer is known.
    pub fn history_loaded(
        &mut self,
        key: PathBuf,
        entries: Vec<HistoryEntry>,
        latest: Option<(PathBuf, SuiteResult)>,
    ) {
        if self.spec_key.as_ref() == Some(&key) {
            self.history = HistoryList {
                key: Some(key.clone()),
                entries,
                loading: false,
            };
        }
        let live_here = self.live.as_ref().is_some_and(|l| l.run.key == key);
        // A run reopened before the history arrived may be the newest one:
        // then it is not "pinned", just the spec's last run.
        if let (Some(p), Some((path, _))) = (&self.pinned, &latest)
            && p.key == key
            && p.source == RunSource::History(path.clone())
            && !live_here
        {
            let run = self.pinned.take();
            if !self.last.contains_key(&key)
                && let Some(run) = run
            {
                self.last.insert(key.clone(), run);
            }
            self.sync_filter();
        }
        if let Some((path, suite)) = latest
            && !live_here
            && !self.last.contains_key(&key)
        {
            let mut run = SuiteRun::from_history(&path, suite);
            run.key = key.clone();
            self.last.insert(key, run);
            self.sync_filter();
        }
    }

    /// Show a past run (read-only). The caller selected its spec first.
    pub fn pin(&mut self, path: &Path, suite: SuiteResult) {
        let mut run = SuiteRun::from_history(path, suite);
        if let Some(k) = &self.spec_key
            && spec_key(&run.spec) == *k
        {
            run.key = k.clone();
        }
        // The spec's newest run is shown anyway: no need to pin it.
        let newest = self.last.get(&run.key).and_then(|r| match &r.source {
            RunSource::History(p) => Some(p.clone()),
            RunSource::Live => r.archive.clone().and_then(Result::ok),
        });
        let live_here = self.live.as_ref().is_some_and(|l| l.run.key == run.key);
        if newest.as_deref() == Some(path) && !live_here {
            self.pinned = None;
            self.selected_job = None;
            self.sync_filter();
            return;
        }
        self.pinned = Some(run);
        self.selected_job = None;
        self.sync_filter();
    }

    /// Pick or unpick a run for comparison; a third pick replaces the
    /// oldest pick.
    pub fn toggle_pick(&mut self, path: PathBuf) {
        if let Some(i) = self.picks.iter().position(|p| *p == path) {
            self.picks.remove(i);
        } else {
            if self.picks.len() == 2 {
                self.picks.remove(0);
            }
            self.picks.push(path);
        }
    }

    pub fn toggle_overlay(&mut self, job: usize) {
        match self.overlay.iter().position(|&j| j == job) {
            Some(i) => {
                self.overlay.remove(i);
            }
            None if job < self.rows().len() => self.overlay.push(job),
            None => {}
        }
    }

    pub fn unpin(&mut self) {
        self.pinned = None;
        self.selected_job = None;
        self.sync_filter();
    }

    pub fn select_job(&mut self, job: Option<usize>) {
        self.selected_job = job.filter(|&j| j < self.rows().len());
        self.sync_filter();
    }

    pub fn set_log_filter(&mut self, text: String) {
        self.log_filter = text;
        self.sync_filter();
    }

    /// Apply the filter to the shown run's log, so every panel drawn this
    /// frame sees the same filter.
    fn sync_filter(&mut self) {
        let (text, job) = (self.log_filter.clone(), self.selected_job);
        if let Some(r) = self.shown_mut() {
            r.log.set_filter(&text, job);
        }
    }

    pub fn job_names(&self) -> Vec<String> {
        self.rows().iter().map(|r| r.name.clone()).collect()
    }

    /// The results of the jobs that finished (borrowed: drawn every frame).
    pub fn finished_results(&self) -> Vec<&JobResult> {
        self.rows()
            .iter()
            .filter_map(|r| r.result.as_ref())
            .collect()
    }

    /// Bars of the ranked jobs, fastest first, with their spread.
    pub fn bars(&self) -> Vec<BarDatum> {
        let jobs = self.finished_results();
        throughput::bar_data(&summary_rows(&jobs))
    }
}

/// The tab's editable fields (kept across restarts by the app).
pub struct TextInputs<'a> {
    /// The spec path field.
    pub spec: &'a mut String,
    /// The report export path.
    pub export: &'a mut String,
    /// The name History saves a baseline under.
    pub baseline: &'a mut String,
    /// Where Compare exports the comparison.
    pub compare_export: &'a mut String,
}

/// The tab's view. `folders` and `files` are what the user added to the
/// browser.
pub fn show(
    ui: &mut egui::Ui,
    s: &SuiteSession,
    inputs: TextInputs,
    (folders, files): (&[PathBuf], &[PathBuf]),
    cmds: &mut Vec<Command>,
) {
    let TextInputs {
        spec: spec_input,
        export: export_input,
        baseline,
        compare_export,
    } = inputs;
    let full = ui.available_size();
    egui::Panel::left("spec_browser")
        .resizable(true)
        .default_size((full.x * 0.22).clamp(220.0, 420.0))
        .min_size(220.0)
        // Bounded by this frame's window, never by the panel's own content.
        .max_size((full.x * 0.4).max(240.0))
        .show(ui, |ui| {
            spec_browser(ui, s, spec_input, (folders, files), cmds)
        });
    egui::CentralPanel::default().show(ui, |ui| {
        run_bar(ui, s, export_input, cmds);
        ui.separator();
        // Fractions of the whole tab's height (not of what the run bar
        // left, which varies by spec): the split stays proportional at any
        // window size and does not jump when another spec is selected.
        let tab = full.y;
        egui::Panel::bottom("live_log_panel")
            .resizable(true)
            .default_size(tab * 0.32)
            .min_size((tab * 0.18).max(60.0))
            .max_size(tab * 0.6)
            .show(ui, |ui| log_panel(ui, s, cmds));
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("suite_main")
                .auto_shrink([false, false])
                .show(ui, |ui| match s.view {
                    SuiteView::History => history_view::history_view(ui, s, baseline, cmds),
                    SuiteView::Timeline => timeline_view::show(ui, s, cmds),
                    SuiteView::Compare => history_view::compare_view(ui, s, compare_export, cmds),
                    SuiteView::Jobs => {
                        // Only the table scrolls sideways when it is wider than
                        // the panel; the chart below keeps the panel's width.
                        egui::ScrollArea::horizontal()
                            .id_salt("jobs_table_scroll")
                            .show(ui, |ui| jobs_table(ui, s, cmds));
                        ui.add_space(8.0);
                        let bars = s.bars();
                        if !bars.is_empty() {
                            ui.label(RichText::new("Throughput (ops/s, median of runs)").strong());
                            // Room for every run-csv job from the start, so the
                            // chart does not grow (and push the page) as jobs end.
                            let planned =
                                s.rows().iter().filter(|r| r.command == "run-csv").count();
                            let id = s.spec_key.clone();
                            throughput::show(ui, id, &bars, planned);
                        }
                        ui.add_space(8.0);
                        spec_preview(ui, s);
                    }
                });
        });
    });
}

fn spec_browser(
    ui: &mut egui::Ui,
    s: &SuiteSession,
    spec_input: &mut String,
    (folders, files): (&[PathBuf], &[PathBuf]),
    cmds: &mut Vec<Command>,
) {
    ui.heading("Specs");
    ui.horizontal_wrapped(|ui| {
        if ui.button("Open spec…").clicked() {
            cmds.push(Command::PickSpec);
        }
        if ui.button("Add folder…").clicked() {
            cmds.push(Command::PickFolder);
        }
        if ui
            .button("Refresh")
            .on_hover_text("Re-read the spec folders")
            .clicked()
        {
            cmds.push(Command::RefreshCatalog);
        }
    });
    let label = ui.label("Spec or folder path");
    // Right to left: the button takes its width first, the field the rest
    // of this frame's width, so nothing depends on the last frame.
    ui.horizontal(|ui| {
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let load = ui.button("Load");
            let edit = ui.add(
                egui::TextEdit::singleline(spec_input)
                    .hint_text("suite.toml or a folder of specs")
                    .desired_width(ui.available_width()),
            );
            edit.clone().labelled_by(label.id);
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (load.clicked() || enter) && !spec_input.trim().is_empty() {
                cmds.push(Command::OpenSpec(super::typed_path(spec_input)));
            }
        });
    });
    for (i, f) in folders.iter().enumerate() {
        ui.horizontal(|ui| {
            if ui
                .small_button("×")
                .on_hover_text("Stop listing this folder")
                .clicked()
            {
                cmds.push(Command::RemoveFolder(i));
            }
            ui.add(
                egui::Label::new(RichText::new(format!("folder: {}", f.display())).small())
                    .truncate(),
            );
        });
    }
    for (i, f) in files.iter().enumerate() {
        ui.horizontal(|ui| {
            if ui
                .small_button("×")
                .on_hover_text("Stop listing this spec")
                .clicked()
            {
                cmds.push(Command::RemoveSpecFile(i));
            }
            ui.add(
                egui::Label::new(RichText::new(format!("spec: {}", f.display())).small())
                    .truncate(),
            );
        });
    }
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("catalog")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if s.catalog.is_empty() {
                ui.weak("No specs found. Open one or add a folder.");
            }
            let running = s.live.as_ref().map(|l| l.run.key.clone());
            for entry in &s.catalog {
                let key = entry.canonical.clone();
                let selected = s.spec_key.as_ref() == Some(&key);
                let name = entry.path.file_name().map_or_else(
                    || entry.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let busy = if running.as_ref() == Some(&key) {
                    "  · running"
                } else {
                    ""
                };
                let resp = ui
                    .push_id(key.display().to_string(), |ui| {
                        let title = match &entry.spec {
                            Ok(spec) => RichText::new(format!(
                                "{name}  ·  {} job{}{busy}",
                                spec.jobs.len(),
                                if spec.jobs.len() == 1 { "" } else { "s" }
                            ))
                            .strong(),
                            Err(_) => RichText::new(format!("{name}  ·  invalid"))
                                .strong()
                                .color(palette::BAD),
                        };
                        let r = ui.selectable_label(selected, title);
                        match &entry.spec {
                            Ok(spec) => {
                                if let Some(d) = &spec.description {
                                    ui.add(egui::Label::new(RichText::new(d).small()).wrap());
                                }
                            }
                            Err(e) => {
                                ui.add(
                                    egui::Label::new(
                                        RichText::new(first_line(e)).small().color(palette::WARN),
                                    )
                                    .truncate(),
                                )
                                .on_hover_text(RichText::new(e).monospace());
                            }
                        }
                        ui.add(
                            egui::Label::new(
                                RichText::new(entry.path.display().to_string())
                                    .small()
                                    .weak(),
                            )
                            .truncate(),
                        );
                        ui.add_space(6.0);
                        r
                    })
                    .inner;
                if resp.clicked() {
                    cmds.push(Command::OpenSpec(entry.path.clone()));
                }
            }
        });
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn run_bar(
    ui: &mut egui::Ui,
    s: &SuiteSession,
    export_input: &mut String,
    cmds: &mut Vec<Command>,
) {
    let title = s.spec_path.as_ref().map_or_else(
        || "No spec selected".to_string(),
        |p| {
            p.file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
        },
    );
    ui.horizontal(|ui| {
        ui.heading(title);
        // A suite of another spec is running: say so on the title row (a
        // row of its own would push the page down, then up when it ends).
        if let Some(l) = s.live.as_ref().filter(|_| !s.live_is_shown()) {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Show it").clicked() {
                    cmds.push(Command::OpenSpec(l.run.spec.clone()));
                }
                let name = l.run.spec.file_name().map_or_else(
                    || l.run.spec.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                ui.colored_label(
                    palette::ACCENT,
                    format!(
                        "{name} is running ({}/{} jobs done)",
                        l.run.done_count(),
                        l.run.rows.len()
                    ),
                )
                .on_hover_text(l.run.spec.display().to_string());
                super::palette::busy_dot(ui);
                if let Some(p) = &s.spec_path {
                    ui.add(
                        egui::Label::new(RichText::new(p.display().to_string()).weak()).truncate(),
                    );
                }
            });
        } else if let Some(p) = &s.spec_path {
            ui.add(egui::Label::new(RichText::new(p.display().to_string()).weak()).truncate());
        }
    });
    ui.horizontal_wrapped(|ui| {
        let can_run = !s.is_running() && matches!(s.spec, Some(Ok(_)));
        let run_hint = if s.is_running() {
            "One suite runs at a time: stop the running one first"
        } else {
            "Run every job of this spec"
        };
        if ui
            .add_enabled(
                can_run,
                egui::Button::new(RichText::new("▶ Run").strong()).min_size(egui::vec2(72.0, 0.0)),
            )
            .on_hover_text(run_hint)
            .on_disabled_hover_text(run_hint)
            .clicked()
        {
            cmds.push(Command::Run);
        }
        if ui
            .add_enabled(
                s.live_is_shown(),
                egui::Button::new("⏹ Stop").min_size(egui::vec2(72.0, 0.0)),
            )
            .clicked()
        {
            cmds.push(Command::Stop);
        }
        match s.shown() {
            Some(run) => {
                if run.is_running() {
                    super::palette::busy_dot(ui);
                }
                let (text, color) = run.headline();
                ui.colored_label(color, text);
                // Short on the row (it must not push the page around); the
                // whole warning on hover, and in the reports.
                if let Some(first) = run.warnings.first() {
                    let head = first.split(':').next().unwrap_or(first);
                    let more = match run.warnings.len() {
                        1 => String::new(),
                        n => format!(" (+{})", n - 1),
                    };
                    ui.colored_label(
                        super::palette::WARN,
                        format!("⚠ {}{more}", shown_text(head, 40)),
                    )
                    .on_hover_text(run.warnings.join("\n"));
                }
                if matches!(run.source, RunSource::History(_))
                    && s.pinned.as_ref().is_some_and(|p| p.key == run.key)
                    && ui.button("Show latest").clicked()
                {
                    cmds.push(Command::ShowLatestRun);
                }
            }
            None if s.history.loading => {
                ui.weak("Reading this spec's history…");
            }
            None if matches!(s.spec, Some(Ok(_))) => {
                ui.weak("Not run yet: press Run");
            }
            None => {}
        }
        view_switch(ui, s, cmds);
    });
    let finished = s.shown_result().is_some();
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Export report to");
        let edit = ui.add_enabled(
            finished,
            egui::TextEdit::singleline(export_input)
                .hint_text("reports/export.html")
                .desired_width(220.0),
        );
        edit.labelled_by(label.id);
        let hint = "Markdown, HTML or JSON, chosen by the extension (.md, .html, .json)";
        if ui
            .add_enabled(finished, egui::Button::new("Write"))
            .on_hover_text(hint)
            .on_disabled_hover_text("Finish or reopen a run first")
            .clicked()
        {
            cmds.push(Command::Report(ReportAction::Export(super::typed_path(
                export_input,
            ))));
        }
        if ui
            .add_enabled(finished, egui::Button::new("Save as…"))
            .on_hover_text(hint)
            .on_disabled_hover_text("Finish or reopen a run first")
            .clicked()
        {
            cmds.push(Command::Report(ReportAction::PickExport));
        }
        if ui
            .add_enabled(finished, egui::Button::new("Open report"))
            .on_hover_text("Open this run's HTML report in the browser")
            .on_disabled_hover_text("Finish or reopen a run first")
            .clicked()
        {
            cmds.push(Command::Report(ReportAction::Open));
        }
    });
    if let Some(Err(e)) = &s.spec {
        egui::Frame::new()
            .fill(palette::BAD.gamma_multiply(0.12))
            .inner_margin(6)
            .show(ui, |ui| {
                ui.colored_label(palette::BAD, "Invalid spec:");
                // Monospace keeps TOML error carets under the column they mark.
                // Both ways: a long line scrolls inside the box instead of
                // pushing the panel past the window.
                egui::ScrollArea::both()
                    .id_salt("spec_error")
                    .max_height(120.0)
                    .max_width(ui.available_width())
                    .show(ui, |ui| {
                        ui.add(
                            egui::Label::new(RichText::new(e).monospace().color(palette::BAD))
                                .extend(),
                        );
                    });
            });
    }
}

/// Jobs | History (n) | Compare, and "Compare with previous" once a run
/// of the spec has one before it.
fn view_switch(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    let n = s.history.entries.len();
    let history = if n == 0 {
        "History".to_string()
    } else {
        format!("History ({n})")
    };
    ui.separator();
    for (view, label, hover) in [
        (
            SuiteView::Jobs,
            "Jobs".to_string(),
            "The shown run's jobs and throughput",
        ),
        (
            SuiteView::Timeline,
            "Timeline".to_string(),
            "Throughput, load, probes and migrations over the run, live",
        ),
        (
            SuiteView::History,
            history,
            "Past runs of this spec (formats.md §9 run history)",
        ),
        (
            SuiteView::Compare,
            "Compare".to_string(),
            "What changed between two runs, with 97% intervals",
        ),
    ] {
        if ui
            .selectable_label(s.view == view, label)
            .on_hover_text(hover)
            .clicked()
        {
            cmds.push(Command::SuiteView(view));
        }
    }
    if let Some((old, new)) = history_view::previous_pair(s)
        && ui
            .button("Compare with previous")
            .on_hover_text("This run against the run of this spec before it")
            .clicked()
    {
        cmds.push(Command::CompareRuns { old, new });
    }
}

/// The jobs table: honest figures of the shown run (formats.md §8 names).
fn jobs_table(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    let rows = s.rows();
    if rows.is_empty() {
        return;
    }
    let now = Instant::now();
    // A narrow panel gets a compact Spread cell (the range is on hover).
    let narrow = ui.available_width() < 1000.0;
    let jobs = s.finished_results();
    let summary = summary_rows(&jobs);
    let (xstd, spread) = summary_columns(&summary);
    let by_name = |name: &str| summary.iter().find(|r| r.job.name == name);
    // Jobs on different CSVs are ranked apart: the table says which is whose.
    let by_workload = crate::batch::report::several_workloads(&summary);
    let mut headers = vec!["Job", "Mode"];
    if by_workload {
        headers.push("Workload");
    }
    headers.extend(["Status", "Duration", "Ops/s", "Δ vs. max"]);
    if xstd {
        headers.push("×std");
    }
    if spread {
        headers.push("Spread");
    }
    // Measuring until decisive: each job's interval now, against the target.
    let until = s.shown().and_then(|r| r.until_ci_pct);
    if until.is_some() {
        headers.push("Interval");
    }
    headers.extend(["p99 (ms)", "Backend", ""]);
    // One layout memory per spec and column set: a new table gets egui's
    // hidden sizing pass instead of one frame drawn with another's widths.
    egui::Grid::new(("jobs_table", s.spec_key.clone(), headers.len()))
        .striped(true)
        .num_columns(headers.len())
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for h in &headers {
                let l = ui.label(RichText::new(*h).strong());
                match *h {
                    "Δ vs. max" => {
                        l.on_hover_text(
                            "Relative to the fastest job on the same CSV whose runs all ended ok",
                        );
                    }
                    "Workload" => {
                        l.on_hover_text("The CSV the job replays: jobs are ranked within their workload, never across");
                    }
                    "×std" => {
                        l.on_hover_text("Ops/s ÷ the std job's on the same CSV (the control)");
                    }
                    "Spread" => {
                        l.on_hover_text("min – max of the runs and their coefficient of variation; ⚠ above 5%");
                    }
                    "Interval" => {
                        l.on_hover_text(format!(
                            "Half width of the job's 97% interval (of its ×std where a std job runs its CSV, else of its median); rounds are added until every job is under ±{}%",
                            until.unwrap_or_default()
                        ));
                    }
                    _ => {}
                }
            }
            ui.end_row();
            for (i, r) in rows.iter().enumerate() {
                let selected = s.selected_job == Some(i);
                if ui
                    .selectable_label(selected, &r.name)
                    .on_hover_text("Show only this job's log lines (click again for all)")
                    .clicked()
                {
                    cmds.push(Command::SelectJob(if selected { None } else { Some(i) }));
                }
                // A profile job runs every mode: say so in one cell.
                if r.command == "profile" {
                    ui.label("profile (all)")
                        .on_hover_text("profile: replays a sample against every mode and recommends one");
                } else {
                    ui.label(&r.mode).on_hover_text(format!("{} --mode {}", r.command, r.mode));
                }
                if by_workload {
                    let name = r
                        .csv
                        .file_name()
                        .map_or_else(|| "-".into(), |n| n.to_string_lossy().into_owned());
                    ui.label(shown_text(&name, 30)).on_hover_text(r.csv.display().to_string());
                }
                let status = ui.add(
                    egui::Label::new(
                        RichText::new(shown_text(&r.status_text(now), 30)).color(status_color(r)),
                    )
                    .wrap_mode(egui::TextWrapMode::Extend),
                );
                if let Some(why) = r.result.as_ref().and_then(|x| x.reason.as_deref()) {
                    status.on_hover_text(why);
                } else if r.csv_missing {
                    status.on_hover_text(format!("{} does not exist", r.csv.display()));
                }
                ui.label(r.duration_text());
                let row: Option<&SummaryRow> = by_name(&r.name);
                let ops = match (r.ops(), row.and_then(|x| x.partial.as_deref())) {
                    (Some(o), Some(mark)) => format!("{} ({mark})", thousands(o)),
                    (Some(o), None) => thousands(o),
                    (None, _) => "-".into(),
                };
                ui.label(ops);
                ui.label(row.map_or("-".into(), |x| x.delta.clone()));
                if xstd {
                    ui.label(row.and_then(|x| x.times_std.clone()).unwrap_or("-".into()));
                }
                if spread {
                    // The report's figures, in the table's compact units.
                    match r.result.as_ref().and_then(JobResult::spread) {
                        Some(st) => {
                            let text = if narrow {
                                format!("CV {:.1}%", st.cv * 100.0)
                            } else {
                                format!(
                                    "{} – {} (CV {:.1}%)",
                                    throughput::compact(st.min),
                                    throughput::compact(st.max),
                                    st.cv * 100.0
                                )
                            };
                            let full = format!(
                                "{} runs: {} – {} ops/s, CV {:.1}%",
                                st.n,
                                thousands(st.min),
                                thousands(st.max),
                                st.cv * 100.0
                            );
                            if st.is_noisy() {
                                ui.label(RichText::new(format!("{text} ⚠")).color(palette::WARN))
                                    .on_hover_text(format!("{full}: the runs vary by more than 5%, so the median may not rank this job reliably"));
                            } else {
                                ui.label(text).on_hover_text(full);
                            }
                        }
                        None => {
                            ui.label("-");
                        }
                    }
                }
                if let Some(target) = until {
                    match r.live_width {
                        Some(w) => {
                            let met = w < target;
                            ui.label(
                                RichText::new(format!("±{w:.2}% / ±{target}%"))
                                    .color(if met { palette::GOOD } else { palette::WARN }),
                            )
                            .on_hover_text(if met {
                                "under the target"
                            } else {
                                "not under the target yet"
                            });
                        }
                        None => {
                            ui.label("-").on_hover_text(
                                "no interval yet: it needs 7 runs (or 7 rounds paired with the control)",
                            );
                        }
                    }
                }
                ui.label(latency_ms(r.result.as_ref().and_then(|x| x.p99_ms)));
                let backend = r.result.as_ref().and_then(|x| {
                    x.final_backend
                        .clone()
                        .or_else(|| x.recommendation.as_ref().map(|m| format!("recommends {m}")))
                });
                let b = backend.as_deref().unwrap_or("-");
                ui.label(shown_text(b, if narrow { 14 } else { 26 }))
                    .on_hover_text(b);
                let can_analyze = !r.csv.as_os_str().is_empty() && !r.csv_missing;
                if ui
                    .add_enabled(can_analyze, egui::Button::new("Analyze").small())
                    .on_hover_text(format!("Workload DNA of {}", r.csv.display()))
                    .clicked()
                {
                    cmds.push(Command::AnalyzeCsv(r.csv.clone()));
                }
                ui.end_row();
            }
        });
}

pub fn status_color(r: &JobRow) -> Color32 {
    match &r.status {
        RowStatus::Planned if r.csv_missing => palette::BAD,
        RowStatus::Planned | RowStatus::Pending => palette::MUTED,
        RowStatus::Running { .. } | RowStatus::Between { .. } => palette::ACCENT,
        RowStatus::Done(JobStatus::Ok) => palette::GOOD,
        RowStatus::Done(JobStatus::Skipped) => palette::MUTED,
        RowStatus::Done(JobStatus::Cancelled) => palette::WARN,
        RowStatus::Done(_) => palette::BAD,
    }
}

fn spec_preview(ui: &mut egui::Ui, s: &SuiteSession) {
    let Some(Ok(spec)) = &s.spec else { return };
    for w in &spec.warnings {
        ui.colored_label(palette::WARN, format!("Note: {w}"));
    }
    egui::CollapsingHeader::new("Spec preview")
        .default_open(false)
        .show(ui, |ui| {
            egui::Grid::new("spec_paths").num_columns(2).show(ui, |ui| {
                ui.label("CLI");
                ui.monospace(spec.cli.describe());
                ui.end_row();
                ui.label("Markdown report");
                ui.monospace(spec.report.display().to_string());
                ui.end_row();
                ui.label("HTML report");
                ui.monospace(
                    spec.html_report
                        .as_ref()
                        .map_or("-".into(), |p| p.display().to_string()),
                );
                ui.end_row();
                ui.label("JSON report");
                ui.monospace(spec.json_report.display().to_string());
                ui.end_row();
                ui.label("History");
                ui.monospace(if spec.history {
                    crate::batch::history::folder(spec).display().to_string()
                } else {
                    "off (history = false)".into()
                });
                ui.end_row();
                ui.label("Working folder");
                ui.monospace(spec.dir.display().to_string());
                ui.end_row();
            });
            // The plan rows were made with the spec: whether each CSV exists
            // was looked up then, not on every frame.
            for (j, row) in spec.jobs.iter().zip(&s.plan) {
                ui.add_space(4.0);
                let mode = mode_cell(j.command.name(), j.mode.name());
                ui.label(
                    RichText::new(format!("{} — {} (mode: {mode})", j.name, j.command.name()))
                        .strong(),
                );
                let csv = &row.csv;
                if !row.csv_missing {
                    ui.label(format!("CSV: {}", csv.display()));
                } else {
                    ui.colored_label(
                        palette::BAD,
                        format!("CSV: {} (missing: the job will fail)", csv.display()),
                    );
                }
                let outs = j.outputs();
                if !outs.is_empty() {
                    ui.label(format!("Outputs: {}", outs.join(", ")));
                }
                if j.repeat > 1 || j.timeout_s != spec::DEFAULT_TIMEOUT_S {
                    ui.label(format!("repeat {} · timeout {} s", j.repeat, j.timeout_s));
                }
                ui.add(
                    egui::Label::new(
                        RichText::new(spec.command_line(j, j.json_summary.as_deref())).monospace(),
                    )
                    .wrap(),
                );
            }
        });
}

fn log_panel(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    // Claim the panel's whole height, whatever the log holds: a panel
    // shrinks to its content, and an empty log would shrink it for good.
    ui.set_min_height(ui.available_height());
    let log = s.log();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Log").strong());
        let label = ui.label("Filter");
        let mut text = s.log_filter.clone();
        let edit = ui.add(
            egui::TextEdit::singleline(&mut text)
                .hint_text("text")
                .desired_width(140.0),
        );
        edit.clone().labelled_by(label.id);
        if edit.changed() {
            cmds.push(Command::LogFilter(text));
        }
        if let Some(j) = s.selected_job
            && let Some(row) = s.rows().get(j)
            && ui
                .button(format!("job: {} ×", row.name))
                .on_hover_text("Show every job")
                .clicked()
        {
            cmds.push(Command::SelectJob(None));
        }
        if ui.button("Jump to end").clicked() {
            cmds.push(Command::JumpToLogEnd);
        }
        if ui
            .button("Copy")
            .on_hover_text("Copy the shown lines")
            .clicked()
        {
            cmds.push(Command::CopyLog);
        }
        let mut info = format!(
            "{} of {} lines",
            thousands(log.visible_len() as f64),
            thousands(log.len() as f64)
        );
        if log.dropped() > 0 {
            info.push_str(&format!(
                ", {} oldest dropped",
                thousands(log.dropped() as f64)
            ));
        }
        ui.weak(info);
    });
    let Some(run) = s.shown() else {
        ui.weak("No run of this spec to show. Press Run, or pick a past run under History.");
        return;
    };
    let names = s.job_names();
    log_view::show(ui, (&run.key, &run.started), log, &names, s.jump_to_end);
}
