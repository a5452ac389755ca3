//! The Workload DNA tab: a `DnaSession` model (the analysis running on a
//! worker thread with progress and cancel, the current report, an optional
//! pinned baseline, view settings) and its view — bucket heatmap,
//! collision-depth histogram against the Poisson expectation, fullest
//! buckets, and the summary, side by side with the baseline when pinned.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::RichText;
use egui_plot::{Bar, BarChart, Plot};

use super::jobs::Job;
use super::widgets::heatmap::{self, ColorScale, HeatmapKey, HeatmapTexture, Scale};
use super::widgets::histogram;
use super::{Command, Waker, palette};
use crate::fmt::{human_bytes, thousands};
use crate::workload::dna::{BUCKETS, DnaOptions, DnaProgress, DnaReport, analyze_file};

#[derive(Debug, Clone, PartialEq)]
pub enum DnaCommand {
    Analyze(PathBuf),
    Cancel,
    PinBaseline,
    ClearBaseline,
    SaveJson(PathBuf),
    SavePng(PathBuf),
    PickCsv,
    PickJson,
    PickPng,
    /// Fit the depth histogram to its data again after zooming.
    ResetHistogram,
}

/// What an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    Json,
    Png,
}

/// Work for a background job: encode and write, then say where.
pub type ExportWork = Box<dyn FnOnce() -> Result<String, String> + Send>;

struct Analysis {
    csv: PathBuf,
    job: Job<DnaProgress, Result<DnaReport, String>>,
    progress: DnaProgress,
}

/// A report with an id that changes whenever the report does (texture cache key).
#[derive(Clone)]
pub struct Loaded {
    pub id: u64,
    pub report: Arc<DnaReport>,
}

pub struct DnaSession {
    pub csv_input: String,
    pub json_out: String,
    pub png_out: String,
    pub current: Option<Loaded>,
    pub baseline: Option<Loaded>,
    /// The last analysis's error (the previous report stays shown).
    pub error: Option<String>,
    pub scale: Scale,
    /// Top of the colour scale, as a percentile of non-empty buckets.
    pub clip_percentile: f32,
    pub top_n: usize,
    pub bars_by_id: bool,
    /// The bucket under the pointer in the current heatmap.
    pub hovered: Option<usize>,
    /// A bucket picked in "Fullest buckets": marked on the heatmaps.
    pub highlight: Option<usize>,
    /// Where the current heatmap was drawn last frame (tests hover into it).
    pub heatmap_rect: Option<egui::Rect>,
    /// The depth range the histogram drew last (tests read it).
    pub depth_range: Option<(usize, usize)>,
    /// The depth histogram should fit its data again (set by a command,
    /// taken by the next frame that draws it).
    pub reset_histogram: bool,
    analysis: Option<Analysis>,
    tex: HeatmapTexture,
    base_tex: HeatmapTexture,
    next_id: u64,
}

impl Default for DnaSession {
    fn default() -> Self {
        DnaSession {
            csv_input: String::new(),
            json_out: String::new(),
            png_out: String::new(),
            current: None,
            baseline: None,
            error: None,
            // Auto: unclipped, unless a few buckets dwarf the rest (then
            // clipped at p99, and the legend says so).
            scale: Scale::Auto,
            clip_percentile: 100.0,
            top_n: 16,
            bars_by_id: false,
            hovered: None,
            highlight: None,
            heatmap_rect: None,
            reset_histogram: false,
            depth_range: None,
            analysis: None,
            tex: HeatmapTexture::default(),
            base_tex: HeatmapTexture::default(),
            next_id: 1,
        }
    }
}

impl DnaSession {
    pub fn is_analyzing(&self) -> bool {
        self.analysis.is_some()
    }

    /// The CSV being analysed, or the one of the current report.
    pub fn csv(&self) -> Option<PathBuf> {
        self.analysis.as_ref().map(|a| a.csv.clone()).or_else(|| {
            self.current
                .as_ref()
                .map(|c| PathBuf::from(&c.report.csv_path))
        })
    }

    /// Start analysing `csv` on a worker thread (cancelling a running one).
    pub fn start(&mut self, csv: &Path, waker: Waker) {
        self.cancel();
        self.csv_input = csv.display().to_string();
        self.error = None;
        let path = csv.to_path_buf();
        let spawned = Job::spawn("dna", 0, waker, move |ctx| {
            let cancel = ctx.cancel_token();
            let mut last = Instant::now();
            analyze_file(
                &path,
                DnaOptions::default(),
                &mut |p| {
                    // A few progress updates per second are plenty.
                    if last.elapsed() >= Duration::from_millis(50) {
                        last = Instant::now();
                        ctx.report(p);
                    }
                },
                cancel.flag(),
            )
            .map_err(|e| e.detail)
        });
        match spawned {
            Ok(job) => {
                self.analysis = Some(Analysis {
                    csv: csv.to_path_buf(),
                    job,
                    progress: DnaProgress::default(),
                })
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn cancel(&mut self) {
        if let Some(a) = &self.analysis {
            a.job.cancel();
        }
    }

    /// Apply what the worker sent. Returns a message worth a notice.
    pub fn poll(&mut self) -> Option<Result<String, String>> {
        let a = self.analysis.as_mut()?;
        let polled = a.job.poll(Duration::from_millis(2), || {
            Err("the analysis stopped unexpectedly".into())
        });
        if let Some(p) = polled.progress.last() {
            a.progress = *p;
        }
        let result = polled.done?;
        let secs = a.job.elapsed().as_secs_f64();
        self.analysis = None;
        match result {
            Ok(report) => {
                let msg = format!(
                    "analysed {} rows of {} in {secs:.2} s: {}",
                    thousands(report.total_rows as f64),
                    report.csv_path,
                    report.skew_verdict
                );
                self.current = Some(Loaded {
                    id: self.next_id,
                    report: Arc::new(report),
                });
                self.next_id += 1;
                self.hovered = None;
                self.highlight = None;
                self.reset_histogram = true;
                Some(Ok(msg))
            }
            Err(e) => {
                self.error = Some(e.clone());
                Some(Err(e))
            }
        }
    }

    pub fn progress(&self) -> Option<DnaProgress> {
        self.analysis.as_ref().map(|a| a.progress)
    }

    pub fn pin_baseline(&mut self) {
        self.baseline = self.current.clone();
    }

    /// One scale for two maps side by side, from both maps' counts.
    pub fn shared_scale(&self, a: &DnaReport, b: &DnaReport) -> ColorScale {
        let mut both = a.bucket_counts.clone();
        both.extend_from_slice(&b.bucket_counts);
        self.color_scale(&both)
    }

    /// The colour scale of `counts` with the current settings.
    pub fn color_scale(&self, counts: &[u64]) -> ColorScale {
        ColorScale::new(counts, self.scale, self.clip_percentile)
    }

    /// The work of exporting the current report to `path` (run it on a
    /// background job: a PNG encode or a large JSON must not stall a frame).
    pub fn export_work(&mut self, kind: Export, path: &Path) -> Result<ExportWork, String> {
        let Some(c) = &self.current else {
            return Err("analyse a workload first: there is nothing to export".into());
        };
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let want = match kind {
            Export::Json => "json",
            Export::Png => "png",
        };
        if ext.as_deref() != Some(want) {
            return Err(format!(
                "cannot export the {} to {}: the name must end in .{want}",
                if kind == Export::Json {
                    "DNA JSON"
                } else {
                    "heatmap PNG"
                },
                path.display()
            ));
        }
        match kind {
            Export::Json => self.json_out = path.display().to_string(),
            Export::Png => self.png_out = path.display().to_string(),
        }
        let report = c.report.clone();
        let cs = self.color_scale(&report.bucket_counts);
        let path = path.to_path_buf();
        Ok(Box::new(move || {
            let bytes = match kind {
                Export::Json => serde_json::to_string_pretty(&*report)
                    .map(String::into_bytes)
                    .map_err(|e| e.to_string())?,
                Export::Png => {
                    let title = format!(
                        "Workload DNA: {} ({})",
                        short_name(&report),
                        report.skew_verdict
                    );
                    heatmap::png_bytes(&report.bucket_counts, &cs, 8, &title)?
                }
            };
            crate::workload::csv::write_atomic(&path, |w| {
                w.write_all(&bytes)
                    .map_err(|e| crate::error::Error::io_at("cannot write", &path, &e))
            })
            .map_err(|e| e.detail)?;
            Ok(format!("written to {}", path.display()))
        }))
    }
}

/// `0x0a3: 17 keys (0.41%)` (plain ASCII punctuation: every font has it).
pub fn bucket_text(r: &DnaReport, bucket: usize) -> String {
    let n = r.bucket_counts.get(bucket).copied().unwrap_or(0);
    let share = if r.unique_keys_estimated > 0 {
        n as f64 / r.unique_keys_estimated as f64 * 100.0
    } else {
        0.0
    };
    format!("0x{bucket:03x}: {n} keys ({share:.2}%)")
}

/// A bucket's text with the other map's count for the same bucket, when
/// two are shown side by side (issue 27, item 20).
pub fn bucket_text_beside(
    r: &DnaReport,
    other: Option<(&DnaReport, &str)>,
    bucket: usize,
) -> String {
    let mut t = bucket_text(r, bucket);
    if let Some((o, name)) = other {
        let n = o.bucket_counts.get(bucket).copied().unwrap_or(0);
        t.push_str(&format!("; {name}: {n} keys"));
    }
    t
}

/// The `n` fullest buckets, by count or re-sorted by bucket id.
pub fn top_buckets(r: &DnaReport, n: usize, by_id: bool) -> Vec<(usize, u64)> {
    let mut v: Vec<(usize, u64)> = r.bucket_counts.iter().copied().enumerate().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.truncate(n);
    if by_id {
        v.sort_by_key(|x| x.0);
    }
    v
}

/// The tab's view. `spec_csvs` are the loaded spec's workloads.
pub fn show(ui: &mut egui::Ui, s: &mut DnaSession, spec_csvs: &[PathBuf], cmds: &mut Vec<Command>) {
    egui::Panel::top("dna_chooser").show(ui, |ui| chooser(ui, s, spec_csvs, cmds));
    let Some(current) = s.current.clone() else {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.add_space(40.0);
            ui.vertical_centered(|ui| {
                ui.heading("No workload analysed yet");
                ui.label("Open a CSV, drop one on the window, pick one from the loaded spec,");
                ui.label("or press Analyze on a job in Benchmark Suites.");
            });
        });
        return;
    };
    let baseline = s.baseline.clone();
    // Sizes come from this frame's window, never from the panel's own
    // content: the panel then cannot grow by itself.
    let full = ui.available_size();
    let share = if baseline.is_some() { 0.55 } else { 0.42 };
    // A fixed share of this frame's width: the split follows the window
    // both ways (a stored width would stay small after a shrink and grow).
    // (Whether the key-popularity chart went under the heatmaps.)
    let popularity_drawn = egui::Panel::left(("dna_heatmaps", baseline.is_some()))
        .resizable(false)
        .exact_size((full.x * share).round())
        .show(ui, |ui| heatmaps(ui, s, &current, baseline.as_ref()))
        .inner;
    egui::CentralPanel::default().show(ui, |ui| {
        // A new report starts at the top, not where the last one was left.
        egui::ScrollArea::vertical()
            // Pinning or clearing a baseline adds or takes rows above:
            // start at the top then too, the verdict in view (item 16).
            .id_salt(("dna_right", current.id, baseline.as_ref().map(|b| b.id)))
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!(
                            "Workload: {} · {} rows",
                            current.report.csv_path,
                            thousands(current.report.total_rows as f64)
                        ))
                        .strong(),
                    )
                    .truncate(),
                );
                verdict(ui, &current.report, baseline.as_ref().map(|b| &*b.report));
                ui.add_space(4.0);
                if !popularity_drawn {
                    popularity(ui, &current.report, baseline.as_ref().map(|b| &*b.report));
                    ui.add_space(4.0);
                }
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("Collision depth: buckets per depth").strong());
                    if ui
                        .small_button("Reset view")
                        .on_hover_text(
                            "Fit the chart to the data again (drag to pan, Ctrl+scroll to zoom)",
                        )
                        .clicked()
                    {
                        cmds.push(Command::Dna(DnaCommand::ResetHistogram));
                    }
                });
                let reset = std::mem::take(&mut s.reset_histogram);
                let h = (ui.available_width() * 0.45).clamp(160.0, 320.0);
                s.depth_range = Some(histogram::show(
                    ui,
                    &current.report,
                    baseline.as_ref().map(|b| &*b.report),
                    h,
                    reset,
                ));
                ui.add_space(6.0);
                bucket_bars(ui, s, &current.report);
                ui.add_space(6.0);
                summary(ui, &current.report, baseline.as_ref().map(|b| &*b.report));
                ui.add_space(6.0);
                export(ui, s, cmds);
            });
    });
}

fn chooser(ui: &mut egui::Ui, s: &mut DnaSession, spec_csvs: &[PathBuf], cmds: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Workload CSV");
        let edit = ui.add(
            egui::TextEdit::singleline(&mut s.csv_input)
                .hint_text("path/to/workload.csv")
                .desired_width((ui.available_width() * 0.35).clamp(160.0, 420.0)),
        );
        edit.clone().labelled_by(label.id);
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Analyze").clicked() || enter {
            cmds.push(Command::Dna(DnaCommand::Analyze(super::typed_path(
                &s.csv_input,
            ))));
        }
        if ui.button("Open CSV…").clicked() {
            cmds.push(Command::Dna(DnaCommand::PickCsv));
        }
        if !spec_csvs.is_empty() {
            egui::ComboBox::from_id_salt("spec_csvs")
                .selected_text("From spec")
                .show_ui(ui, |ui| {
                    for p in spec_csvs {
                        let name = p.file_name().map_or_else(
                            || p.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        );
                        if ui
                            .selectable_label(false, name)
                            .on_hover_text(p.display().to_string())
                            .clicked()
                        {
                            cmds.push(Command::Dna(DnaCommand::Analyze(p.clone())));
                        }
                    }
                })
                .response
                .on_hover_text("Analyse a workload of the loaded spec");
        }
        ui.separator();
        let has = s.current.is_some();
        if ui
            .add_enabled(has, egui::Button::new("Pin as baseline"))
            .on_hover_text("Compare the next workload against this one")
            .clicked()
        {
            cmds.push(Command::Dna(DnaCommand::PinBaseline));
        }
        if s.baseline.is_some() && ui.button("Clear baseline").clicked() {
            cmds.push(Command::Dna(DnaCommand::ClearBaseline));
        }
    });
    if let Some(p) = s.progress() {
        ui.horizontal_wrapped(|ui| {
            let frac = if p.total_bytes > 0 {
                p.bytes as f32 / p.total_bytes as f32
            } else {
                0.0
            };
            ui.add(
                egui::ProgressBar::new(frac)
                    .desired_width((ui.available_width() * 0.4).clamp(160.0, 420.0))
                    .text(format!(
                        "{} rows · {:.0}%",
                        thousands(p.rows as f64),
                        frac * 100.0
                    )),
            );
            super::palette::busy_dot(ui);
            if ui.button("Cancel").clicked() {
                cmds.push(Command::Dna(DnaCommand::Cancel));
            }
        });
    }
    if let Some(e) = &s.error {
        ui.colored_label(palette::BAD, e);
    }
    // The charts below belong to one file: say which when the field, an
    // analysis in progress or a failed one could suggest another.
    if let Some(c) = &s.current {
        let shown = PathBuf::from(&c.report.csv_path);
        let other = s
            .analysis
            .as_ref()
            .map(|a| a.csv.clone())
            .or_else(|| s.error.as_ref().map(|_| super::typed_path(&s.csv_input)));
        if other.is_some_and(|o| o != shown) {
            ui.colored_label(
                palette::WARN,
                format!(
                    "The charts below still show {} ({} rows).",
                    c.report.csv_path,
                    thousands(c.report.total_rows as f64)
                ),
            );
        }
    }
}

fn short_name(r: &DnaReport) -> String {
    Path::new(&r.csv_path)
        .file_name()
        .map_or_else(|| r.csv_path.clone(), |n| n.to_string_lossy().into_owned())
}

/// The heatmaps (side by side with a baseline); returns whether the
/// key-popularity chart was drawn under them, where a large window leaves
/// room (issue 27, item 12: the area under a pinned pair stayed empty).
fn heatmaps(
    ui: &mut egui::Ui,
    s: &mut DnaSession,
    current: &Loaded,
    baseline: Option<&Loaded>,
) -> bool {
    // A side panel shrinks to its content: claim its whole width so the
    // user's (or the default) width holds.
    ui.set_min_width(ui.available_width());
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Bucket heatmap").strong());
        ui.weak(format!(
            "{BUCKETS} buckets, {side} × {side}, bucket 0 top-left",
            side = heatmap::SIDE
        ));
    });
    ui.horizontal_wrapped(|ui| {
        ui.selectable_value(&mut s.scale, Scale::Auto, "Auto")
            .on_hover_text("Linear; clipped at p99 when a few buckets dwarf the rest");
        ui.selectable_value(&mut s.scale, Scale::Linear, "Linear");
        ui.selectable_value(&mut s.scale, Scale::Log, "Log");
        // Auto picks its own clip (the legend says which): no slider to
        // contradict it.
        if s.scale != Scale::Auto {
            let label = ui.label("Clip at percentile");
            ui.add(egui::Slider::new(&mut s.clip_percentile, 50.0..=100.0).fixed_decimals(1))
                .labelled_by(label.id);
        }
    });
    // Each grid is as large as this frame's panel allows, in both directions.
    let avail = ui.available_size();
    let columns = if baseline.is_some() { 2.0 } else { 1.0 };
    let gap = 12.0;
    let side = ((avail.x - gap * (columns - 1.0)) / columns)
        .min(avail.y - 110.0)
        .floor()
        .max(96.0);
    let ctx = ui.ctx().clone();

    // Side by side, one colour means one depth: with a baseline both maps
    // share a scale computed over both.
    let shared = baseline.map(|b| s.shared_scale(&current.report, &b.report));
    let cur_cs = match &shared {
        Some(sc) => sc.describing(&current.report.bucket_counts, "shared by both maps"),
        None => s.color_scale(&current.report.bucket_counts),
    };
    let cur_key = HeatmapKey::new(current.id, &cur_cs);
    ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = gap;
        if let Some(b) = baseline {
            ui.vertical(|ui| {
                ui.set_width(side);
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("Baseline: {}", short_name(&b.report)))
                            .color(palette::BASELINE),
                    )
                    .truncate(),
                );
                let bcs = shared.as_ref().map_or_else(
                    || cur_cs.clone(),
                    |sc| sc.describing(&b.report.bucket_counts, "shared by both maps"),
                );
                let tex = s
                    .base_tex
                    .get(
                        &ctx,
                        HeatmapKey::new(b.id, &bcs),
                        &b.report.bucket_counts,
                        &bcs,
                    )
                    .clone();
                let outlined = bcs.outliers(&b.report.bucket_counts, MAX_OUTLINED);
                let (hov, resp) =
                    heatmap::show(ui, &tex, side, s.hovered.or(s.highlight), &outlined);
                if let Some(h) = hov {
                    resp.on_hover_ui_at_pointer(|ui| {
                        ui.label(bucket_text_beside(
                            &b.report,
                            Some((&current.report, "current")),
                            h,
                        ));
                    });
                }
                heatmap::legend(ui, side, &bcs);
            });
        }
        ui.vertical(|ui| {
            ui.set_width(side);
            if baseline.is_some() {
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("Current: {}", short_name(&current.report))).strong(),
                    )
                    .truncate(),
                );
            }
            let tex = s
                .tex
                .get(&ctx, cur_key, &current.report.bucket_counts, &cur_cs)
                .clone();
            let outlined = cur_cs.outliers(&current.report.bucket_counts, MAX_OUTLINED);
            let (hov, resp) = heatmap::show(ui, &tex, side, s.highlight, &outlined);
            s.heatmap_rect = Some(resp.rect);
            s.hovered = hov;
            let other = baseline.map(|b| (&*b.report, "baseline"));
            if let Some(h) = hov {
                resp.on_hover_ui_at_pointer(|ui| {
                    ui.label(bucket_text_beside(&current.report, other, h));
                });
            }
            heatmap::legend(ui, side, &cur_cs);
        });
    });
    let other = baseline.map(|b| (&*b.report, "baseline"));
    let line = s.hovered.or(s.highlight).map_or_else(
        || "Hover a cell to see its bucket".to_string(),
        |h| bucket_text_beside(&current.report, other, h),
    );
    ui.label(RichText::new(line).monospace());
    if ui.available_height() >= POPULARITY_UNDER_HEATMAPS {
        ui.add_space(8.0);
        popularity(ui, &current.report, baseline.map(|b| &*b.report));
        true
    } else {
        false
    }
}

/// Room under the heatmaps (points) for the key-popularity chart there.
const POPULARITY_UNDER_HEATMAPS: f32 = 280.0;

/// Outliers outlined at most (an attack has a handful; a map where
/// hundreds stand out is already plainly magenta).
const MAX_OUTLINED: usize = 256;

/// A p-value as people read it, with its relation: "= 0.388",
/// "= 0.00120", "= 3.1e-9", "< 1e-300" (below what a double holds).
pub fn p_value_text(p: f64) -> String {
    if !p.is_finite() {
        "= -".into()
    } else if p <= 0.0 {
        "< 1e-300".into()
    } else if p >= 0.001 {
        format!("= {}", crate::fmt::significant(p, 3))
    } else {
        format!("= {p:.1e}")
    }
}

fn verdict(ui: &mut egui::Ui, r: &DnaReport, baseline: Option<&DnaReport>) {
    let badge = |ui: &mut egui::Ui, r: &DnaReport, prefix: &str| {
        let color = if r.is_skewed() {
            palette::BAD
        } else {
            palette::GOOD
        };
        ui.horizontal_wrapped(|ui| {
            egui::Frame::new()
                .fill(color.gamma_multiply(0.25))
                .stroke(egui::Stroke::new(1.5, color))
                .corner_radius(4.0)
                .inner_margin(egui::Margin::symmetric(10, 4))
                .show(ui, |ui| {
                    ui.label(
                        // Of the hash's spread over buckets, not of key
                        // popularity (the chart below): a Zipf workload can
                        // spread uniformly (issue 27, item 4).
                        RichText::new(format!("{prefix}{}", r.skew_verdict.to_uppercase()))
                            .strong()
                            .size(16.0)
                            .color(color),
                    );
                });
            ui.vertical(|ui| {
                ui.label(format!(
                    "χ² = {:.1} on {} dof, p {}",
                    r.chi_square,
                    BUCKETS - 1,
                    p_value_text(r.chi_square_p_value)
                ));
                ui.weak(format!(
                    "{} of {BUCKETS} buckets used, deepest {}",
                    r.non_empty_buckets, r.max_bucket_depth
                ));
            });
        });
    };
    if let Some(b) = baseline {
        badge(ui, b, "baseline hash spread: ");
    }
    badge(ui, r, "hash spread: ");
}

/// Key popularity: rank against count on log–log axes (a Zipf law is a
/// straight line of slope −s), with the fitted exponent and the hottest 1%
/// of keys' share of rows (issue 27, item 4). The hash-spread verdict
/// above says nothing about this.
fn popularity(ui: &mut egui::Ui, r: &DnaReport, baseline: Option<&DnaReport>) {
    let kp = &r.key_popularity;
    if kp.points.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Key popularity: rank – frequency (log–log)").strong());
        let near_uniform = if kp.zipf_exponent < 0.2 {
            " (keys about equally popular)"
        } else {
            ""
        };
        ui.label(format!(
            "Zipf exponent {:.2}{near_uniform} · hottest 1% of keys: {:.1}% of rows",
            kp.zipf_exponent,
            kp.top_1pct_share * 100.0
        ))
        .on_hover_text(
            "The exponent is fitted to log(count) over log(rank) for keys seen more than once: \
             about 0 for uniform keys, about s for a Zipf(s) workload",
        );
        if let Some(b) = baseline {
            ui.colored_label(
                palette::BASELINE,
                format!(
                    "baseline {:.2} · {:.1}%",
                    b.key_popularity.zipf_exponent,
                    b.key_popularity.top_1pct_share * 100.0
                ),
            );
        }
    });
    let line = |kp: &crate::workload::dna::KeyPopularity| -> Vec<[f64; 2]> {
        kp.points
            .iter()
            .map(|p| [(p[0] as f64).log10(), (p[1] as f64).log10()])
            .collect()
    };
    let pow10 = |v: f64| {
        let x = 10f64.powf(v);
        if x >= 1.0 {
            crate::fmt::thousands(x.round())
        } else {
            String::new()
        }
    };
    let h = (ui.available_width() * 0.3).clamp(120.0, 220.0);
    Plot::new(("key_popularity", baseline.is_some()))
        .height(h)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_x(0.0)
        .include_y(0.0)
        .x_axis_label("rank")
        .y_axis_label("rows")
        .x_axis_formatter(move |m, _| pow10(m.value))
        .y_axis_formatter(move |m, _| pow10(m.value))
        .x_grid_spacer(egui_plot::log_grid_spacer(10))
        .y_grid_spacer(egui_plot::log_grid_spacer(10))
        // The axes are logs: say the point in ranks and rows, and only at a
        // measured point.
        .label_formatter(|h| match h {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => Some(format!(
                "{plot_name}: rank {}, {} rows",
                crate::fmt::thousands(10f64.powf(position.x).round()),
                crate::fmt::thousands(10f64.powf(position.y).round())
            )),
            _ => None,
        })
        .legend(egui_plot::Legend::default())
        .show(ui, |p| {
            if let Some(b) = baseline {
                p.line(
                    egui_plot::Line::new(
                        "baseline",
                        egui_plot::PlotPoints::from(line(&b.key_popularity)),
                    )
                    .color(palette::BASELINE)
                    .width(1.5),
                );
            }
            p.line(
                egui_plot::Line::new("this workload", egui_plot::PlotPoints::from(line(kp)))
                    .color(palette::SERIES)
                    .width(2.0),
            );
        });
}

fn bucket_bars(ui: &mut egui::Ui, s: &mut DnaSession, r: &DnaReport) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Fullest buckets").strong());
        let label = ui.label("show");
        ui.add(egui::DragValue::new(&mut s.top_n).range(1..=128))
            .labelled_by(label.id);
        ui.selectable_value(&mut s.bars_by_id, false, "by count");
        ui.selectable_value(&mut s.bars_by_id, true, "by bucket id");
    });
    let top = top_buckets(r, s.top_n, s.bars_by_id);
    // Coloured as in the heatmap (the shared scale with a baseline), so a
    // bar and its cell match.
    let cs = match &s.baseline {
        Some(b) => s.shared_scale(r, &b.report),
        None => s.color_scale(&r.bucket_counts),
    };
    let names: Vec<String> = top.iter().map(|(b, _)| format!("0x{b:03x}")).collect();
    let bars: Vec<Bar> = top
        .iter()
        .enumerate()
        .map(|(i, (b, n))| {
            Bar::new(i as f64, *n as f64)
                .name(format!("0x{b:03x}: {n} keys"))
                .fill(cs.color(*n))
                .stroke(if s.highlight == Some(*b) {
                    egui::Stroke::new(2.0, egui::Color32::WHITE)
                } else {
                    egui::Stroke::NONE
                })
                .width(0.8)
        })
        .collect();
    // Few bars: each is named above itself (axis labels would collide and
    // egui_plot would drop all but two); many: the axis names some.
    // A label needs ~44 points: with less room a bar goes unlabelled
    // (hover names it) rather than overlapping its neighbour.
    let label_bars = top.len() <= 24 && ui.available_width() / top.len().max(1) as f32 >= 44.0;
    let marks: Vec<(f64, f64, String)> = top
        .iter()
        .enumerate()
        .map(|(i, (b, n))| (i as f64, *n as f64, format!("{b:03x}")))
        .collect();
    let highest = top.first().map_or(1, |t| t.1) as f64;
    let picked = s.highlight;
    let buckets: Vec<usize> = top.iter().map(|(b, _)| *b).collect();
    // One axis mark every `every` bars, as many as fit (~44 points each):
    // egui_plot's own spacing would keep two for 16 bars (issue 27, item 13).
    let every = ((top.len() as f32 * 44.0) / ui.available_width().max(1.0))
        .ceil()
        .max(1.0) as usize;
    let n_bars = top.len();
    let plot = Plot::new("bucket_bars")
        .height(150.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_y(0.0)
        // Room above the tallest bar for its name.
        .include_y(highest * 1.18)
        .x_axis_formatter(move |m, _| {
            let i = m.value.round();
            if !label_bars && (m.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_grid_spacer(move |_| {
            (0..n_bars)
                .step_by(every)
                .map(|i| egui_plot::GridMark {
                    value: i as f64,
                    step_size: every as f64,
                })
                .collect()
        })
        .show(ui, |p| {
            p.bar_chart(
                BarChart::new("keys", bars).element_formatter(Box::new(|b, _| b.name.clone())),
            );
            if label_bars {
                for (x, y, text) in marks {
                    p.text(
                        egui_plot::Text::new(
                            "",
                            egui_plot::PlotPoint::new(x, y),
                            RichText::new(format!("0x{text}")).size(11.0),
                        )
                        .anchor(egui::Align2::CENTER_BOTTOM),
                    );
                }
            }
        });
    // A click on a bar marks its bucket on the heatmaps (again: unmarks).
    if plot.response.clicked()
        && let Some(pos) = plot.response.interact_pointer_pos()
    {
        let x = plot.transform.value_from_position(pos).x.round();
        if x >= 0.0
            && let Some(&b) = buckets.get(x as usize)
        {
            s.highlight = if picked == Some(b) { None } else { Some(b) };
        }
    }
}

/// Rows of the summary: (label, value text).
pub fn summary_rows(r: &DnaReport) -> Vec<(&'static str, String)> {
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    vec![
        ("Rows", thousands(r.total_rows as f64)),
        ("Size", human_bytes(r.file_size_bytes)),
        (
            "Op mix",
            format!(
                "put {} · get {} · del {}",
                pct(r.op_mix.put),
                pct(r.op_mix.get),
                pct(r.op_mix.del)
            ),
        ),
        ("Distinct keys", thousands(r.unique_keys_estimated as f64)),
        ("Rows per key", format!("{:.2}", r.key_space_depth)),
        ("Mutations", pct(r.mutation_fraction)),
        (
            "Key entropy",
            format!(
                "{:.2} bits ({:.3})",
                r.key_entropy_bits, r.key_entropy_normalised
            ),
        ),
        (
            "Coverage p50/p80/p95",
            format!(
                "{} / {} / {} keys",
                thousands(r.coverage_targets.p50 as f64),
                thousands(r.coverage_targets.p80 as f64),
                thousands(r.coverage_targets.p95 as f64)
            ),
        ),
        ("Numeric keys", pct(r.numeric_key_fraction)),
        ("Sequential steps", pct(r.sequential_numeric_step_fraction)),
        ("Adjacent repeats", pct(r.adjacent_duplicate_fraction)),
        (
            "Key length",
            format!("{:.1} bytes mean", r.key_length_stats.mean),
        ),
        (
            "Value size",
            format!("{:.1} bytes mean", r.value_size_stats.mean),
        ),
    ]
}

fn op_mix_bar(ui: &mut egui::Ui, r: &DnaReport, width: f32) {
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(width, 10.0), egui::Sense::hover());
    let parts = [
        (r.op_mix.put, palette::OP_PUT),
        (r.op_mix.get, palette::OP_GET),
        (r.op_mix.del, palette::OP_DEL),
    ];
    let mut x = rect.left();
    for (share, color) in parts {
        let w = rect.width() * share as f32;
        ui.painter().rect_filled(
            egui::Rect::from_min_size(egui::pos2(x, rect.top()), egui::vec2(w, rect.height())),
            0.0,
            color,
        );
        x += w;
    }
    resp.on_hover_text("put (blue) · get (green) · del (orange)");
}

fn summary(ui: &mut egui::Ui, r: &DnaReport, baseline: Option<&DnaReport>) {
    ui.label(RichText::new("Summary").strong());
    let rows = summary_rows(r);
    let base_rows = baseline.map(summary_rows);
    egui::Grid::new(("dna_summary", baseline.is_some()))
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.label("");
            if let Some(b) = baseline {
                ui.label(
                    RichText::new(format!("baseline: {}", short_name(b))).color(palette::BASELINE),
                );
            }
            ui.label(RichText::new(short_name(r)).strong());
            ui.end_row();
            for (i, (label, value)) in rows.iter().enumerate() {
                ui.label(*label);
                if let (Some(br), Some(b)) = (&base_rows, baseline) {
                    if *label == "Op mix" {
                        ui.vertical(|ui| {
                            ui.label(&br[i].1);
                            op_mix_bar(ui, b, 200.0);
                        });
                    } else {
                        ui.label(&br[i].1);
                    }
                }
                if *label == "Op mix" {
                    ui.vertical(|ui| {
                        ui.label(value);
                        op_mix_bar(ui, r, 200.0);
                    });
                } else {
                    ui.label(value);
                }
                ui.end_row();
            }
        });
    ui.add_space(6.0);
    ui.label(RichText::new("Hot keys").strong());
    egui::Grid::new("hot_keys")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.label(RichText::new("key").weak());
            ui.label(RichText::new("count").weak());
            ui.label(RichText::new("share").weak());
            ui.end_row();
            for k in &r.hot_keys {
                ui.monospace(crate::fmt::shown_text(&k.key, 60))
                    .on_hover_text(crate::fmt::shown_text(&k.key, 2000));
                ui.label(thousands(k.count as f64));
                ui.label(format!("{:.3}%", k.share * 100.0));
                ui.end_row();
            }
        });
}

fn export(ui: &mut egui::Ui, s: &mut DnaSession, cmds: &mut Vec<Command>) {
    egui::CollapsingHeader::new("Export")
        .default_open(false)
        .show(ui, |ui| {
            export_row(
                ui,
                "DNA JSON",
                &mut s.json_out,
                "dna.json",
                DnaCommand::SaveJson,
                DnaCommand::PickJson,
                cmds,
            );
            export_row(
                ui,
                "Heatmap PNG",
                &mut s.png_out,
                "heatmap.png",
                DnaCommand::SavePng,
                DnaCommand::PickPng,
                cmds,
            );
        });
}

/// An editable path with "Save" (to that path) and "Save as…" (a dialog).
fn export_row(
    ui: &mut egui::Ui,
    label: &str,
    path: &mut String,
    hint: &str,
    save: fn(PathBuf) -> DnaCommand,
    pick: DnaCommand,
    cmds: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(path)
                .hint_text(hint)
                .desired_width(260.0),
        )
        .labelled_by(label.id);
        if ui.button("Save").clicked() {
            // An empty field is answered with a message, never a guess.
            cmds.push(Command::Dna(save(super::typed_path(path))));
        }
        if ui.button("Save as…").clicked() {
            cmds.push(Command::Dna(pick));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_read_like_numbers() {
        assert_eq!(p_value_text(0.388123), "= 0.388");
        assert_eq!(p_value_text(0.0012), "= 0.00120");
        assert_eq!(p_value_text(3.1e-9), "= 3.1e-9");
        assert_eq!(p_value_text(0.0), "< 1e-300");
    }
}
