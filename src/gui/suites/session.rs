//! The Suites tab's model: a run is a value (`SuiteRun`: its spec, when it
//! started, its rows, log, result and reports). The session keeps the live
//! run, the newest known run of each spec, and a run the user reopened from
//! history; the views render the run that belongs to the selected spec, or
//! the spec's plan when it has none. So a log, a table or a status line can
//! never show one run's data under another spec's name.
//!
//! Nothing here draws: the views (the sibling modules) read this state and
//! answer with `Command`s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::Color32;

use crate::batch::compare::{self, Comparison};
use crate::batch::history::HistoryEntry;
use crate::batch::report::{ReportPaths, summary_rows};
use crate::batch::runner::{BatchEvent, JobResult, JobStatus, Stream, SuiteResult, run_suite};
use crate::batch::spec::{self, BatchSpec, SpecEntry};
use crate::batch::ticks::TickPoint;
use crate::fmt::shown_text;
use crate::gui::jobs::Job;
use crate::gui::palette;
use crate::gui::widgets::log_view::{LogBuffer, LogLine};
use crate::gui::widgets::throughput::{self, BarDatum};

/// What the Suites tab's main area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SuiteView {
    /// The shown run: jobs table and throughput bars.
    #[default]
    Jobs,
    /// The selected job's metrics over time (or several jobs' ops/s).
    Timeline,
    /// The spec's archived runs; pick two to compare.
    History,
    /// The comparison of two runs of the spec.
    Compare,
}

/// A comparison asked for: of which spec, which two archives, and the
/// result once the background job has read and compared them.
#[derive(Debug, Clone)]
pub struct CompareState {
    pub key: PathBuf,
    pub old: PathBuf,
    pub new: PathBuf,
    /// Wall or CPU time: what the verdicts read.
    pub metric: compare::Metric,
    /// `None` while loading.
    pub result: Option<Result<Comparison, String>>,
    /// Each job both runs kept ticks for: (name, old run's, new run's), so
    /// Compare overlays the same job before and after (issue 27, item 18).
    pub timelines: Vec<JobTimelines>,
    /// The job whose timelines are overlaid.
    pub timeline_job: usize,
}

/// One job's timelines in two archived runs.
#[derive(Debug, Clone)]
pub struct JobTimelines {
    pub name: String,
    pub old: Vec<TickPoint>,
    pub new: Vec<TickPoint>,
}

impl JobTimelines {
    /// Jobs of `new` that `old` has too, both with ticks, in `new`'s order.
    pub fn of(old: &SuiteResult, new: &SuiteResult) -> Vec<JobTimelines> {
        new.jobs
            .iter()
            .filter(|n| n.timeline.len() >= 2)
            .filter_map(|n| {
                let o = old.jobs.iter().find(|o| o.name == n.name)?;
                (o.timeline.len() >= 2).then(|| JobTimelines {
                    name: n.name.clone(),
                    old: o.timeline.clone(),
                    new: n.timeline.clone(),
                })
            })
            .collect()
    }
}

/// The archive of the shown run and the run it is compared with: the
/// previous complete and comparable run of the same spec, the rule
/// `adhash compare --spec` follows (`history::previous_comparable`).
pub fn previous_pair(s: &SuiteSession) -> Option<(PathBuf, PathBuf)> {
    // Only a complete run is compared: a cancelled or failed one would be
    // judged on the jobs it did not finish (issue 27, item 15).
    let run = s
        .shown()
        .filter(|r| r.result.as_ref().is_some_and(|x| x.outcome() == "ok"))?;
    let newer = match &run.source {
        RunSource::History(p) => p.clone(),
        RunSource::Live => run.archive.clone()?.ok()?,
    };
    let entries = &s.history.entries;
    let new = entries.iter().find(|e| e.path == newer)?;
    let older = crate::batch::history::previous_comparable(entries, new)?;
    Some((older.path.clone(), newer))
}

/// The picked runs in time order (older first), when exactly two are.
pub fn picked_pair(s: &SuiteSession) -> Option<(PathBuf, PathBuf)> {
    if s.picks.len() != 2 {
        return None;
    }
    // History entries are newest first: the later index is the older run.
    let pos = |p: &Path| s.history.entries.iter().position(|e| e.path == p);
    let (a, b) = (&s.picks[0], &s.picks[1]);
    match (pos(a), pos(b)) {
        (Some(i), Some(j)) if i > j => Some((a.clone(), b.clone())),
        (Some(_), Some(_)) => Some((b.clone(), a.clone())),
        _ => None,
    }
}

/// The baseline name used when the field is left empty.
pub const DEFAULT_BASELINE: &str = "main";

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
    /// The CSV as the spec writes it (what reports group jobs by).
    pub csv_text: String,
    /// Measured runs the spec asks for (`repeat`).
    pub planned_runs: u32,
    /// Before the result: the figures of the measured runs so far (a
    /// running median), rebuilt when a run ends (issue 27, item 8).
    pub partial: Option<JobResult>,
    /// Each measured run's ticks seen live (run number, ticks), in run
    /// order; a finished run's are thinned like the runner's.
    pub live_timelines: Vec<(u32, Vec<TickPoint>)>,
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
            csv_text: j.csv.clone(),
            planned_runs: j.repeat,
            partial: None,
            live_timelines: Vec::new(),
            live_runs: Vec::new(),
            live_width: None,
        }
    }

    pub(crate) fn finished(r: &JobResult, spec_dir: &Path) -> JobRow {
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
            csv_text: r.csv.clone(),
            planned_runs: r.planned_runs,
            partial: None,
            live_timelines: Vec::new(),
            live_runs: Vec::new(),
            live_width: r.half_width_pct,
        }
    }

    /// The job's default timeline: the ticks kept with its result (its
    /// median run's), else the newest run's seen live.
    pub fn timeline(&self) -> &[TickPoint] {
        self.timeline_of(None).1
    }

    /// The ticks of measured run `run` (`None`: the default one), with the
    /// run's number when it is known.
    pub fn timeline_of(&self, run: Option<u32>) -> (Option<u32>, &[TickPoint]) {
        let kept = self
            .result
            .as_ref()
            .filter(|r| !r.timeline.is_empty())
            .map(|r| (r.timeline_run, r.timeline.as_slice()));
        let live = |want: Option<u32>| {
            let found = match want {
                Some(n) => self.live_timelines.iter().find(|(r, _)| *r == n),
                None => self.live_timelines.iter().rfind(|(_, t)| !t.is_empty()),
            };
            found.map(|(r, t)| (Some(*r), t.as_slice()))
        };
        match (run, kept) {
            (None, Some(k)) => k,
            (Some(n), Some((Some(k), t))) if k == n => (Some(k), t),
            (want, _) => live(want).unwrap_or((None, &[])),
        }
    }

    /// The runs whose ticks can be shown, in order: every measured run seen
    /// live, and the one kept with the result.
    pub fn timeline_runs(&self) -> Vec<u32> {
        let mut runs: Vec<u32> = self
            .live_timelines
            .iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(r, _)| *r)
            .collect();
        if let Some(r) = self.result.as_ref().filter(|r| !r.timeline.is_empty())
            && let Some(n) = r.timeline_run
            && !runs.contains(&n)
        {
            runs.push(n);
            runs.sort_unstable();
        }
        runs
    }

    /// The median ops/s: of the job's result, or while it runs of its
    /// measured runs so far.
    pub fn ops(&self) -> Option<f64> {
        self.shown_result().and_then(|r| r.ops_per_second)
    }

    /// The result, or the partial figures before it.
    pub fn shown_result(&self) -> Option<&JobResult> {
        self.result.as_ref().or(self.partial.as_ref())
    }

    /// Figures shown are of the runs so far, not the job's result.
    pub fn is_partial(&self) -> bool {
        self.result.is_none() && self.partial.is_some()
    }

    /// The job's figures from its measured runs so far: status ok while
    /// every run was, planned as many runs as it made (so it ranks among
    /// the others as they stand).
    fn figures_so_far(&self) -> JobResult {
        let mut j = JobResult::planned(
            &self.name,
            &self.command,
            &self.mode,
            &self.csv_text,
            self.live_runs.len() as u32,
        );
        // A failed run ends the job: no more width to watch.
        j.status = if self.live_runs.iter().all(|x| x.status == JobStatus::Ok) {
            JobStatus::Ok
        } else {
            JobStatus::Failed
        };
        j.runs = self.live_runs.clone();
        j.ops_per_second_runs = self
            .live_runs
            .iter()
            .filter_map(|r| r.ops_per_second)
            .collect();
        j.stats = crate::stats::RunStats::of(&j.ops_per_second_runs);
        j.ops_per_second = j.stats.map(|s| s.median);
        j
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
                // Whole seconds: a running suite is redrawn about once a
                // second (tenths would jump by ten).
                let t = now.duration_since(*since).as_secs();
                if *warmup {
                    format!("warmup {run}/{runs}, {t} s")
                } else if *runs > 1 {
                    format!("running {run}/{runs}, {t} s")
                } else {
                    format!("running, {t} s")
                }
            }
            RowStatus::Between { run, runs, warmup } => {
                let what = if *warmup { "warmup" } else { "run" };
                if run == runs && !*warmup {
                    // Interleaved: its runs are over; the suite's are not.
                    format!("{runs}/{runs} runs done")
                } else {
                    format!("{what} {run}/{runs} done, waiting")
                }
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
                    // "cancelled between its runs", not "cancelled: cancelled …".
                    Some(why) if *s != JobStatus::Ok && why.starts_with(word) => {
                        shown_text(why, 48)
                    }
                    Some(why) if *s != JobStatus::Ok && why != s.name() => {
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
pub(super) fn mode_cell(command: &str, mode: &str) -> String {
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
    /// Jobs take turns, one run each a round (`interleave`).
    pub interleaved: bool,
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
            interleaved: spec.interleave || spec.until_ci_pct.is_some(),
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
            interleaved: suite
                .jobs
                .iter()
                .any(|j| j.runs.iter().any(|r| r.round.is_some())),
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
                let j = r.figures_so_far();
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

    /// The status line, what changes first (a narrow window cuts its end):
    /// "finished, 2/2 ok in 3.21 s · Run of 2026-12-06 08:12:59".
    pub fn headline(&self) -> (String, Color32) {
        let from = match &self.source {
            RunSource::Live => String::new(),
            RunSource::History(_) => " (from history, read-only)".into(),
        };
        match &self.result {
            None => {
                let t = self.running_since.map_or(0, |s| s.elapsed().as_secs());
                // Interleaved suites finish their jobs together at the end:
                // the runs made say how far along they are.
                let made: usize = self.rows.iter().map(|r| r.live_runs.len()).sum();
                let planned: u32 = self.rows.iter().map(|r| r.planned_runs).sum();
                let runs = match (self.until_ci_pct, planned as usize > self.rows.len()) {
                    (Some(_), _) => format!(", {made} runs"),
                    (None, true) => format!(", {made}/{planned} runs"),
                    (None, false) => String::new(),
                };
                // What changes first: a narrow window cuts the line's end.
                (
                    format!(
                        "{}/{} jobs done{runs}, {t} s · Run started {}",
                        self.done_count(),
                        self.rows.len(),
                        self.started,
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
                        "{how}, {}/{} ok in {:.2} s · Run of {}{from}",
                        s.ok_count(),
                        s.jobs.len(),
                        s.wall_seconds,
                        self.started,
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
                run,
                warmup: false,
                tick,
            } => {
                if let Some(r) = self.rows.get_mut(job) {
                    match r.live_timelines.last_mut() {
                        Some((n, ticks)) if *n == run => ticks.push(*tick),
                        _ => r.live_timelines.push((run, vec![*tick])),
                    }
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
                        r.live_timelines.push((run, Vec::new()));
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
                    let so_far = r.figures_so_far();
                    r.partial = so_far.ops_per_second.is_some().then_some(so_far);
                    // Kept like the runner keeps a run's ticks, so a long
                    // suite's timelines stay small.
                    if let Some((_, ticks)) = r.live_timelines.iter_mut().find(|(n, _)| *n == run) {
                        *ticks = crate::batch::ticks::thin(
                            std::mem::take(ticks),
                            crate::batch::ticks::TIMELINE_POINTS,
                        );
                    }
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

/// Take `job` out of `list`, or put it in when it is one of the `jobs`.
fn toggle(list: &mut Vec<usize>, job: usize, jobs: usize) {
    match list.iter().position(|&j| j == job) {
        Some(i) => {
            list.remove(i);
        }
        None if job < jobs => list.push(job),
        None => {}
    }
}

/// A spec's identity: its canonical path, so `docs/x.toml` and
/// `/repo/docs/x.toml` are one spec.
pub fn spec_key(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// The suite running on its worker thread.
pub(super) struct LiveRun {
    job: Job<BatchEvent, SuiteResult>,
    pub(super) run: SuiteRun,
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
    pub(super) plan: Vec<JobRow>,
    pub(super) live: Option<LiveRun>,
    /// The newest run of each spec this session knows (finished).
    pub last: HashMap<PathBuf, SuiteRun>,
    /// An older run the user reopened; shown while its spec is selected.
    pub pinned: Option<SuiteRun>,
    pub history: HistoryList,
    /// What the main area shows: the run, History or Compare.
    pub view: SuiteView,
    /// Archived runs picked in History for comparison (at most two).
    pub picks: Vec<PathBuf>,
    /// The last comparison asked for, per spec (a spec switch keeps it).
    pub comparisons: HashMap<PathBuf, CompareState>,
    /// Jobs whose ops/s curves the Timeline overlays (two or more).
    pub overlay: Vec<usize>,
    pub selected_job: Option<usize>,
    /// The run the Timeline shows (`None`: the job's default, its median).
    pub timeline_run: Option<u32>,
    /// Jobs whose runs the table shows under them.
    pub open_jobs: Vec<usize>,
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
            comparisons: HashMap::new(),
            overlay: Vec::new(),
            selected_job: None,
            timeline_run: None,
            open_jobs: Vec::new(),
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
            self.timeline_run = None;
            self.history = HistoryList::default();
            // Picks are runs of the spec that was selected.
            self.picks.clear();
            self.overlay.clear();
            self.open_jobs.clear();
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
    pub fn start(&mut self, waker: crate::gui::Waker) -> Result<(), String> {
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
            self.timeline_run = None;
            self.sync_filter();
            return;
        }
        self.pinned = Some(run);
        self.selected_job = None;
        self.timeline_run = None;
        self.sync_filter();
    }

    /// The selected spec's comparison.
    pub fn comparison(&self) -> Option<&CompareState> {
        self.comparisons.get(self.spec_key.as_ref()?)
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

    /// Show (or hide) a job's runs in the table.
    pub fn toggle_job_runs(&mut self, job: usize) {
        let n = self.rows().len();
        toggle(&mut self.open_jobs, job, n);
    }

    pub fn toggle_overlay(&mut self, job: usize) {
        let n = self.rows().len();
        toggle(&mut self.overlay, job, n);
    }

    pub fn unpin(&mut self) {
        self.pinned = None;
        self.selected_job = None;
        self.timeline_run = None;
        self.sync_filter();
    }

    pub fn select_job(&mut self, job: Option<usize>) {
        let job = job.filter(|&j| j < self.rows().len());
        if job != self.selected_job {
            self.timeline_run = None;
        }
        self.selected_job = job;
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

    /// The results of the jobs that finished, and the figures so far of
    /// those still running (borrowed: drawn every frame).
    pub fn shown_results(&self) -> Vec<&JobResult> {
        self.rows()
            .iter()
            .filter_map(JobRow::shown_result)
            .collect()
    }

    /// Bars of the ranked jobs, fastest first, with their spread.
    pub fn bars(&self) -> Vec<BarDatum> {
        let jobs = self.shown_results();
        let mut bars = throughput::bar_data(&summary_rows(&jobs));
        for b in &mut bars {
            if let Some(r) = self
                .rows()
                .iter()
                .find(|r| r.name == b.name && r.is_partial())
            {
                b.name = format!("{} (partial: {} runs)", b.name, r.live_runs.len());
            }
        }
        bars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(status: JobStatus, reason: &str) -> JobRow {
        let mut r = JobResult::planned("j", "run-csv", "std", "w.csv", 3);
        r.status = status;
        r.reason = Some(reason.into());
        JobRow::finished(&r, Path::new("/s"))
    }

    fn suite(started: &str, cancelled: bool) -> SuiteResult {
        let mut j = JobResult::planned("j", "run-csv", "std", "w.csv", 1);
        j.status = JobStatus::Ok;
        let mut s = SuiteResult::of_jobs("/s/suite.toml", vec![j]);
        s.started_at = started.into();
        s.generated_at = started.into();
        s.cancelled = cancelled;
        s
    }

    /// Issue 27, item 15: "Compare with previous" pairs complete runs
    /// only: it passes over a cancelled older run, and a cancelled shown
    /// run offers no comparison.
    #[test]
    fn compare_with_previous_pairs_complete_runs_only() {
        let runs = [
            ("/h/3.json", suite("2026-01-03", false)),
            ("/h/2.json", suite("2026-01-02", true)),
            ("/h/1.json", suite("2026-01-01", false)),
        ];
        let mut s = SuiteSession::new(PathBuf::from("/bin/adhash"));
        let key = PathBuf::from("/s/suite.toml");
        s.spec_key = Some(key.clone());
        s.history.entries = runs
            .iter()
            .map(|(p, r)| HistoryEntry::of(Path::new(p), r))
            .collect();
        s.last.insert(
            key.clone(),
            SuiteRun::from_history(Path::new(runs[0].0), runs[0].1.clone()),
        );
        s.last.get_mut(&key).unwrap().key = key.clone();
        assert_eq!(
            previous_pair(&s),
            Some((PathBuf::from("/h/1.json"), PathBuf::from("/h/3.json")))
        );
        // The cancelled run shown: nothing to compare it with.
        let mut cancelled = SuiteRun::from_history(Path::new(runs[1].0), runs[1].1.clone());
        cancelled.key = key.clone();
        s.pinned = Some(cancelled);
        assert_eq!(previous_pair(&s), None);
    }

    /// Issue 27, item 7: a status says its word once.
    #[test]
    fn a_status_says_its_word_once() {
        let now = Instant::now();
        let c = done(JobStatus::Cancelled, "cancelled between its runs");
        assert_eq!(c.status_text(now), "cancelled between its runs");
        let f = done(JobStatus::Failed, "exit code 3");
        assert_eq!(f.status_text(now), "failed: exit code 3");
        let t = done(JobStatus::Timeout, "timeout");
        assert_eq!(t.status_text(now), "timed out");
        // Interleaved, a job whose runs are all over says so, not "waiting".
        let mut between = done(JobStatus::Ok, "");
        between.status = RowStatus::Between {
            run: 1,
            runs: 1,
            warmup: false,
        };
        assert_eq!(between.status_text(now), "1/1 runs done");
    }
}
