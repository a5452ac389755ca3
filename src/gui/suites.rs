//! The Benchmark Suites tab: a `SuiteSession` model (spec catalog, the
//! loaded spec, live job rows, the log, the running suite) and its view.
//! The model is plain data the tests drive directly; the view only reads it
//! and sends `Command`s.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use egui::{Color32, RichText};

use super::Command;
use super::widgets::log_view::{self, LogBuffer, LogLine};
use super::widgets::throughput::{self, BarDatum};
use crate::batch::report::{ReportPaths, delta_text};
use crate::batch::runner::{
    BatchEvent, CancelToken, JobResult, JobStatus, Stream, SuiteResult, Waker, run_suite,
};
use crate::batch::spec::{self, BatchSpec, SpecEntry};
use crate::log::thousands;

/// Where a job stands in the table.
#[derive(Debug, Clone, PartialEq)]
pub enum RowStatus {
    Pending,
    Running { since: Instant, run: u32, runs: u32 },
    Done(JobStatus),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub name: String,
    pub command: String,
    pub mode: String,
    /// Resolved against the spec folder.
    pub csv: PathBuf,
    pub status: RowStatus,
    pub duration: Option<f64>,
    pub ops: Option<f64>,
    pub p99_ms: Option<f64>,
    pub backend: Option<String>,
}

impl JobRow {
    pub fn status_text(&self, now: Instant) -> String {
        match &self.status {
            RowStatus::Pending => "pending".into(),
            RowStatus::Running { since, run, runs } => {
                let t = now.duration_since(*since).as_secs_f64();
                if *runs > 1 {
                    format!("running {run}/{runs} {t:.1} s")
                } else {
                    format!("running {t:.1} s")
                }
            }
            RowStatus::Done(JobStatus::Ok) => "ok".into(),
            RowStatus::Done(JobStatus::Failed) => "failed".into(),
            RowStatus::Done(JobStatus::Timeout) => "timed out".into(),
            RowStatus::Done(JobStatus::Cancelled) => "cancelled".into(),
            RowStatus::Done(JobStatus::Skipped) => "skipped".into(),
        }
    }

    fn from_result(r: &JobResult, csv: PathBuf) -> JobRow {
        JobRow {
            name: r.name.clone(),
            command: r.command.clone(),
            mode: mode_cell(&r.command, &r.mode),
            csv,
            status: RowStatus::Done(r.status),
            duration: Some(r.duration_seconds),
            ops: r.ops_per_second,
            p99_ms: r.p99_ms,
            backend: r
                .final_backend
                .clone()
                .or_else(|| r.recommendation.as_ref().map(|m| format!("recommends {m}"))),
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

/// A suite running on its worker thread.
struct ActiveRun {
    rx: Receiver<BatchEvent>,
    cancel: CancelToken,
    started: Instant,
}

/// What a finished run left, for the recent-runs list and a notice.
#[derive(Debug, Clone)]
pub struct FinishedRun {
    pub spec: PathBuf,
    pub ok: usize,
    pub total: usize,
    pub reports: Result<ReportPaths, String>,
}

pub struct SuiteSession {
    /// The `adhash` that runs jobs of specs without `hashmap_cli`.
    pub cli_exe: PathBuf,
    pub catalog: Vec<SpecEntry>,
    pub spec_path: Option<PathBuf>,
    pub spec: Option<Result<BatchSpec, String>>,
    pub rows: Vec<JobRow>,
    pub log: LogBuffer,
    pub last_suite: Option<SuiteResult>,
    pub last_reports: Option<ReportPaths>,
    pub selected_job: Option<usize>,
    pub log_filter: String,
    pub jump_to_end: bool,
    run: Option<ActiveRun>,
}

impl SuiteSession {
    pub fn new(cli_exe: PathBuf) -> Self {
        SuiteSession {
            cli_exe,
            catalog: Vec::new(),
            spec_path: None,
            spec: None,
            rows: Vec::new(),
            log: LogBuffer::default(),
            last_suite: None,
            last_reports: None,
            selected_job: None,
            log_filter: String::new(),
            jump_to_end: false,
            run: None,
        }
    }

    pub fn is_running(&self) -> bool {
        self.run.is_some()
    }

    /// Seconds since the running suite started.
    pub fn running_for(&self) -> Option<f64> {
        self.run.as_ref().map(|r| r.started.elapsed().as_secs_f64())
    }

    /// Re-read the specs in `folders` (small files: fine on the GUI thread).
    pub fn refresh_catalog(&mut self, folders: &[PathBuf]) {
        self.catalog = spec::bundled_specs(folders, None, &self.cli_exe);
    }

    /// Load a spec; an invalid one is kept with its error (shown, not hidden).
    pub fn open_spec(&mut self, path: &Path) {
        if self.is_running() {
            return;
        }
        self.spec_path = Some(path.to_path_buf());
        let loaded = spec::load(path, None, &self.cli_exe).map_err(|e| e.detail);
        self.rows = match &loaded {
            Ok(s) => s
                .jobs
                .iter()
                .map(|j| JobRow {
                    name: j.name.clone(),
                    command: j.command.name().into(),
                    mode: mode_cell(j.command.name(), j.mode.name()),
                    csv: s.resolve(&j.csv),
                    status: RowStatus::Pending,
                    duration: None,
                    ops: None,
                    p99_ms: None,
                    backend: None,
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        self.spec = Some(loaded);
        self.selected_job = None;
        self.log.set_filter(&self.log_filter, None);
    }

    /// Start the loaded spec on a worker thread.
    pub fn start(&mut self, waker: Waker) -> Result<(), String> {
        if self.is_running() {
            return Err("a suite is already running".into());
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
        self.log.clear();
        self.last_suite = None;
        self.last_reports = None;
        let (tx, rx) = crossbeam_channel::bounded(16 * 1024);
        let cancel = CancelToken::new();
        let c = cancel.clone();
        std::thread::Builder::new()
            .name("adhash-suite".into())
            .spawn(move || run_suite(&spec, tx, waker, c))
            .map_err(|e| format!("cannot start the runner thread: {e}"))?;
        self.run = Some(ActiveRun {
            rx,
            cancel,
            started: Instant::now(),
        });
        Ok(())
    }

    pub fn stop(&mut self) {
        if let Some(r) = &self.run {
            r.cancel.cancel();
        }
    }

    /// Apply waiting events for at most `budget`; returns a finished run.
    pub fn drain(&mut self, budget: Duration) -> Option<FinishedRun> {
        let deadline = Instant::now() + budget;
        let mut finished = None;
        while let Some(run) = &self.run {
            match run.rx.try_recv() {
                Ok(ev) => {
                    if let Some(f) = self.apply(ev) {
                        finished = Some(f);
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.run = None;
                    break;
                }
            }
            if Instant::now() >= deadline {
                break;
            }
        }
        finished
    }

    /// More events are waiting (the budget ran out).
    pub fn has_backlog(&self) -> bool {
        self.run.as_ref().is_some_and(|r| !r.rx.is_empty())
    }

    fn apply(&mut self, ev: BatchEvent) -> Option<FinishedRun> {
        match ev {
            BatchEvent::SuiteStarted { .. } => {
                for r in &mut self.rows {
                    r.status = RowStatus::Pending;
                    r.duration = None;
                    r.ops = None;
                    r.p99_ms = None;
                    r.backend = None;
                }
            }
            BatchEvent::JobStarted { job, run, runs, .. } => {
                if let Some(r) = self.rows.get_mut(job) {
                    r.status = RowStatus::Running {
                        since: Instant::now(),
                        run,
                        runs,
                    };
                }
            }
            BatchEvent::Log { job, stream, line } => self.log.push(LogLine {
                job,
                stream,
                text: line,
            }),
            BatchEvent::JobFinished { job, result } => {
                if let Some(r) = self.rows.get_mut(job) {
                    let csv = r.csv.clone();
                    *r = JobRow::from_result(&result, csv);
                }
            }
            BatchEvent::SuiteFinished { result, reports } => {
                let ok = result
                    .jobs
                    .iter()
                    .filter(|j| j.status == JobStatus::Ok)
                    .count();
                let total = result.jobs.len();
                self.last_reports = reports.as_ref().ok().cloned();
                self.last_suite = Some(*result);
                self.run = None;
                return Some(FinishedRun {
                    spec: self.spec_path.clone().unwrap_or_default(),
                    ok,
                    total,
                    reports,
                });
            }
        }
        None
    }

    /// Show a past run from its JSON report (recent runs).
    pub fn load_report_json(&mut self, path: &Path) -> Result<(), String> {
        if self.is_running() {
            return Err("wait for the running suite to finish".into());
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a JSON report: {e}", path.display()))?;
        let jobs: Vec<JobResult> = serde_json::from_value(v["jobs"].clone())
            .map_err(|e| format!("{} has no readable jobs: {e}", path.display()))?;
        self.rows = jobs
            .iter()
            .map(|j| JobRow::from_result(j, PathBuf::new()))
            .collect();
        self.log.clear();
        self.log.push(LogLine {
            job: 0,
            stream: Stream::Runner,
            text: format!(
                "loaded {} (job logs are in the Markdown and HTML reports)",
                path.display()
            ),
        });
        Ok(())
    }

    pub fn job_names(&self) -> Vec<String> {
        self.rows.iter().map(|r| r.name.clone()).collect()
    }

    pub fn bars(&self) -> Vec<BarDatum> {
        throughput::bar_data(self.rows.iter().map(|r| (r.name.as_str(), r.ops, r.p99_ms)))
    }
}

pub fn status_color(s: &RowStatus) -> Color32 {
    match s {
        RowStatus::Pending => Color32::GRAY,
        RowStatus::Running { .. } => Color32::from_rgb(0x7f, 0xb8, 0xff),
        RowStatus::Done(JobStatus::Ok) => Color32::from_rgb(0x3f, 0xb9, 0x50),
        RowStatus::Done(JobStatus::Skipped) => Color32::from_rgb(0x9a, 0xa0, 0xa6),
        RowStatus::Done(_) => Color32::from_rgb(0xf8, 0x51, 0x49),
    }
}

/// The tab's view. `spec_input` is the editable spec path field.
pub fn show(
    ui: &mut egui::Ui,
    s: &mut SuiteSession,
    spec_input: &mut String,
    folders: &[PathBuf],
    cmds: &mut Vec<Command>,
) {
    egui::Panel::left("spec_browser")
        .resizable(true)
        .default_size(330.0)
        .min_size(240.0)
        .show(ui, |ui| spec_browser(ui, s, spec_input, folders, cmds));
    egui::CentralPanel::default().show(ui, |ui| {
        run_bar(ui, s, cmds);
        ui.separator();
        let avail = ui.available_height();
        egui::Panel::bottom("live_log_panel")
            .resizable(true)
            .default_size((avail * 0.45).max(160.0))
            .min_size(120.0)
            .show(ui, |ui| log_panel(ui, s, cmds));
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("suite_main")
                .show(ui, |ui| {
                    jobs_table(ui, s, cmds);
                    ui.add_space(8.0);
                    let bars = s.bars();
                    if !bars.is_empty() {
                        ui.label(RichText::new("Throughput (ops/s)").strong());
                        let h = (bars.len() as f32 * 28.0 + 40.0).clamp(90.0, 260.0);
                        throughput::show(ui, &bars, h);
                    }
                    ui.add_space(8.0);
                    spec_preview(ui, s);
                });
        });
    });
}

fn spec_browser(
    ui: &mut egui::Ui,
    s: &SuiteSession,
    spec_input: &mut String,
    folders: &[PathBuf],
    cmds: &mut Vec<Command>,
) {
    ui.heading("Specs");
    ui.horizontal(|ui| {
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
    ui.horizontal(|ui| {
        let label = ui.label("Path");
        let edit = ui.add(
            egui::TextEdit::singleline(spec_input)
                .hint_text("suite.toml or a folder of specs")
                .desired_width(ui.available_width() - 50.0),
        );
        edit.clone().labelled_by(label.id);
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Load").clicked() || enter) && !spec_input.trim().is_empty() {
            cmds.push(Command::OpenSpec(PathBuf::from(spec_input.trim())));
        }
    });
    for (i, f) in folders.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("folder: {}", f.display())).small());
            if ui
                .small_button("×")
                .on_hover_text("Stop listing this folder")
                .clicked()
            {
                cmds.push(Command::RemoveFolder(i));
            }
        });
    }
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("catalog")
        .show(ui, |ui| {
            if s.catalog.is_empty() {
                ui.weak("No specs found. Open one or add a folder.");
            }
            for entry in &s.catalog {
                let selected = s.spec_path.as_deref() == Some(entry.path.as_path());
                let name = entry.path.file_name().map_or_else(
                    || entry.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let resp = ui
                    .push_id(entry.path.display().to_string(), |ui| {
                        let title = match &entry.spec {
                            Ok(spec) => {
                                RichText::new(format!("{name}  ·  {} jobs", spec.jobs.len()))
                                    .strong()
                            }
                            Err(_) => RichText::new(format!("{name}  ·  invalid"))
                                .strong()
                                .color(Color32::from_rgb(0xf8, 0x51, 0x49)),
                        };
                        let r = ui.selectable_label(selected, title);
                        match &entry.spec {
                            Ok(spec) => {
                                if let Some(d) = &spec.description {
                                    ui.label(RichText::new(d).small());
                                }
                            }
                            Err(e) => {
                                ui.label(
                                    RichText::new(e)
                                        .small()
                                        .color(Color32::from_rgb(0xf0, 0xa0, 0x5a)),
                                );
                            }
                        }
                        ui.label(
                            RichText::new(entry.path.display().to_string())
                                .small()
                                .weak(),
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

fn run_bar(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let title = s
            .spec_path
            .as_ref()
            .map_or_else(|| "No spec loaded".to_string(), |p| p.display().to_string());
        ui.heading(title);
    });
    ui.horizontal(|ui| {
        let can_run = !s.is_running() && matches!(s.spec, Some(Ok(_)));
        if ui
            .add_enabled(
                can_run,
                egui::Button::new(RichText::new("▶ Run").strong()).min_size(egui::vec2(80.0, 0.0)),
            )
            .clicked()
        {
            cmds.push(Command::Run);
        }
        if ui
            .add_enabled(
                s.is_running(),
                egui::Button::new("⏹ Stop").min_size(egui::vec2(80.0, 0.0)),
            )
            .clicked()
        {
            cmds.push(Command::Stop);
        }
        if let Some(t) = s.running_for() {
            ui.spinner();
            let done = s
                .rows
                .iter()
                .filter(|r| matches!(r.status, RowStatus::Done(_)))
                .count();
            ui.label(format!(
                "running: {done}/{} jobs done, {t:.1} s",
                s.rows.len()
            ));
        } else if let Some(suite) = &s.last_suite {
            let ok = suite
                .jobs
                .iter()
                .filter(|j| j.status == JobStatus::Ok)
                .count();
            let color = if ok == suite.jobs.len() {
                Color32::from_rgb(0x3f, 0xb9, 0x50)
            } else {
                Color32::from_rgb(0xf8, 0x51, 0x49)
            };
            ui.label(
                RichText::new(format!(
                    "finished: {ok}/{} ok in {:.2} s",
                    suite.jobs.len(),
                    suite.wall_seconds
                ))
                .color(color),
            );
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let has_html = s
                .last_reports
                .as_ref()
                .and_then(|r| r.html.as_ref())
                .is_some();
            if ui
                .add_enabled(has_html, egui::Button::new("Open report"))
                .on_hover_text("Open the HTML report in the default browser")
                .clicked()
            {
                cmds.push(Command::OpenReport);
            }
            if ui
                .add_enabled(s.last_suite.is_some(), egui::Button::new("Export report…"))
                .on_hover_text("Markdown, HTML or JSON, chosen by the file name's extension")
                .clicked()
            {
                cmds.push(Command::PickExport);
            }
        });
    });
    if let Some(Err(e)) = &s.spec {
        ui.colored_label(
            Color32::from_rgb(0xf8, 0x51, 0x49),
            format!("Invalid spec: {e}"),
        );
    }
}

fn jobs_table(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    if s.rows.is_empty() {
        return;
    }
    let now = Instant::now();
    let best = s.rows.iter().filter_map(|r| r.ops).fold(0.0, f64::max);
    egui::Grid::new("jobs_table")
        .striped(true)
        .num_columns(9)
        .spacing([14.0, 6.0])
        .show(ui, |ui| {
            for h in [
                "Job",
                "Command",
                "Mode",
                "Status",
                "Duration",
                "Ops/s",
                "Δ vs. fastest",
                "p99 (ms)",
                "Backend",
                "",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for (i, r) in s.rows.iter().enumerate() {
                let selected = s.selected_job == Some(i);
                if ui
                    .selectable_label(selected, &r.name)
                    .on_hover_text("Show only this job's log lines (click again for all)")
                    .clicked()
                {
                    cmds.push(Command::SelectJob(if selected { None } else { Some(i) }));
                }
                ui.label(&r.command);
                ui.label(&r.mode);
                ui.label(RichText::new(r.status_text(now)).color(status_color(&r.status)));
                ui.label(r.duration.map_or("-".into(), |d| format!("{d:.2} s")));
                ui.label(r.ops.map_or("-".into(), thousands));
                ui.label(r.ops.map_or("-".into(), |o| delta_text(o, best)));
                ui.label(r.p99_ms.map_or("-".into(), |p| format!("{p:.4}")));
                ui.label(r.backend.as_deref().unwrap_or("-"));
                let can_analyze = !r.csv.as_os_str().is_empty();
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

fn spec_preview(ui: &mut egui::Ui, s: &SuiteSession) {
    let Some(Ok(spec)) = &s.spec else { return };
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
                ui.label("Working folder");
                ui.monospace(spec.dir.display().to_string());
                ui.end_row();
            });
            for j in &spec.jobs {
                ui.add_space(4.0);
                ui.label(
                    RichText::new(format!("{} — {} ({})", j.name, j.command.name(), j.mode))
                        .strong(),
                );
                ui.label(format!("CSV: {}", spec.resolve(&j.csv).display()));
                let outs = j.outputs();
                if !outs.is_empty() {
                    ui.label(format!("Outputs: {}", outs.join(", ")));
                }
                if j.repeat > 1 || j.timeout_s != spec::DEFAULT_TIMEOUT_S {
                    ui.label(format!("repeat {} · timeout {} s", j.repeat, j.timeout_s));
                }
                ui.monospace(spec.command_line(j, j.json_summary.as_deref()));
            }
        });
}

fn log_panel(ui: &mut egui::Ui, s: &mut SuiteSession, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Live log").strong());
        let label = ui.label("Filter");
        let edit = ui.add(
            egui::TextEdit::singleline(&mut s.log_filter)
                .hint_text("text")
                .desired_width(160.0),
        );
        edit.labelled_by(label.id);
        if let Some(j) = s.log.filter_job() {
            let name = s.rows.get(j).map_or("?", |r| r.name.as_str());
            if ui
                .button(format!("job: {name} ×"))
                .on_hover_text("Show every job")
                .clicked()
            {
                cmds.push(Command::SelectJob(None));
            }
        }
        if ui.button("Jump to end").clicked() {
            s.jump_to_end = true;
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
            thousands(s.log.visible_len() as f64),
            thousands(s.log.len() as f64)
        );
        if s.log.dropped() > 0 {
            info.push_str(&format!(
                ", {} oldest dropped",
                thousands(s.log.dropped() as f64)
            ));
        }
        ui.weak(info);
    });
    let filter = s.log_filter.clone();
    let job = s.selected_job;
    s.log.set_filter(&filter, job);
    let names = s.job_names();
    log_view::show(ui, &s.log, &names, std::mem::take(&mut s.jump_to_end));
}
