//! The Workload DNA tab: a `DnaSession` model (the analysis running on a
//! worker thread with progress and cancel, the current report, an optional
//! pinned baseline, view settings) and its view — bucket heatmap,
//! collision-depth histogram against the Poisson expectation, fullest
//! buckets, and the summary, side by side with the baseline when pinned.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crossbeam_channel::Receiver;
use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Plot};

use super::Command;
use super::widgets::heatmap::{self, HeatmapKey, HeatmapTexture, Scale};
use super::widgets::histogram;
use crate::batch::runner::Waker;
use crate::log::{human_bytes, thousands};
use crate::workload::dna::{DnaOptions, DnaProgress, DnaReport, analyze_file};

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
}

enum AnalysisMsg {
    Progress(DnaProgress),
    Done(Box<Result<DnaReport, String>>),
}

struct Analysis {
    csv: PathBuf,
    rx: Receiver<AnalysisMsg>,
    cancel: Arc<AtomicBool>,
    progress: DnaProgress,
    started: Instant,
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
    /// Where the current heatmap was drawn last frame (tests hover into it).
    pub heatmap_rect: Option<egui::Rect>,
    analysis: Option<Analysis>,
    /// Exports being written on worker threads.
    saves: Vec<Receiver<Result<String, String>>>,
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
            scale: Scale::Linear,
            // Unclipped by default: skewed buckets then glow against a dark
            // field; clipping brings out the texture of the rest.
            clip_percentile: 100.0,
            top_n: 16,
            bars_by_id: false,
            hovered: None,
            heatmap_rect: None,
            analysis: None,
            saves: Vec::new(),
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
        if let Some(a) = &self.analysis {
            a.cancel.store(true, Ordering::SeqCst);
        }
        self.csv_input = csv.display().to_string();
        self.error = None;
        let (tx, rx) = crossbeam_channel::unbounded();
        let cancel = Arc::new(AtomicBool::new(false));
        let c = cancel.clone();
        let path = csv.to_path_buf();
        let spawned = std::thread::Builder::new()
            .name("adhash-dna".into())
            .spawn(move || {
                let mut last = Instant::now();
                let result = analyze_file(
                    &path,
                    DnaOptions::default(),
                    &mut |p| {
                        // A few progress updates per second are plenty.
                        if last.elapsed().as_millis() >= 50 {
                            last = Instant::now();
                            let _ = tx.send(AnalysisMsg::Progress(p));
                            waker();
                        }
                    },
                    &c,
                );
                let _ = tx.send(AnalysisMsg::Done(Box::new(result.map_err(|e| e.detail))));
                waker();
            });
        match spawned {
            Ok(_) => {
                self.analysis = Some(Analysis {
                    csv: csv.to_path_buf(),
                    rx,
                    cancel,
                    progress: DnaProgress::default(),
                    started: Instant::now(),
                })
            }
            Err(e) => self.error = Some(format!("cannot start the analysis thread: {e}")),
        }
    }

    pub fn cancel(&mut self) {
        if let Some(a) = &self.analysis {
            a.cancel.store(true, Ordering::SeqCst);
        }
    }

    /// Apply what the worker sent. Returns a message worth a notice.
    pub fn poll(&mut self) -> Option<Result<String, String>> {
        let a = self.analysis.as_mut()?;
        let mut done = None;
        while let Ok(msg) = a.rx.try_recv() {
            match msg {
                AnalysisMsg::Progress(p) => a.progress = p,
                AnalysisMsg::Done(r) => done = Some(r),
            }
        }
        let result = done?;
        let secs = a.started.elapsed().as_secs_f64();
        self.analysis = None;
        match *result {
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

    /// Write the DNA JSON on a worker thread (see `poll_saves`).
    pub fn save_json(&mut self, path: &Path, waker: Waker) -> Result<(), String> {
        self.json_out = path.display().to_string();
        self.save(path, waker, |r, _, _| {
            serde_json::to_string_pretty(r)
                .map(String::into_bytes)
                .map_err(|e| e.to_string())
        })
    }

    /// Write the heatmap PNG (8 px a bucket, current scale and clip) on a worker thread.
    pub fn save_png(&mut self, path: &Path, waker: Waker) -> Result<(), String> {
        self.png_out = path.display().to_string();
        self.save(path, waker, |r, scale, clip| {
            heatmap::png_bytes(&r.bucket_counts, scale, clip, 8)
        })
    }

    /// Encode the current report with `encode` and write it atomically, off
    /// the GUI thread: a PNG encode or a large JSON must not stall a frame.
    fn save(
        &mut self,
        path: &Path,
        waker: Waker,
        encode: impl FnOnce(&DnaReport, Scale, f32) -> Result<Vec<u8>, String> + Send + 'static,
    ) -> Result<(), String> {
        let Some(c) = &self.current else {
            return Err("analyse a workload first".into());
        };
        let report = c.report.clone();
        let (scale, clip) = (self.scale, self.clip_percentile);
        let path = path.to_path_buf();
        let (tx, rx) = crossbeam_channel::bounded(1);
        std::thread::spawn(move || {
            let result = encode(&report, scale, clip).and_then(|bytes| {
                crate::workload::csv::write_atomic(&path, |w| {
                    w.write_all(&bytes)
                        .map_err(|e| crate::error::Error::io_at("cannot write", &path, &e))
                })
                .map_err(|e| e.detail)
            });
            let _ = tx.send(result.map(|()| format!("written to {}", path.display())));
            waker();
        });
        self.saves.push(rx);
        Ok(())
    }

    /// Finished saves: a message each, for a notice.
    pub fn poll_saves(&mut self) -> Vec<Result<String, String>> {
        let mut done = Vec::new();
        self.saves.retain(|rx| match rx.try_recv() {
            Ok(r) => {
                done.push(r);
                false
            }
            Err(crossbeam_channel::TryRecvError::Empty) => true,
            Err(crossbeam_channel::TryRecvError::Disconnected) => false,
        });
        done
    }
}

/// `0x0a3 → 17 keys (0.41%)`.
pub fn bucket_text(r: &DnaReport, bucket: usize) -> String {
    let n = r.bucket_counts.get(bucket).copied().unwrap_or(0);
    let share = if r.unique_keys_estimated > 0 {
        n as f64 / r.unique_keys_estimated as f64 * 100.0
    } else {
        0.0
    };
    format!("0x{bucket:03x} → {n} keys ({share:.2}%)")
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

const RED: Color32 = Color32::from_rgb(0xf8, 0x51, 0x49);
const GREEN: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x50);

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
    // Separate ids, so each layout keeps its own width.
    egui::Panel::left(("dna_heatmaps", baseline.is_some()))
        .resizable(true)
        .default_size(if baseline.is_some() { 720.0 } else { 440.0 })
        .min_size(360.0)
        .show(ui, |ui| heatmaps(ui, s, &current, baseline.as_ref()));
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("dna_right")
            .show(ui, |ui| {
                verdict(ui, &current.report, baseline.as_ref().map(|b| &*b.report));
                ui.add_space(4.0);
                ui.label(RichText::new("Collision depth: buckets per depth").strong());
                histogram::show(
                    ui,
                    &current.report,
                    baseline.as_ref().map(|b| &*b.report),
                    200.0,
                );
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
    ui.horizontal(|ui| {
        let label = ui.label("Workload CSV");
        let edit = ui.add(
            egui::TextEdit::singleline(&mut s.csv_input)
                .hint_text("path/to/workload.csv")
                .desired_width(380.0),
        );
        edit.clone().labelled_by(label.id);
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Analyze").clicked() || enter) && !s.csv_input.trim().is_empty() {
            cmds.push(Command::Dna(DnaCommand::Analyze(PathBuf::from(
                s.csv_input.trim(),
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
        ui.horizontal(|ui| {
            let frac = if p.total_bytes > 0 {
                p.bytes as f32 / p.total_bytes as f32
            } else {
                0.0
            };
            ui.add(
                egui::ProgressBar::new(frac)
                    .desired_width(380.0)
                    .text(format!(
                        "{} rows · {:.0}%",
                        thousands(p.rows as f64),
                        frac * 100.0
                    )),
            );
            ui.spinner();
            if ui.button("Cancel").clicked() {
                cmds.push(Command::Dna(DnaCommand::Cancel));
            }
        });
    }
    if let Some(e) = &s.error {
        ui.colored_label(RED, e);
    }
}

fn short_name(r: &DnaReport) -> String {
    Path::new(&r.csv_path)
        .file_name()
        .map_or_else(|| r.csv_path.clone(), |n| n.to_string_lossy().into_owned())
}

fn heatmaps(ui: &mut egui::Ui, s: &mut DnaSession, current: &Loaded, baseline: Option<&Loaded>) {
    // A side panel shrinks to its content: claim its whole width so the
    // user's (or the default) width holds.
    ui.set_min_width(ui.available_width());
    ui.horizontal(|ui| {
        ui.label(RichText::new("Bucket heatmap").strong());
        ui.weak("4096 buckets, 64 × 64, bucket 0 top-left");
    });
    ui.horizontal(|ui| {
        ui.selectable_value(&mut s.scale, Scale::Linear, "Linear");
        ui.selectable_value(&mut s.scale, Scale::Log, "Log");
        ui.separator();
        let label = ui.label("Clip at percentile");
        ui.add(egui::Slider::new(&mut s.clip_percentile, 50.0..=100.0).fixed_decimals(1))
            .labelled_by(label.id);
    });
    let avail = ui.available_size();
    let columns = if baseline.is_some() { 2.0 } else { 1.0 };
    let side = ((avail.x - 16.0 * columns) / columns)
        .min(avail.y - 140.0)
        .clamp(128.0, 768.0);
    let ctx = ui.ctx().clone();
    let key = |id| HeatmapKey {
        report_id: id,
        scale: s.scale,
        clip_percentile: s.clip_percentile,
    };
    let cur_key = key(current.id);
    let top = heatmap::clip_value(&current.report.bucket_counts, s.clip_percentile);
    ui.horizontal_top(|ui| {
        if let Some(b) = baseline {
            ui.vertical(|ui| {
                ui.label(
                    RichText::new(format!("Baseline: {}", short_name(&b.report)))
                        .color(histogram::BASELINE),
                );
                let tex = s
                    .base_tex
                    .get(&ctx, key(b.id), &b.report.bucket_counts)
                    .clone();
                let (hov, resp) = heatmap::show(ui, &tex, side, s.hovered);
                if let Some(h) = hov {
                    resp.on_hover_ui_at_pointer(|ui| {
                        ui.label(bucket_text(&b.report, h));
                    });
                }
                let btop = heatmap::clip_value(&b.report.bucket_counts, s.clip_percentile);
                heatmap::legend(ui, side, btop, s.scale);
            });
        }
        ui.vertical(|ui| {
            if baseline.is_some() {
                ui.label(
                    RichText::new(format!("Current: {}", short_name(&current.report))).strong(),
                );
            }
            let tex = s
                .tex
                .get(&ctx, cur_key, &current.report.bucket_counts)
                .clone();
            let (hov, resp) = heatmap::show(ui, &tex, side, None);
            s.heatmap_rect = Some(resp.rect);
            s.hovered = hov;
            if let Some(h) = hov {
                resp.on_hover_ui_at_pointer(|ui| {
                    ui.label(bucket_text(&current.report, h));
                });
            }
            heatmap::legend(ui, side, top, s.scale);
        });
    });
    let line = s.hovered.map_or_else(
        || "Hover a cell to see its bucket".to_string(),
        |h| bucket_text(&current.report, h),
    );
    ui.label(RichText::new(line).monospace());
}

fn verdict(ui: &mut egui::Ui, r: &DnaReport, baseline: Option<&DnaReport>) {
    let badge = |ui: &mut egui::Ui, r: &DnaReport, prefix: &str| {
        let color = if r.is_skewed() { RED } else { GREEN };
        ui.horizontal_wrapped(|ui| {
            egui::Frame::new()
                .fill(color.gamma_multiply(0.25))
                .stroke(egui::Stroke::new(1.5, color))
                .corner_radius(4.0)
                .inner_margin(egui::Margin::symmetric(10, 4))
                .show(ui, |ui| {
                    ui.label(
                        RichText::new(format!("{prefix}{}", r.skew_verdict.to_uppercase()))
                            .strong()
                            .size(16.0)
                            .color(color),
                    );
                });
            ui.vertical(|ui| {
                ui.label(format!(
                    "χ² = {:.1} on 4095 dof, p = {:.3e}",
                    r.chi_square, r.chi_square_p_value
                ));
                ui.weak(format!(
                    "{} of 4096 buckets used, deepest {}",
                    r.non_empty_buckets, r.max_bucket_depth
                ));
            });
        });
    };
    if let Some(b) = baseline {
        badge(ui, b, "baseline ");
    }
    badge(ui, r, "");
}

fn bucket_bars(ui: &mut egui::Ui, s: &mut DnaSession, r: &DnaReport) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Fullest buckets").strong());
        let label = ui.label("show");
        ui.add(egui::DragValue::new(&mut s.top_n).range(1..=128))
            .labelled_by(label.id);
        ui.selectable_value(&mut s.bars_by_id, false, "by count");
        ui.selectable_value(&mut s.bars_by_id, true, "by bucket id");
    });
    let top = top_buckets(r, s.top_n, s.bars_by_id);
    let names: Vec<String> = top.iter().map(|(b, _)| format!("0x{b:03x}")).collect();
    let bars: Vec<Bar> = top
        .iter()
        .enumerate()
        .map(|(i, (b, n))| {
            Bar::new(i as f64, *n as f64)
                .name(format!("0x{b:03x}: {n} keys"))
                .fill(heatmap::color_for(
                    *n,
                    top.first().map_or(1, |t| t.1).max(1),
                    Scale::Linear,
                ))
                .width(0.8)
        })
        .collect();
    Plot::new("bucket_bars")
        .height(150.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_formatter(move |m, _| {
            let i = m.value.round();
            if (m.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |p| {
            p.bar_chart(
                BarChart::new("keys", bars).element_formatter(Box::new(|b, _| b.name.clone())),
            );
        });
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
        (r.op_mix.put, Color32::from_rgb(0x4c, 0x8d, 0xf6)),
        (r.op_mix.get, Color32::from_rgb(0x3f, 0xb9, 0x50)),
        (r.op_mix.del, Color32::from_rgb(0xf0, 0x7a, 0x5a)),
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
    egui::Grid::new("dna_summary")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            ui.label("");
            if let Some(b) = baseline {
                ui.label(
                    RichText::new(format!("baseline: {}", short_name(b)))
                        .color(histogram::BASELINE),
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
                ui.monospace(&k.key);
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
        if ui.button("Save").clicked() && !path.trim().is_empty() {
            cmds.push(Command::Dna(save(PathBuf::from(path.trim()))));
        }
        if ui.button("Save as…").clicked() {
            cmds.push(Command::Dna(pick));
        }
    });
}
