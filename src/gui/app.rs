//! `MissionControl`, the eframe app: persisted state, the tabs, and the
//! plumbing that keeps the GUI thread free (command queue, dialog threads,
//! event draining under a time budget).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use egui::{Color32, RichText};
use serde::{Deserialize, Serialize};

use super::dialogs::{DialogPurpose, FileDialogs, NativeDialogs};
use super::dna_tab::{self, DnaCommand, DnaSession};
use super::suites::{self, SuiteSession};
use super::{Command, LaunchOptions, Tab};
use crate::batch::report::{ReportFormat, ReportPaths, write_report};
use crate::batch::runner::Waker;

/// Time per frame spent applying runner events; the rest waits a frame, so
/// a chatty job cannot freeze the window.
const DRAIN_BUDGET: Duration = Duration::from_millis(4);
const RECENT_RUNS: usize = 20;
const NOTICE_SECONDS: f64 = 10.0;

/// What survives a restart.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub tab: Tab,
    /// Folders the user added to the spec browser.
    pub spec_folders: Vec<PathBuf>,
    pub last_spec: Option<PathBuf>,
    pub recent_runs: Vec<RecentRun>,
    pub spec_input: String,
    pub export_input: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentRun {
    pub spec: PathBuf,
    pub time: String,
    pub ok: usize,
    pub total: usize,
    pub reports: Option<ReportPaths>,
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

pub struct MissionControl {
    pub state: Persisted,
    pub suites: SuiteSession,
    pub dna: DnaSession,
    pub notices: VecDeque<Notice>,
    commands: Vec<Command>,
    dialogs: Arc<dyn FileDialogs>,
    dialog_tx: Sender<(DialogPurpose, Option<PathBuf>)>,
    dialog_rx: Receiver<(DialogPurpose, Option<PathBuf>)>,
    waker: Option<Waker>,
    /// `--run`: start the spec on the first frame.
    run_on_start: bool,
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
        let (dialog_tx, dialog_rx) = crossbeam_channel::unbounded();
        let waker_ctx = ctx.clone();
        let mut app = MissionControl {
            state,
            suites: SuiteSession::new(cli_exe),
            dna: DnaSession::default(),
            notices: VecDeque::new(),
            commands: Vec::new(),
            dialogs,
            dialog_tx,
            dialog_rx,
            waker: Some(Arc::new(move || waker_ctx.request_repaint())),
            run_on_start: opts.run,
        };
        app.suites.refresh_catalog(&app.spec_folders());
        // First start: show the first valid bundled spec rather than nothing.
        let first_bundled = app
            .suites
            .catalog
            .iter()
            .find(|e| e.spec.is_ok())
            .map(|e| e.path.clone());
        let spec = opts
            .spec
            .or_else(|| app.state.last_spec.clone())
            .or(first_bundled);
        if let Some(p) = spec.filter(|p| p.exists()) {
            app.state.spec_input = p.display().to_string();
            app.suites.open_spec(&p);
        }
        if let Some(tab) = opts.tab {
            app.state.tab = tab;
        }
        if let Some(csv) = opts.dna {
            app.state.tab = Tab::Dna;
            app.commands.push(Command::Dna(DnaCommand::Analyze(csv)));
        }
        app
    }

    fn spec_folders(&self) -> Vec<PathBuf> {
        let mut v = crate::batch::spec::spec_folders();
        v.push(PathBuf::from("docs/benchmarks"));
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

    fn waker(&self) -> Waker {
        self.waker.clone().unwrap_or_else(|| Arc::new(|| {}))
    }

    fn ask(&self, purpose: DialogPurpose, suggested: &str) {
        let dialogs = self.dialogs.clone();
        let tx = self.dialog_tx.clone();
        let wake = self.waker();
        let suggested = suggested.to_string();
        std::thread::spawn(move || {
            let answer = dialogs.ask(purpose, &suggested);
            let _ = tx.send((purpose, answer));
            wake();
        });
    }

    fn apply(&mut self, cmd: Command, ctx: &egui::Context) {
        match cmd {
            Command::SwitchTab(t) => self.state.tab = t,
            Command::PickSpec => self.ask(DialogPurpose::OpenSpec, ""),
            Command::PickFolder => self.ask(DialogPurpose::AddFolder, ""),
            Command::PickExport => self.ask(DialogPurpose::ExportReport, "batch_report.html"),
            Command::RefreshCatalog => {
                let folders = self.spec_folders();
                self.suites.refresh_catalog(&folders);
            }
            Command::OpenSpec(p) if p.is_dir() => self.apply(Command::AddFolder(p), ctx),
            Command::OpenSpec(p) => {
                if self.suites.is_running() {
                    self.notify(
                        NoticeKind::Error,
                        "stop the running suite before opening another spec",
                    );
                    return;
                }
                self.state.spec_input = p.display().to_string();
                self.suites.open_spec(&p);
                match &self.suites.spec {
                    Some(Ok(_)) => {
                        self.state.last_spec = Some(p);
                    }
                    Some(Err(e)) => {
                        let e = e.clone();
                        self.notify(NoticeKind::Error, e);
                    }
                    None => {}
                }
            }
            Command::AddFolder(p) => {
                if !self.state.spec_folders.contains(&p) {
                    self.state.spec_folders.push(p.clone());
                }
                let folders = self.spec_folders();
                self.suites.refresh_catalog(&folders);
                self.notify(
                    NoticeKind::Info,
                    format!("added spec folder {}", p.display()),
                );
            }
            Command::RemoveFolder(i) => {
                if i < self.state.spec_folders.len() {
                    self.state.spec_folders.remove(i);
                    let folders = self.spec_folders();
                    self.suites.refresh_catalog(&folders);
                }
            }
            Command::Run => match self.suites.start(self.waker()) {
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
            Command::Export(p) => self.export(&p),
            Command::OpenReport => {
                if let Some(html) = self
                    .suites
                    .last_reports
                    .as_ref()
                    .and_then(|r| r.html.clone())
                {
                    let abs = std::path::absolute(&html).unwrap_or(html);
                    ctx.open_url(egui::OpenUrl::new_tab(format!("file://{}", abs.display())));
                }
            }
            Command::SelectJob(j) => self.suites.selected_job = j,
            Command::CopyLog => {
                let text = self.suites.log.visible_text(&self.suites.job_names());
                ctx.copy_text(text);
                self.notify(NoticeKind::Info, "log copied to the clipboard");
            }
            Command::AnalyzeCsv(p) => {
                self.state.tab = Tab::Dna;
                self.apply(Command::Dna(DnaCommand::Analyze(p)), ctx);
            }
            Command::LoadRecent(i) => {
                let Some(json) = self
                    .state
                    .recent_runs
                    .get(i)
                    .and_then(|r| r.reports.as_ref())
                    .map(|r| r.json.clone())
                else {
                    return;
                };
                if let Err(e) = self.suites.load_report_json(&json) {
                    self.notify(NoticeKind::Error, e);
                }
            }
            Command::Dna(c) => self.apply_dna(c),
        }
    }

    fn apply_dna(&mut self, cmd: DnaCommand) {
        match cmd {
            DnaCommand::Analyze(p) => {
                self.state.tab = Tab::Dna;
                let waker = self.waker();
                self.dna.start(&p, waker);
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
            DnaCommand::SaveJson(p) => {
                let waker = self.waker();
                if let Err(e) = self.dna.save_json(&p, waker) {
                    self.notify(NoticeKind::Error, e);
                }
            }
            DnaCommand::SavePng(p) => {
                let waker = self.waker();
                if let Err(e) = self.dna.save_png(&p, waker) {
                    self.notify(NoticeKind::Error, e);
                }
            }
            DnaCommand::PickCsv => self.ask(DialogPurpose::OpenCsv, ""),
            DnaCommand::PickJson => self.ask(DialogPurpose::SaveDnaJson, "dna.json"),
            DnaCommand::PickPng => self.ask(DialogPurpose::SaveHeatmapPng, "heatmap.png"),
        }
    }

    fn export(&mut self, path: &Path) {
        let Some(suite) = &self.suites.last_suite else {
            self.notify(
                NoticeKind::Error,
                "run a suite first: there is nothing to export",
            );
            return;
        };
        let format = ReportFormat::from_path(path);
        match write_report(path, format, suite) {
            Ok(()) => {
                self.state.export_input = path.display().to_string();
                self.notify(
                    NoticeKind::Info,
                    format!("report written to {}", path.display()),
                );
            }
            Err(e) => self.notify(NoticeKind::Error, e.detail),
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
            DialogPurpose::ExportReport => self.apply(Command::Export(path), ctx),
            DialogPurpose::OpenCsv => self.apply_dna(DnaCommand::Analyze(path)),
            DialogPurpose::SaveDnaJson => self.apply_dna(DnaCommand::SaveJson(path)),
            DialogPurpose::SaveHeatmapPng => self.apply_dna(DnaCommand::SavePng(path)),
        }
    }

    /// Everything but drawing: dialogs, commands, runner events.
    pub fn tick(&mut self, ctx: &egui::Context) {
        while let Ok((purpose, answer)) = self.dialog_rx.try_recv() {
            self.on_dialog(purpose, answer, ctx);
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
        for saved in self.dna.poll_saves() {
            match saved {
                Ok(msg) => self.notify(NoticeKind::Info, msg),
                Err(e) => self.notify(NoticeKind::Error, e),
            }
        }
        if let Some(result) = self.dna.poll() {
            match result {
                Ok(msg) => self.notify(NoticeKind::Info, msg),
                Err(e) => self.notify(NoticeKind::Error, e),
            }
        }
        if std::mem::take(&mut self.run_on_start) {
            self.commands.push(Command::Run);
        }
        for cmd in std::mem::take(&mut self.commands) {
            self.apply(cmd, ctx);
        }
        if let Some(done) = self.suites.drain(DRAIN_BUDGET) {
            let summary = format!("{}/{} jobs ok", done.ok, done.total);
            match &done.reports {
                Ok(paths) => self.notify(
                    if done.ok == done.total {
                        NoticeKind::Info
                    } else {
                        NoticeKind::Error
                    },
                    format!(
                        "suite finished: {summary}; report {}",
                        paths.markdown.display()
                    ),
                ),
                Err(e) => self.notify(
                    NoticeKind::Error,
                    format!("suite finished: {summary}; reports not written: {e}"),
                ),
            }
            self.state.recent_runs.insert(
                0,
                RecentRun {
                    spec: done.spec,
                    time: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
                    ok: done.ok,
                    total: done.total,
                    reports: done.reports.ok(),
                },
            );
            self.state.recent_runs.truncate(RECENT_RUNS);
        }
        if self.suites.has_backlog() {
            ctx.request_repaint();
        } else if self.suites.is_running() {
            // Only the elapsed-time labels change between events.
            ctx.request_repaint_after(Duration::from_millis(250));
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("tabs").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(
                    RichText::new("adhash")
                        .strong()
                        .size(18.0)
                        .color(Color32::from_rgb(0x7f, 0xb8, 0xff)),
                );
                ui.label(RichText::new("Mission Control").size(18.0));
                ui.add_space(24.0);
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
            let name = r.spec.file_name().map_or_else(
                || r.spec.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let mark = if r.ok == r.total { "ok" } else { "FAILED" };
            let text = format!("{}  {name}  {}/{} {mark}", r.time, r.ok, r.total);
            let enabled = r.reports.is_some();
            if ui
                .add_enabled(enabled, egui::Button::new(text))
                .on_hover_text(
                    r.reports
                        .as_ref()
                        .map_or("no report was written".into(), |p| {
                            p.json.display().to_string()
                        }),
                )
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
                match self.notices.back() {
                    Some(n)
                        if n.at.elapsed().as_secs_f64() < NOTICE_SECONDS
                            || n.kind == NoticeKind::Error =>
                    {
                        let color = match n.kind {
                            NoticeKind::Info => Color32::from_rgb(0x9a, 0xc8, 0xff),
                            NoticeKind::Error => Color32::from_rgb(0xf8, 0x51, 0x49),
                        };
                        ui.label(RichText::new(&n.text).color(color));
                    }
                    _ => {
                        ui.weak("Ready");
                    }
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if self.suites.last_suite.is_some() {
                        if ui
                            .button("Write")
                            .on_hover_text("Write the report to this path")
                            .clicked()
                        {
                            let p = self.state.export_input.trim().to_string();
                            if p.is_empty() {
                                self.notify(
                                    NoticeKind::Error,
                                    "type a report path (.md, .html or .json) first",
                                );
                            } else {
                                self.commands.push(Command::Export(PathBuf::from(p)));
                            }
                        }
                        let edit = ui.add(
                            egui::TextEdit::singleline(&mut self.state.export_input)
                                .hint_text("reports/export.html")
                                .desired_width(260.0),
                        );
                        let label = ui.label("Export to");
                        edit.labelled_by(label.id);
                    }
                });
            });
        });
    }
}

fn apply_theme(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Dark);
    let mut style = (*ctx.style_of(egui::Theme::Dark)).clone();
    let v = &mut style.visuals;
    v.panel_fill = Color32::from_rgb(0x16, 0x1a, 0x22);
    v.window_fill = Color32::from_rgb(0x1b, 0x20, 0x2a);
    v.extreme_bg_color = Color32::from_rgb(0x0f, 0x12, 0x18);
    v.faint_bg_color = Color32::from_rgb(0x1e, 0x24, 0x30);
    v.selection.bg_fill = Color32::from_rgb(0x2b, 0x4f, 0x8a);
    v.hyperlink_color = Color32::from_rgb(0x7f, 0xb8, 0xff);
    style.spacing.item_spacing = egui::vec2(8.0, 6.0);
    ctx.set_style_of(egui::Theme::Dark, style);
}

impl eframe::App for MissionControl {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.tick(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.top_bar(ui);
        self.status_bar(ui);
        let mut cmds = Vec::new();
        match self.state.tab {
            Tab::Suites => suites::show(
                ui,
                &mut self.suites,
                &mut self.state.spec_input,
                &self.state.spec_folders,
                &mut cmds,
            ),
            Tab::Dna => {
                let mut csvs: Vec<PathBuf> = Vec::new();
                for r in &self.suites.rows {
                    if !r.csv.as_os_str().is_empty() && !csvs.contains(&r.csv) {
                        csvs.push(r.csv.clone());
                    }
                }
                dna_tab::show(ui, &mut self.dna, &csvs, &mut cmds)
            }
        }
        if !cmds.is_empty() {
            self.commands.extend(cmds);
            ui.ctx().request_repaint();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state);
    }
}
