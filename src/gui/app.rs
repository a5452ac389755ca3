//! `MissionControl`, the eframe app: persisted state, the tabs, and the
//! plumbing that keeps the GUI thread free. The UI only sends `Command`s;
//! `logic()` applies them, polls background jobs (`gui/jobs.rs`) under a
//! time budget and applies what they return, and asks for a repaint
//! whenever anything changed, so nothing waits for the pointer to move.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::RichText;
use serde::{Deserialize, Serialize};

use super::dialogs::{DialogPurpose, FileDialogs, NativeDialogs};
use super::dna_tab::{self, DnaCommand, DnaSession};
use super::jobs::JobQueue;
use super::palette;
use super::suites::{self, CompareState, SuiteSession, SuiteView, spec_key};
use super::{Command, LaunchOptions, ReportAction, Tab, Waker};
use crate::batch::compare::{self, Comparison};
use crate::batch::history::{self, HistoryEntry};
use crate::batch::report::{ReportFormat, write_report};
use crate::batch::result::SuiteResult;

/// Time per frame spent applying runner events; the rest waits a frame, so
/// a chatty job cannot freeze the window.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);
/// The shortest time between frames drawn for background events (a DNA
/// analysis's progress, history reads, exports).
const BACKGROUND_FRAME: Duration = Duration::from_millis(250);
/// While a suite runs, frames cost CPU beside the benchmark being measured
/// (under software rendering a 1400×900 frame is ~10–20 ms, nearly all of
/// it rasterising): the run is redrawn only as often as what is shown of it
/// needs (issue 27, item 10). Its jobs table and log: every 1.5 s.
const RUN_FRAME: Duration = Duration::from_millis(1500);
/// The Timeline's charts: twice a second.
const TIMELINE_FRAME: Duration = Duration::from_millis(500);
/// Another tab, or another spec shown: only the status bar's "running k/n"
/// is of the run, and the runner's events still need taking in (a few
/// hundred in 4 s, far below the channel's 16,384).
const ELSEWHERE_FRAME: Duration = Duration::from_millis(4000);
const RECENT_RUNS: usize = 20;
const NOTICE_SECONDS: f64 = 10.0;
/// Errors stay longer, but not for ever: an old error would read as if it
/// were about what is on screen now.
const ERROR_SECONDS: f64 = 30.0;
const SPEC_FILES: usize = 20;

/// What survives a restart.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub tab: Tab,
    /// Folders the user added to the spec browser.
    pub spec_folders: Vec<PathBuf>,
    /// Spec files the user opened that no listed folder holds.
    pub spec_files: Vec<PathBuf>,
    pub last_spec: Option<PathBuf>,
    pub recent_runs: Vec<RecentRun>,
    pub spec_input: String,
    pub export_input: String,
    /// The name History's "Save as baseline" uses.
    pub baseline_name: String,
    /// Where Compare's "Export" writes the comparison.
    pub compare_export_input: String,
    /// The export path last used for each spec (by spec key), so one
    /// spec's path is never offered for another's report.
    pub export_paths: std::collections::BTreeMap<PathBuf, String>,
}

/// A run in the "Recent runs" menu: its spec, when, how it ended, and its
/// own archived report (never the spec's current report file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecentRun {
    pub spec: PathBuf,
    pub time: String,
    pub ok: usize,
    pub total: usize,
    /// "ok", "failed" or "cancelled".
    pub outcome: String,
    /// The run's history file; `None` when it was not archived.
    pub archive: Option<PathBuf>,
}

impl Default for RecentRun {
    fn default() -> Self {
        RecentRun {
            spec: PathBuf::new(),
            time: String::new(),
            ok: 0,
            total: 0,
            outcome: "failed".into(),
            archive: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Error,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    pub kind: NoticeKind,
    pub at: Instant,
}

impl Notice {
    /// Seconds the status bar shows it.
    pub fn lifetime(&self) -> f64 {
        match self.kind {
            NoticeKind::Info => NOTICE_SECONDS,
            NoticeKind::Error => ERROR_SECONDS,
        }
    }
}

/// What a one-shot background job hands back, applied in `logic()`.
enum Outcome {
    Dialog(DialogPurpose, Option<PathBuf>),
    Notice(Result<String, String>),
    /// A report or a comparison was written to this path.
    Exported {
        what: Written,
        result: Result<PathBuf, String>,
    },
    History {
        key: PathBuf,
        entries: Vec<HistoryEntry>,
        latest: Option<(PathBuf, SuiteResult)>,
    },
    RunLoaded(Result<(PathBuf, SuiteResult), String>),
    /// Two archived runs compared (for this spec key, these two paths).
    Compared {
        key: PathBuf,
        old: PathBuf,
        new: PathBuf,
        metric: compare::Metric,
        result: Result<Comparison, String>,
        timelines: Vec<suites::JobTimelines>,
    },
}

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Report,
    Comparison,
}

impl Written {
    fn name(self) -> &'static str {
        match self {
            Written::Report => "report",
            Written::Comparison => "comparison",
        }
    }
}

pub struct MissionControl {
    pub state: Persisted,
    pub suites: SuiteSession,
    pub dna: DnaSession,
    pub notices: VecDeque<Notice>,
    commands: Vec<Command>,
    dialogs: Arc<dyn FileDialogs>,
    tasks: JobQueue<Outcome>,
    waker: Waker,
    /// Milliseconds between frames drawn for background events.
    frame_period: Arc<std::sync::atomic::AtomicU64>,
    /// `--run`: start the spec on the first frame.
    run_on_start: bool,
    /// Frames drawn (tests and the frame benchmark read it).
    pub frames: u64,
    /// Persist the state at the next frame (eframe otherwise saves on exit
    /// and every 30 s).
    save_now: bool,
    /// The window was asked to close during a run: close once the run has
    /// stopped and its (cancelled) report and history entry are written.
    close_after_run: bool,
    /// Close at the end of this frame (after the state is saved).
    close_now: bool,
    /// An export that would replace a file this app did not write, waiting
    /// for the user's yes or no (issue 27, item 14).
    pub pending_replace: Option<(Written, PathBuf)>,
    /// Files this app wrote in this session: replaced again without asking.
    written: std::collections::HashSet<PathBuf>,
}

impl MissionControl {
    /// The app as eframe creates it: restores state, uses native dialogs
    /// and this executable to run jobs.
    pub fn new(cc: &eframe::CreationContext<'_>, opts: LaunchOptions) -> Self {
        let state: Persisted = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("adhash"));
        Self::with_parts(&cc.egui_ctx, state, Arc::new(NativeDialogs), exe, opts)
    }

    /// Build from explicit parts (tests: fixed dialogs, the built adhash).
    pub fn with_parts(
        ctx: &egui::Context,
        state: Persisted,
        dialogs: Arc<dyn FileDialogs>,
        cli_exe: PathBuf,
        opts: LaunchOptions,
    ) -> Self {
        apply_theme(ctx);
        let waker_ctx = ctx.clone();
        let frame_period = Arc::new(std::sync::atomic::AtomicU64::new(
            BACKGROUND_FRAME.as_millis() as u64,
        ));
        let mut app = MissionControl {
            state,
            suites: SuiteSession::new(cli_exe),
            dna: DnaSession::default(),
            notices: VecDeque::new(),
            commands: Vec::new(),
            dialogs,
            tasks: JobQueue::default(),
            // Background work (log lines, ticks, progress) redraws at most
            // 4 times a second: a chatty job must not make the window eat a
            // core beside the benchmark it is measuring. Input still redraws
            // at once.
            waker: {
                let period = frame_period.clone();
                Arc::new(move || {
                    let ms = period.load(std::sync::atomic::Ordering::Relaxed);
                    waker_ctx.request_repaint_after(Duration::from_millis(ms));
                })
            },
            frame_period,
            run_on_start: opts.run,
            frames: 0,
            save_now: false,
            close_after_run: false,
            close_now: false,
            pending_replace: None,
            written: Default::default(),
        };
        app.refresh_catalog();
        // First start: show the first valid bundled spec rather than nothing.
        let first_bundled = app
            .suites
            .catalog
            .iter()
            .find(|e| e.spec.is_ok())
            .map(|e| e.path.clone());
        // Paths from the command line read like typed ones: absolute, tidy.
        let typed = |p: PathBuf| super::typed_path(&p.to_string_lossy());
        let spec = opts
            .spec
            .map(typed)
            .or_else(|| app.state.last_spec.clone())
            .or(first_bundled);
        if let Some(p) = spec.filter(|p| p.exists()) {
            app.open_spec(p);
        }
        if let Some(tab) = opts.tab {
            app.state.tab = tab;
        }
        if let Some(csv) = opts.dna {
            app.state.tab = Tab::Dna;
            app.commands
                .push(Command::Dna(DnaCommand::Analyze(typed(csv))));
        }
        app
    }

    fn refresh_catalog(&mut self) {
        let folders = self.spec_folders();
        self.suites
            .refresh_catalog(&folders, &self.state.spec_files.clone());
    }

    fn spec_folders(&self) -> Vec<PathBuf> {
        let mut v = crate::batch::spec::spec_folders();
        v.extend(self.state.spec_folders.iter().cloned());
        v
    }

    pub fn notify(&mut self, kind: NoticeKind, text: impl Into<String>) {
        self.notices.push_back(Notice {
            text: text.into(),
            kind,
            at: Instant::now(),
        });
        while self.notices.len() > 50 {
            self.notices.pop_front();
        }
    }

    /// Queue a command as the UI would.
    pub fn send(&mut self, cmd: Command) {
        self.commands.push(cmd);
    }

    /// Background one-shot jobs still running (tests wait for them).
    /// The shortest time between frames drawn for background work now.
    pub fn frame_period(&self) -> Duration {
        Duration::from_millis(self.frame_period.load(std::sync::atomic::Ordering::Relaxed))
    }

    pub fn pending_tasks(&self) -> usize {
        self.tasks.len()
    }

    fn spawn(
        &mut self,
        name: &str,
        work: impl FnOnce(&super::jobs::JobContext<()>) -> Outcome + Send + 'static,
    ) {
        if let Err(e) = self.tasks.spawn(name, self.waker.clone(), work) {
            self.notify(NoticeKind::Error, e);
        }
    }

    fn ask(&mut self, purpose: DialogPurpose, suggested: &str) {
        let dialogs = self.dialogs.clone();
        let suggested = suggested.to_string();
        self.spawn("dialog", move |_| {
            Outcome::Dialog(purpose, dialogs.ask(purpose, &suggested))
        });
    }

    /// Select a spec and read its history in the background.
    fn open_spec(&mut self, p: PathBuf) {
        if p.as_os_str().is_empty() {
            self.notify(
                NoticeKind::Error,
                "type the path of a spec (.toml) or a folder first",
            );
            return;
        }
        // A workload is not a spec: analyse it instead of failing to parse it.
        if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            self.notify(
                NoticeKind::Info,
                format!("{} is a workload, not a spec: analysing it", p.display()),
            );
            self.apply_dna(DnaCommand::Analyze(p));
            return;
        }
        // What the status bar said was about the spec shown before.
        self.notices.clear();
        self.state.spec_input = p.display().to_string();
        let valid = self.suites.open_spec(&p);
        if p.is_file() && self.suites.is_uncatalogued(&p) && !self.state.spec_files.contains(&p) {
            self.state.spec_files.insert(0, p.clone());
            self.state.spec_files.truncate(SPEC_FILES);
            self.refresh_catalog();
        }
        self.state.export_input = self.export_path_for_shown_spec();
        match &self.suites.spec {
            Some(Ok(_)) => self.state.last_spec = Some(p),
            Some(Err(e)) => {
                let first = e.lines().next().unwrap_or("").to_string();
                self.notify(NoticeKind::Error, format!("invalid spec: {first}"));
            }
            None => {}
        }
        if valid {
            self.read_history();
        }
    }

    /// The export path offered for the selected spec: the one last used
    /// for it, else `<its report folder>/<spec stem>-export.html`.
    fn export_path_for_shown_spec(&self) -> String {
        let Some(key) = self.suites.spec_key.clone() else {
            return String::new();
        };
        if let Some(p) = self.state.export_paths.get(&key) {
            return p.clone();
        }
        let stem = key
            .file_stem()
            .map_or_else(|| "suite".into(), |s| s.to_string_lossy().into_owned());
        let folder = match &self.suites.spec {
            Some(Ok(spec)) => spec.report.parent().map(Path::to_path_buf),
            _ => key.parent().map(Path::to_path_buf),
        }
        .unwrap_or_default();
        folder
            .join(format!("{stem}-export.html"))
            .display()
            .to_string()
    }

    /// `path` exists and this app did not write it: ask first.
    fn needs_consent(&mut self, what: Written, path: &Path, replacing: bool) -> bool {
        if replacing || !path.exists() || self.written.contains(path) {
            return false;
        }
        self.pending_replace = Some((what, path.to_path_buf()));
        true
    }

    /// List the selected spec's archived runs; load the newest unless a
    /// run of it is already known.
    fn read_history(&mut self) {
        let (Some(Ok(spec)), Some(key)) = (&self.suites.spec, &self.suites.spec_key) else {
            return;
        };
        let folder = history::folder(spec);
        let key = key.clone();
        let want_latest = !self.suites.last.contains_key(&key);
        self.suites.history.loading = true;
        self.spawn("history", move |_| {
            let entries = history::list(&folder);
            let latest = if want_latest {
                entries
                    .first()
                    .and_then(|e| history::load(&e.path).ok().map(|s| (e.path.clone(), s)))
            } else {
                None
            };
            Outcome::History {
                key,
                entries,
                latest,
            }
        });
    }

    /// Read two archived runs and compare them off the GUI thread.
    fn compare_runs(&mut self, old: PathBuf, new: PathBuf, metric: compare::Metric) {
        let Some(key) = self.suites.spec_key.clone() else {
            return;
        };
        self.suites.comparisons.insert(
            key.clone(),
            CompareState {
                key: key.clone(),
                old: old.clone(),
                new: new.clone(),
                metric,
                result: None,
                timelines: Vec::new(),
                timeline_job: 0,
            },
        );
        self.suites.view = SuiteView::Compare;
        self.spawn("compare", move |_| {
            let loaded = history::load(&old).and_then(|o| history::load(&new).map(|n| (o, n)));
            let timelines = loaded
                .as_ref()
                .map_or_else(|_| Vec::new(), |(o, n)| suites::JobTimelines::of(o, n));
            let result = loaded
                .map(|(o, n)| {
                    let opts = compare::CompareOptions {
                        metric,
                        ..compare::CompareOptions::default()
                    };
                    compare::compare(&o, &old, &n, &new, &opts)
                })
                .map_err(|e| e.detail);
            Outcome::Compared {
                key,
                old,
                new,
                metric,
                result,
                timelines,
            }
        });
    }

    /// Store an archived run as a baseline of its spec, off the GUI thread.
    fn save_baseline(&mut self, run: PathBuf, name: String) {
        let Some(Ok(spec)) = self.suites.spec.clone() else {
            self.notify(
                NoticeKind::Error,
                "no spec is loaded: a baseline is stored beside its spec's history",
            );
            return;
        };
        self.spawn("baseline", move |_| {
            let folder = history::folder(&spec);
            Outcome::Notice(
                history::save_baseline(&folder, &name, &run)
                    .map(|p| format!("baseline `{name}` saved: {}", p.display()))
                    .map_err(|e| format!("baseline not saved: {}", e.detail)),
            )
        });
    }

    /// Write the shown comparison as Markdown, HTML or JSON (by extension),
    /// off the GUI thread; never over one of the two reports it compares.
    fn export_comparison(&mut self, path: PathBuf, replacing: bool) {
        let Some(state) = self.suites.comparison() else {
            return;
        };
        let Some(Ok(c)) = state.result.clone() else {
            self.notify(NoticeKind::Error, "no comparison to export yet");
            return;
        };
        let (old, new) = (state.old.clone(), state.new.clone());
        if self.needs_consent(Written::Comparison, &path, replacing) {
            return;
        }
        self.spawn("export comparison", move |_| Outcome::Exported {
            what: Written::Comparison,
            result: crate::batch::compare::write(&c, &path, &old, &new)
                .map(|()| path.clone())
                .map_err(|e| format!("comparison not written: {}", e.detail)),
        });
    }

    fn load_run(&mut self, path: PathBuf) {
        self.spawn("history", move |_| {
            Outcome::RunLoaded(
                history::load(&path)
                    .map(|s| (path.clone(), s))
                    .map_err(|e| e.detail),
            )
        });
    }

    fn apply(&mut self, cmd: Command, ctx: &egui::Context) {
        match cmd {
            Command::SwitchTab(t) => self.state.tab = t,
            Command::PickSpec => self.ask(DialogPurpose::OpenSpec, ""),
            Command::PickFolder => self.ask(DialogPurpose::AddFolder, ""),
            Command::RefreshCatalog => self.refresh_catalog(),
            Command::OpenSpec(p) if p.is_dir() => self.apply(Command::AddFolder(p), ctx),
            Command::OpenSpec(p) => self.open_spec(p),
            Command::AddFolder(p) => {
                if !self.state.spec_folders.contains(&p) {
                    self.state.spec_folders.push(p.clone());
                }
                self.refresh_catalog();
                self.notify(
                    NoticeKind::Info,
                    format!("added spec folder {}", p.display()),
                );
            }
            Command::RemoveFolder(i) => {
                if i < self.state.spec_folders.len() {
                    self.state.spec_folders.remove(i);
                    self.refresh_catalog();
                }
            }
            Command::RemoveSpecFile(i) => {
                if i < self.state.spec_files.len() {
                    self.state.spec_files.remove(i);
                    self.refresh_catalog();
                }
            }
            Command::Run => match self.suites.start(self.waker.clone()) {
                Ok(()) => self.notify(NoticeKind::Info, "suite started"),
                Err(e) => self.notify(NoticeKind::Error, e),
            },
            Command::Stop => {
                self.suites.stop();
                self.notify(
                    NoticeKind::Info,
                    "stopping: the running job is terminated, the report is still written",
                );
            }
            Command::Report(a) => self.report_action(a),
            Command::SelectJob(j) => self.suites.select_job(j),
            Command::LogFilter(t) => self.suites.set_log_filter(t),
            Command::JumpToLogEnd => self.suites.jump_to_end = true,
            Command::CopyLog => {
                let text = self.suites.log().visible_text(&self.suites.job_names());
                ctx.copy_text(text);
                self.notify(NoticeKind::Info, "log copied to the clipboard");
            }
            Command::AnalyzeCsv(p) => {
                self.state.tab = Tab::Dna;
                self.apply(Command::Dna(DnaCommand::Analyze(p)), ctx);
            }
            Command::OpenRun(p) => self.load_run(p),
            Command::SuiteView(v) => self.suites.view = v,
            Command::TogglePick(p) => self.suites.toggle_pick(p),
            Command::ToggleOverlay(j) => self.suites.toggle_overlay(j),
            Command::TimelineRun(r) => self.suites.timeline_run = r,
            Command::ToggleJobRuns(j) => self.suites.toggle_job_runs(j),
            Command::CompareTimeline(j) => {
                if let Some(key) = self.suites.spec_key.clone()
                    && let Some(c) = self.suites.comparisons.get_mut(&key)
                {
                    c.timeline_job = j;
                }
            }
            Command::CompareRuns { old, new } => {
                // A new pair keeps the metric the last comparison used.
                let metric = self
                    .suites
                    .comparison()
                    .map_or(compare::Metric::Wall, |c| c.metric);
                self.compare_runs(old, new, metric)
            }
            Command::CompareMetric(m) => {
                if let Some(c) = self.suites.comparison() {
                    let (old, new) = (c.old.clone(), c.new.clone());
                    self.compare_runs(old, new, m);
                }
            }
            Command::SaveBaseline { run, name } => self.save_baseline(run, name),
            Command::ExportComparison(path) => self.export_comparison(path, false),
            Command::ConfirmReplace(yes) => {
                if let Some((what, path)) = self.pending_replace.take()
                    && yes
                {
                    match what {
                        Written::Report => self.export_report(path, true),
                        Written::Comparison => self.export_comparison(path, true),
                    }
                }
            }
            Command::ShowLatestRun => self.suites.unpin(),
            Command::LoadRecent(i) => {
                let Some(r) = self.state.recent_runs.get(i).cloned() else {
                    return;
                };
                match r.archive {
                    Some(p) => self.load_run(p),
                    None => self.notify(
                        NoticeKind::Error,
                        format!(
                            "the run of {} at {} was not archived: nothing to reopen",
                            r.spec.display(),
                            r.time
                        ),
                    ),
                }
            }
            Command::Dna(c) => self.apply_dna(c),
        }
    }

    fn report_action(&mut self, action: ReportAction) {
        match action {
            ReportAction::PickExport => {
                if self.suites.shown_result().is_none() {
                    self.notify(NoticeKind::Error, "no finished run to export");
                    return;
                }
                self.ask(DialogPurpose::ExportReport, "batch_report.html");
            }
            ReportAction::Export(path) => self.export_report(path, false),
            ReportAction::Open => {
                let Some(run) = self.suites.shown() else {
                    return;
                };
                let Some(suite) = run.result.clone() else {
                    return;
                };
                // The run's own HTML if it wrote one; otherwise (a past run,
                // whose report file a later run replaced) a fresh rendering.
                let own = run.own_html_report();
                let stem = spec_stem(&run.spec);
                self.spawn("open-report", move |_| {
                    Outcome::Notice(open_report(own, &stem, &suite))
                });
            }
        }
    }

    /// Write the shown run's report to `path` (format by extension) off
    /// the GUI thread; a file this app did not write is replaced only once
    /// the user says so (`replacing`).
    fn export_report(&mut self, path: PathBuf, replacing: bool) {
        if path.as_os_str().is_empty() {
            self.notify(
                NoticeKind::Error,
                "type a report path (.md, .html or .json) first",
            );
            return;
        }
        if path.is_dir() {
            self.notify(
                NoticeKind::Error,
                format!(
                    "{} is a folder: add a file name ending in .md, .html or .json",
                    path.display()
                ),
            );
            return;
        }
        let Some(suite) = self.suites.shown_result().cloned() else {
            self.notify(NoticeKind::Error, "no finished run to export");
            return;
        };
        let format = match ReportFormat::from_path(&path) {
            Ok(f) => f,
            Err(e) => {
                let hint = e.hint.clone().unwrap_or_default();
                self.notify(NoticeKind::Error, format!("{} ({hint})", e.detail));
                return;
            }
        };
        self.state.export_input = path.display().to_string();
        if let Some(key) = self.suites.spec_key.clone() {
            self.state
                .export_paths
                .insert(key, self.state.export_input.clone());
        }
        if self.needs_consent(Written::Report, &path, replacing) {
            return;
        }
        self.spawn("export", move |_| Outcome::Exported {
            what: Written::Report,
            result: write_report(&path, format, &suite)
                .map(|()| path.clone())
                .map_err(|e| e.detail),
        });
    }

    fn apply_dna(&mut self, cmd: DnaCommand) {
        match cmd {
            DnaCommand::Analyze(p) => {
                self.state.tab = Tab::Dna;
                if p.as_os_str().is_empty() {
                    self.notify(NoticeKind::Error, "type the path of a workload CSV first");
                    return;
                }
                self.dna.start(&p, self.waker.clone());
            }
            DnaCommand::Cancel => self.dna.cancel(),
            DnaCommand::PinBaseline => {
                self.dna.pin_baseline();
                self.notify(
                    NoticeKind::Info,
                    "baseline pinned: the next workload is shown against it",
                );
            }
            DnaCommand::ClearBaseline => self.dna.baseline = None,
            DnaCommand::SaveJson(p) => self.dna_export(dna_tab::Export::Json, p),
            DnaCommand::SavePng(p) => self.dna_export(dna_tab::Export::Png, p),
            DnaCommand::PickCsv => self.ask(DialogPurpose::OpenCsv, ""),
            DnaCommand::PickJson => self.ask(DialogPurpose::SaveDnaJson, "dna.json"),
            DnaCommand::PickPng => self.ask(DialogPurpose::SaveHeatmapPng, "heatmap.png"),
            DnaCommand::ResetHistogram => self.dna.reset_histogram = true,
        }
    }

    fn dna_export(&mut self, kind: dna_tab::Export, path: PathBuf) {
        if path.as_os_str().is_empty() {
            self.notify(NoticeKind::Error, "type a file name first");
            return;
        }
        if path.is_dir() {
            self.notify(
                NoticeKind::Error,
                format!("{} is a folder: add a file name", path.display()),
            );
            return;
        }
        match self.dna.export_work(kind, &path) {
            Ok(work) => self.spawn("dna-export", move |_| Outcome::Notice(work())),
            Err(e) => self.notify(NoticeKind::Error, e),
        }
    }

    fn on_dialog(&mut self, purpose: DialogPurpose, answer: Option<PathBuf>, ctx: &egui::Context) {
        let Some(path) = answer else {
            self.notify(
                NoticeKind::Info,
                "no file chosen (if no dialog appeared, type the path into the field instead)",
            );
            return;
        };
        match purpose {
            DialogPurpose::OpenSpec => self.apply(Command::OpenSpec(path), ctx),
            DialogPurpose::AddFolder => self.apply(Command::AddFolder(path), ctx),
            // A save dialog asks before replacing a file itself.
            DialogPurpose::ExportReport => self.export_report(path, true),
            DialogPurpose::OpenCsv => self.apply_dna(DnaCommand::Analyze(path)),
            DialogPurpose::SaveDnaJson => self.apply_dna(DnaCommand::SaveJson(path)),
            DialogPurpose::SaveHeatmapPng => self.apply_dna(DnaCommand::SavePng(path)),
        }
    }

    fn on_outcome(&mut self, o: Outcome, ctx: &egui::Context) {
        match o {
            Outcome::Dialog(purpose, answer) => self.on_dialog(purpose, answer, ctx),
            Outcome::Notice(Ok(msg)) => self.notify(NoticeKind::Info, msg),
            Outcome::Notice(Err(e)) => self.notify(NoticeKind::Error, e),
            Outcome::Exported {
                what,
                result: Ok(p),
            } => {
                self.notify(
                    NoticeKind::Info,
                    format!("{} written to {}", what.name(), p.display()),
                );
                self.written.insert(p);
            }
            Outcome::Exported { result: Err(e), .. } => self.notify(NoticeKind::Error, e),
            Outcome::History {
                key,
                entries,
                latest,
            } => self.suites.history_loaded(key, entries, latest),
            Outcome::Compared {
                key,
                old,
                new,
                metric,
                result,
                timelines,
            } => {
                // Only the comparison last asked for is shown.
                if let Some(c) = self.suites.comparisons.get_mut(&key)
                    && c.key == key
                    && c.old == old
                    && c.new == new
                    && c.metric == metric
                {
                    let failed = result.as_ref().err().cloned();
                    c.result = Some(result);
                    c.timelines = timelines;
                    if let Some(e) = failed {
                        self.notify(NoticeKind::Error, format!("cannot compare: {e}"));
                    }
                }
            }
            Outcome::RunLoaded(Err(e)) => self.notify(NoticeKind::Error, e),
            Outcome::RunLoaded(Ok((path, suite))) => {
                // Show the run under its own spec: select that spec first.
                let spec = PathBuf::from(&suite.spec);
                if self.suites.spec_key.as_ref() != Some(&spec_key(&spec)) {
                    if spec.exists() {
                        self.open_spec(spec.clone());
                    } else {
                        self.notify(
                            NoticeKind::Error,
                            format!(
                                "the spec of this run, {}, no longer exists; showing the run alone",
                                spec.display()
                            ),
                        );
                        self.suites.spec_path = Some(spec.clone());
                        self.suites.spec_key = Some(spec_key(&spec));
                        self.suites.spec = None;
                    }
                }
                let time = suite.generated_at.clone();
                self.suites.pin(&path, suite);
                self.state.tab = Tab::Suites;
                self.notify(
                    NoticeKind::Info,
                    format!("showing the run of {} from {time}", spec.display()),
                );
            }
        }
    }

    /// Everything but drawing: commands, background jobs, runner events.
    /// Returns whether anything changed (a repaint is then requested).
    pub fn tick(&mut self, ctx: &egui::Context) -> bool {
        let mut changed = false;
        // Closing mid-run: stop the suite first (its job's process group
        // is killed, the report and the history entry are written), then
        // close. Nothing we started outlives the window.
        if ctx.input(|i| i.viewport().close_requested()) && self.suites.is_running() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            if !self.close_after_run {
                self.close_after_run = true;
                self.suites.stop();
                self.notify(
                    NoticeKind::Info,
                    "stopping the running suite before closing (its report is still written)",
                );
            }
            changed = true;
        }
        for o in self
            .tasks
            .finished(|name| Outcome::Notice(Err(format!("the {name} task stopped unexpectedly"))))
        {
            self.on_outcome(o, ctx);
            changed = true;
        }
        // A CSV dropped on the window goes to Workload DNA.
        let dropped: Option<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .first()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
        });
        if let Some(p) = dropped {
            self.commands.push(Command::Dna(DnaCommand::Analyze(p)));
        }
        if let Some(result) = self.dna.poll() {
            match result {
                Ok(msg) => self.notify(NoticeKind::Info, msg),
                Err(e) => self.notify(NoticeKind::Error, e),
            }
            changed = true;
        }
        // (Analysis progress arrives through the waker, at most ~10 times a
        // second: no frame is forced here.)
        if std::mem::take(&mut self.run_on_start) {
            self.commands.push(Command::Run);
        }
        let period = self.background_frame(ctx);
        self.frame_period.store(
            period.as_millis() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        let cmds = std::mem::take(&mut self.commands);
        changed |= !cmds.is_empty();
        for cmd in cmds {
            self.apply(cmd, ctx);
        }
        if let Some(done) = self.suites.drain(DRAIN_BUDGET) {
            self.on_finished(done);
            changed = true;
        }
        if self.suites.has_backlog() || changed {
            ctx.request_repaint();
        } else if self.suites.is_running() {
            // Only the elapsed-time labels (whole seconds) change between
            // events.
            ctx.request_repaint_after(period);
        }
        // An info notice fades: repaint when it is due to go.
        if let Some(n) = self.notices.back() {
            let left = n.lifetime() - n.at.elapsed().as_secs_f64();
            if left > 0.0 {
                ctx.request_repaint_after(Duration::from_secs_f64(left + 0.05));
            }
        }
        changed
    }

    /// How often background work may draw a frame, by what is on screen
    /// and how large the window is.
    fn background_frame(&self, ctx: &egui::Context) -> Duration {
        if self.dna.is_analyzing() || self.pending_tasks() > 0 || !self.suites.is_running() {
            return BACKGROUND_FRAME;
        }
        let base = match (self.state.tab, self.suites.view) {
            (Tab::Suites, _) if !self.suites.live_is_shown() => ELSEWHERE_FRAME,
            (Tab::Suites, SuiteView::Timeline) => TIMELINE_FRAME,
            (Tab::Suites, SuiteView::Jobs) => RUN_FRAME,
            _ => ELSEWHERE_FRAME,
        };
        // A frame's cost grows with its pixels (software rasterising): a
        // window larger than 1400×900 is redrawn less often, to the same
        // CPU (at most 8 s apart: the runner's channel holds far more).
        let pixels = ctx.content_rect().area() * ctx.pixels_per_point().powi(2);
        let scale = (pixels / (1400.0 * 900.0)).max(1.0);
        base.mul_f32(scale).min(ELSEWHERE_FRAME * 2)
    }

    fn on_finished(&mut self, done: suites::FinishedRun) {
        let summary = format!("{}/{} jobs ok", done.ok, done.total);
        let name = spec_stem(&done.spec);
        let how = if done.outcome == "cancelled" {
            format!("{name} cancelled")
        } else {
            format!("{name} finished")
        };
        match &done.reports {
            Ok(paths) => self.notify(
                // A cancel is the user's own doing, not an error.
                if done.outcome != "failed" {
                    NoticeKind::Info
                } else {
                    NoticeKind::Error
                },
                format!("{how}: {summary}; report {}", paths.markdown.display()),
            ),
            Err(e) => self.notify(
                NoticeKind::Error,
                format!("{how}: {summary}; reports not written: {e}"),
            ),
        }
        if let Some(Err(e)) = &done.archive {
            self.notify(NoticeKind::Error, format!("run not archived: {e}"));
        }
        self.state.recent_runs.insert(
            0,
            RecentRun {
                spec: done.spec.clone(),
                time: done.started.clone(),
                ok: done.ok,
                total: done.total,
                outcome: done.outcome.into(),
                archive: done.archive.and_then(Result::ok),
            },
        );
        self.state.recent_runs.truncate(RECENT_RUNS);
        // Kept at once: a crash or a kill must not lose the recent runs.
        self.save_now = true;
        if self.close_after_run {
            self.close_now = true;
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("tabs").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new("adhash")
                        .strong()
                        .size(18.0)
                        .color(palette::ACCENT),
                );
                ui.label(RichText::new("Mission Control").size(18.0));
                ui.add_space(16.0);
                for (tab, label) in [
                    (Tab::Suites, "Benchmark Suites"),
                    (Tab::Dna, "Workload DNA"),
                ] {
                    if ui
                        .selectable_label(self.state.tab == tab, RichText::new(label).size(15.0))
                        .clicked()
                    {
                        self.commands.push(Command::SwitchTab(tab));
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.menu_button("Recent runs", |ui| self.recent_menu(ui));
                });
            });
        });
    }

    fn recent_menu(&mut self, ui: &mut egui::Ui) {
        if self.state.recent_runs.is_empty() {
            ui.weak("No runs yet");
            return;
        }
        for (i, r) in self.state.recent_runs.iter().enumerate() {
            let name = spec_stem(&r.spec);
            let text = format!("{}  {name}  {}/{} {}", r.time, r.ok, r.total, r.outcome);
            let color = palette::outcome(&r.outcome);
            if ui
                .add_enabled(
                    r.archive.is_some(),
                    egui::Button::new(RichText::new(text).color(color)),
                )
                .on_hover_text(r.archive.as_ref().map_or_else(
                    || "this run was not archived".into(),
                    |p| format!("{} (from its history file)", p.display()),
                ))
                .clicked()
            {
                self.commands.push(Command::LoadRecent(i));
                ui.close();
            }
        }
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    // Seen from every tab: a suite is running.
                    if let Some((spec, done, total)) = self.suites.live_progress() {
                        let text = format!("{} running: {done}/{total} jobs", spec_stem(&spec));
                        if ui
                            .add(egui::Button::new(
                                RichText::new(text).color(palette::ACCENT),
                            ))
                            .on_hover_text("Show the running suite")
                            .clicked()
                        {
                            self.commands.push(Command::SwitchTab(Tab::Suites));
                            self.commands.push(Command::OpenSpec(spec));
                        }
                        super::palette::busy_dot(ui);
                    }
                    // And a workload being analysed.
                    if let (Some(p), Some(csv)) = (self.dna.progress(), self.dna.csv()) {
                        let pct = if p.total_bytes > 0 {
                            p.bytes as f64 / p.total_bytes as f64 * 100.0
                        } else {
                            0.0
                        };
                        let text = format!("analysing {}: {pct:.0}%", spec_stem(&csv));
                        if ui
                            .add(egui::Button::new(
                                RichText::new(text).color(palette::ACCENT),
                            ))
                            .on_hover_text("Show the Workload DNA tab")
                            .clicked()
                        {
                            self.commands.push(Command::SwitchTab(Tab::Dna));
                        }
                        super::palette::busy_dot(ui);
                    }
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        match self.notices.back() {
                            Some(n) if n.at.elapsed().as_secs_f64() < n.lifetime() => {
                                let color = match n.kind {
                                    NoticeKind::Info => palette::INFO,
                                    NoticeKind::Error => palette::BAD,
                                };
                                // One line always: a long or multi-line message is
                                // cut here and shown whole on hover.
                                let first = n.text.lines().next().unwrap_or("");
                                // (A cut line shows itself whole on hover; a
                                // tooltip on every notice would appear and go
                                // under a resting pointer: issue 27, item 16.)
                                let shown = ui.add(
                                    egui::Label::new(RichText::new(first).color(color)).truncate(),
                                );
                                if n.text.lines().nth(1).is_some() {
                                    shown.on_hover_text(&n.text);
                                }
                            }
                            // The right side says a suite is running.
                            _ if self.suites.is_running() => {}
                            _ => {
                                ui.weak("Ready");
                            }
                        }
                    });
                });
            });
        });
    }
}

/// "Replace this file?" for an export onto a file this app did not write.
fn confirm_replace(ctx: &egui::Context, what: &str, path: &Path, cmds: &mut Vec<Command>) {
    let modal = egui::Modal::new(egui::Id::unique("confirm_replace")).show(ctx, |ui| {
        ui.set_max_width(520.0);
        ui.heading("Replace the file?");
        ui.add(
            egui::Label::new(format!(
                "{} already exists and was not written by this window. Write the {what} over it?",
                crate::fmt::shown_text(&path.display().to_string(), 300)
            ))
            .wrap(),
        );
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Replace").clicked() {
                cmds.push(Command::ConfirmReplace(true));
            }
            if ui.button("Cancel").clicked() {
                cmds.push(Command::ConfirmReplace(false));
            }
        });
    });
    if modal.should_close() && !cmds.iter().any(|c| matches!(c, Command::ConfirmReplace(_))) {
        cmds.push(Command::ConfirmReplace(false));
    }
}

fn spec_stem(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Open a run's HTML report in the browser and say what happened. A past
/// run is rendered afresh into the temp folder: the spec's report file
/// belongs to whichever run wrote it last.
fn open_report(own: Option<PathBuf>, stem: &str, suite: &SuiteResult) -> Result<String, String> {
    let path = match own.filter(|p| p.is_file()) {
        Some(p) => p,
        None => {
            let safe: String = suite
                .generated_at
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            let p = std::env::temp_dir().join(format!("adhash-{stem}-{safe}.html"));
            write_report(&p, ReportFormat::Html, suite).map_err(|e| e.detail)?;
            p
        }
    };
    let abs = std::path::absolute(&path).unwrap_or(path);
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let status = std::process::Command::new(opener)
        .arg(&abs)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => Ok(format!("opened {} in the browser", abs.display())),
        Ok(_) | Err(_) => Err(format!(
            "no browser could be started ({opener}); the report is at {}",
            abs.display()
        )),
    }
}

fn apply_theme(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Dark);
    let mut style = (*ctx.style_of(egui::Theme::Dark)).clone();
    let v = &mut style.visuals;
    v.panel_fill = palette::PANEL;
    v.window_fill = palette::WINDOW;
    v.extreme_bg_color = palette::EXTREME;
    v.faint_bg_color = palette::FAINT;
    v.selection.bg_fill = palette::SELECTION;
    v.hyperlink_color = palette::ACCENT;
    style.spacing.item_spacing = egui::vec2(8.0, 6.0);
    // No animations: a scroll bar fading in as the log grows asked for ten
    // frames in a row, each a frame of CPU taken from the benchmark beside
    // it (issue 27, item 10). Things appear at once.
    style.animation_time = 0.0;
    ctx.set_style_of(egui::Theme::Dark, style);
}

impl eframe::App for MissionControl {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.tick(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.frames += 1;
        if std::mem::take(&mut self.save_now)
            && let Some(storage) = frame.storage_mut()
        {
            eframe::set_value(storage, eframe::APP_KEY, &self.state);
            storage.flush();
        }
        if std::mem::take(&mut self.close_now) {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        self.top_bar(ui);
        self.status_bar(ui);
        let mut cmds = Vec::new();
        match self.state.tab {
            Tab::Suites => {
                suites::show(
                    ui,
                    &self.suites,
                    suites::TextInputs {
                        spec: &mut self.state.spec_input,
                        export: &mut self.state.export_input,
                        baseline: &mut self.state.baseline_name,
                        compare_export: &mut self.state.compare_export_input,
                    },
                    (&self.state.spec_folders, &self.state.spec_files),
                    &mut cmds,
                );
                self.suites.jump_to_end = false;
            }
            Tab::Dna => {
                let mut csvs: Vec<PathBuf> = Vec::new();
                for r in self.suites.rows() {
                    if !r.csv.as_os_str().is_empty() && !csvs.contains(&r.csv) {
                        csvs.push(r.csv.clone());
                    }
                }
                dna_tab::show(ui, &mut self.dna, &csvs, &mut cmds)
            }
        }
        if let Some((what, path)) = &self.pending_replace {
            confirm_replace(ui.ctx(), what.name(), path, &mut cmds);
        }
        if !cmds.is_empty() {
            self.commands.extend(cmds);
            ui.ctx().request_repaint();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state);
    }

    /// The last word: a suite still running (the window was closed by a
    /// signal or the platform without asking) is stopped here, and we wait
    /// for its job's process group to be gone.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.suites.shutdown(Duration::from_secs(6));
    }
}
