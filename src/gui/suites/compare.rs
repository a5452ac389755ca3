//! The Compare view (formats.md §9): what changed between two runs, with
//! the noise taken into account (`batch::compare`).

use egui::RichText;

use super::session::{CompareState, SuiteSession, SuiteView};
use super::timeline;
use crate::batch::compare::{self, Verdict};
use crate::fmt::shown_text;
use crate::gui::widgets::compare_chart;
use crate::gui::widgets::throughput::compact;
use crate::gui::{Command, palette};

pub(super) fn show(
    ui: &mut egui::Ui,
    s: &SuiteSession,
    export: &mut String,
    cmds: &mut Vec<Command>,
) {
    let Some(state) = s.comparison() else {
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
                let l = ui.label(RichText::new(&h).strong());
                if h == "Δ" {
                    l.on_hover_text(
                        "The Hodges–Lehmann shift: the median of the ratios of every new run to every old run. \
                         With runs spread widely it can differ from the ratio of the two medians beside it, \
                         even in sign; its interval and verdict say whether the move is real",
                    );
                }
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
                let d = ui.label(compare::pct(j.delta_pct));
                if let (Some(o), Some(n)) = (j.old_median, j.new_median)
                    && o > 0.0
                {
                    d.on_hover_text(format!(
                        "ratio of the medians: {:+.1}% (Δ is the median of all run ratios)",
                        (n / o - 1.0) * 100.0
                    ));
                }
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
    timelines(ui, state, cmds);
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
    let color = palette::verdict(v);
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

/// The same job's ops/s over its run, before and after, on one chart (each
/// run's kept timeline: its median run).
fn timelines(ui: &mut egui::Ui, state: &CompareState, cmds: &mut Vec<Command>) {
    if state.timelines.is_empty() {
        return;
    }
    let shown = state.timeline_job.min(state.timelines.len() - 1);
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Timelines, before and after").strong());
        for (i, t) in state.timelines.iter().enumerate() {
            if ui
                .selectable_label(i == shown, shown_text(&t.name, 32))
                .clicked()
            {
                cmds.push(Command::CompareTimeline(i));
            }
        }
    });
    let t = &state.timelines[shown];
    let cols = timeline::columns(ui.available_width() - 80.0);
    let line = |ticks| timeline::ops_line(ticks, cols);
    timeline::time_plot(("compare_timelines", &state.key, &t.name), 180.0)
        .legend(egui_plot::Legend::default())
        .y_axis_formatter(|m, _| compact(m.value))
        .show(ui, |p| {
            p.line(
                egui_plot::Line::new("old run", egui_plot::PlotPoints::from(line(&t.old)))
                    .color(palette::OLD_RUN)
                    .width(1.5),
            );
            p.line(
                egui_plot::Line::new("new run", egui_plot::PlotPoints::from(line(&t.new)))
                    .color(palette::SERIES)
                    .width(1.5),
            );
        });
}
