//! The Suites tab's History and Compare views (formats.md §9): the selected
//! spec's archived runs, two of them picked, and what changed between them
//! with the noise taken into account (`batch::compare`).

use std::path::{Path, PathBuf};

use egui::{Color32, RichText};

use super::Command;
use super::palette;
use super::suites::{RunSource, SuiteSession};
use super::widgets::compare_chart;
use crate::batch::compare::{self, Comparison, Verdict};
use crate::fmt::shown_text;

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
}

/// The colour of a verdict (formats.md §9): faster green, slower red, no change
/// grey, inconclusive amber.
pub fn verdict_color(v: Verdict) -> Color32 {
    match v {
        Verdict::Faster => palette::GOOD,
        Verdict::Slower => palette::BAD,
        Verdict::Inconclusive | Verdict::NotComparable => palette::WARN,
        Verdict::NoChange | Verdict::OnlyInOld | Verdict::OnlyInNew => palette::MUTED,
    }
}

/// The archive of the shown run and the run it is compared with: the
/// previous complete and comparable run of the same spec, the rule
/// `adhash compare --spec` follows (`history::previous_comparable`).
pub fn previous_pair(s: &SuiteSession) -> Option<(PathBuf, PathBuf)> {
    let run = s.shown().filter(|r| !r.is_running())?;
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

pub fn history_view(
    ui: &mut egui::Ui,
    s: &SuiteSession,
    baseline: &mut String,
    cmds: &mut Vec<Command>,
) {
    let entries = &s.history.entries;
    if s.history.loading {
        ui.weak("Reading this spec's history…");
        return;
    }
    if entries.is_empty() {
        ui.weak(
            "No archived runs of this spec yet: every finished run is kept here (formats.md §9).",
        );
        return;
    }
    ui.horizontal(|ui| {
        ui.label(format!(
            "{} archived run{} · pick two to compare",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" }
        ));
        let pair = picked_pair(s);
        let button = ui
            .add_enabled(pair.is_some(), egui::Button::new("Compare picked"))
            .on_disabled_hover_text("Pick exactly two runs");
        if button.clicked()
            && let Some((old, new)) = pair
        {
            cmds.push(Command::CompareRuns { old, new });
        }
        if !s.picks.is_empty() && ui.button("Clear picks").clicked() {
            for p in &s.picks {
                cmds.push(Command::TogglePick(p.clone()));
            }
        }
        ui.separator();
        let label = ui.label("Baseline name");
        ui.add(
            egui::TextEdit::singleline(baseline)
                .hint_text(DEFAULT_BASELINE)
                .desired_width(110.0),
        )
        .labelled_by(label.id)
        .on_hover_text(
            "Save as baseline stores a run under this name; `adhash compare --spec S --baseline NAME` compares with it",
        );
    });
    let baseline_name = match baseline.trim() {
        "" => DEFAULT_BASELINE.to_string(),
        n => n.to_string(),
    };
    let name_ok = crate::batch::history::check_baseline_name(&baseline_name).is_ok();
    ui.add_space(4.0);
    let shown = s.shown().and_then(|r| match &r.source {
        RunSource::History(p) => Some(p.clone()),
        RunSource::Live => r.archive.clone().and_then(Result::ok),
    });
    egui::Grid::new("history_runs")
        .striped(true)
        .num_columns(6)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for h in ["Run of (pick two)", "Jobs ok", "Outcome", "Machine", "", ""] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for e in entries {
                let mut picked = s.picks.contains(&e.path);
                let is_shown = shown.as_ref() == Some(&e.path);
                let time = RichText::new(&e.generated_at);
                if ui
                    .checkbox(&mut picked, if is_shown { time.strong() } else { time })
                    .on_hover_text(e.path.display().to_string())
                    .clicked()
                {
                    cmds.push(Command::TogglePick(e.path.clone()));
                }
                ui.label(format!("{}/{}", e.ok, e.total));
                ui.colored_label(palette::outcome(e.outcome), e.outcome);
                ui.label(shown_text(&e.environment.describe(), 60));
                if is_shown {
                    ui.weak("shown");
                } else if ui.button("Show").clicked() {
                    cmds.push(Command::OpenRun(e.path.clone()));
                }
                let complete = e.is_complete();
                let save = ui
                    .add_enabled(name_ok && complete, egui::Button::new("Save as baseline"))
                    .on_hover_text(format!("Store this run as baseline `{baseline_name}`"))
                    .on_disabled_hover_text(if complete {
                        "A baseline name is 1 to 64 letters, digits, '.', '_' or '-', not starting with '.'"
                    } else {
                        "Only a run whose jobs all ended ok can be a baseline"
                    });
                if save.clicked() {
                    cmds.push(Command::SaveBaseline {
                        run: e.path.clone(),
                        name: baseline_name.clone(),
                    });
                }
                ui.end_row();
            }
        });
}

pub fn compare_view(
    ui: &mut egui::Ui,
    s: &SuiteSession,
    export: &mut String,
    cmds: &mut Vec<Command>,
) {
    let state = s
        .comparison
        .as_ref()
        .filter(|c| Some(&c.key) == s.spec_key.as_ref());
    let Some(state) = state else {
        ui.weak("Pick two runs in History and press Compare picked, or use Compare with previous after a run.");
        if ui.button("Go to History").clicked() {
            cmds.push(Command::SuiteView(SuiteView::History));
        }
        return;
    };
    let c = match &state.result {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading and comparing the two runs…");
            });
            return;
        }
        Some(Err(e)) => {
            ui.colored_label(
                palette::BAD,
                format!("Cannot compare: {}", shown_text(e, 300)),
            );
            return;
        }
        Some(Ok(c)) => c,
    };
    for (label, side) in [("Old", &c.old), ("New", &c.new)] {
        ui.label(format!(
            "{label}: run of {} · {} · {}",
            side.started_at,
            shown_text(&side.environment.describe(), 60),
            shown_text(&side.environment.cpu_model, 60)
        ))
        .on_hover_text(&side.path);
    }
    for caveat in &c.caveats {
        ui.colored_label(palette::WARN, format!("⚠ {}", shown_text(caveat, 300)));
    }
    ui.horizontal(|ui| {
        ui.label("Judge by");
        for (m, text, tip) in [
            (
                compare::Metric::Wall,
                "Wall time",
                "ops per wall-clock second: what a program feels, neighbours included",
            ),
            (
                compare::Metric::Cpu,
                "CPU time",
                "ops per CPU-second of the replay thread: steadier on a busy machine",
            ),
        ] {
            if ui
                .selectable_label(state.metric == m, text)
                .on_hover_text(tip)
                .clicked()
                && state.metric != m
            {
                cmds.push(Command::CompareMetric(m));
            }
        }
    });
    ui.add_space(4.0);
    egui::Grid::new("compare_jobs")
        .striped(true)
        .num_columns(7)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            let unit = c.metric.unit();
            for h in [
                "Job".to_string(),
                format!("Old {unit}"),
                format!("New {unit}"),
                "Δ".into(),
                "97% CI".into(),
                "Runs (old / new)".into(),
                "Verdict".into(),
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for j in &c.jobs {
                if j.control && j.gated_on_normalized {
                    ui.label(format!("{} · control", shown_text(&j.name, 40)))
                        .on_hover_text(
                            "The std control of its CSV: the others' ×std is against it, and the gate does not read its own verdict (its move is the machine's)",
                        );
                } else {
                    ui.label(shown_text(&j.name, 40));
                }
                ui.label(compare::ops_short(j.old_median));
                ui.label(compare::ops_short(j.new_median));
                ui.label(compare::pct(j.delta_pct));
                let ci = compare::interval_text(j);
                ui.label(if ci.is_empty() { "-".to_string() } else { ci });
                ui.label(format!("{} / {}", j.old_runs, j.new_runs));
                badge(ui, j.verdict, j.reason.as_deref());
                ui.end_row();
                if let Some(n) = &j.normalized {
                    ui.label(format!(
                        "   ×std{}",
                        if j.gated_on_normalized { " (gate)" } else { "" }
                    ));
                    let times = |v: Option<f64>| v.map_or("-".into(), |x| format!("{x:.3}×"));
                    ui.label(times(n.old_median));
                    ui.label(times(n.new_median));
                    ui.label(compare::pct(n.delta_pct));
                    ui.label(match (n.ci_low_pct, n.ci_high_pct) {
                        (Some(lo), Some(hi)) => {
                            format!("[{}, {}]", compare::pct(Some(lo)), compare::pct(Some(hi)))
                        }
                        _ => "-".into(),
                    });
                    ui.label(format!("{} / {} rounds", n.old_rounds, n.new_rounds));
                    badge(ui, n.verdict, n.reason.as_deref());
                    ui.end_row();
                }
            }
        });
    ui.add_space(8.0);
    compare_chart::show(ui, &state.key, c);
    ui.weak(compare::method_note(c));
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let label = ui.label("Export comparison to");
        let field = ui
            .add(
                egui::TextEdit::singleline(export)
                    .hint_text("comparison.md, .html or .json")
                    .desired_width(320.0),
            )
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Export").clicked() || enter) && !export.trim().is_empty() {
            cmds.push(Command::ExportComparison(crate::gui::typed_path(export)));
        }
    });
}

/// A verdict as a coloured badge; why it is what it is in the line beside
/// it (an inconclusive badge that does not say why is no help).
fn badge(ui: &mut egui::Ui, v: Verdict, reason: Option<&str>) {
    let color = verdict_color(v);
    egui::Frame::new()
        .fill(color.gamma_multiply(0.18))
        .stroke(egui::Stroke::new(1.0, color))
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(6, 1))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(v.text()).color(color).strong());
                if let Some(r) = reason {
                    ui.label(RichText::new(shown_text(r, 80)).color(color));
                }
            });
        });
}
