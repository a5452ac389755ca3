//! The run bar: the spec's title, Run / Stop, the status line, the view
//! switch and the report export row.

use egui::RichText;

use super::session::{RunSource, SuiteSession, SuiteView, previous_pair};
use crate::fmt::shown_text;
use crate::gui::{Command, ReportAction, palette};

pub(super) fn show(
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
                palette::busy_dot(ui);
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
    // One row, never wrapped: the status line is cut to its room (whole on
    // hover) rather than pushing the view switch onto another line (issue
    // 27, item 12).
    ui.horizontal(|ui| {
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
                    palette::busy_dot(ui);
                }
                if matches!(run.source, RunSource::History(_))
                    && s.pinned.as_ref().is_some_and(|p| p.key == run.key)
                    && ui.button("Show latest").clicked()
                {
                    cmds.push(Command::ShowLatestRun);
                }
                let (text, color) = run.headline();
                // Right to left: the warning keeps its place at the end,
                // the headline takes (and is cut to) what is left.
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    // Short on the row; the whole warning on hover, and in
                    // the reports.
                    if let Some(first) = run.warnings.first() {
                        let head = first.split(':').next().unwrap_or(first);
                        let more = match run.warnings.len() {
                            1 => String::new(),
                            2 => " (+1 more warning)".to_string(),
                            n => format!(" (+{} more warnings)", n - 1),
                        };
                        ui.colored_label(
                            palette::WARN,
                            format!("⚠ {}{more}", shown_text(head, 40)),
                        )
                        .on_hover_text(run.warnings.join("\n"));
                    }
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        ui.add(egui::Label::new(RichText::new(&text).color(color)).truncate())
                            .on_hover_text(text.clone());
                    });
                });
            }
            None if s.history.loading => {
                ui.weak("Reading this spec's history…");
            }
            None if matches!(s.spec, Some(Ok(_))) => {
                ui.weak("Not run yet: press Run");
            }
            None => {}
        }
    });
    let finished = s.shown_result().is_some();
    ui.horizontal_wrapped(|ui| {
        view_switch(ui, s, cmds);
        ui.separator();
        let label = ui.label("Export report to");
        let edit = ui.add_enabled(
            finished,
            egui::TextEdit::singleline(export_input)
                .hint_text("reports/export.html")
                // Room for the path's end (its extension picks the format).
                .desired_width((ui.available_width() - 300.0).clamp(220.0, 560.0)),
        );
        edit.labelled_by(label.id);
        let hint = "Markdown, HTML or JSON, chosen by the extension (.md, .html, .json)";
        if ui
            .add_enabled(finished, egui::Button::new("Write"))
            .on_hover_text(hint)
            .on_disabled_hover_text("Finish or reopen a run first")
            .clicked()
        {
            cmds.push(Command::Report(ReportAction::Export(
                crate::gui::typed_path(export_input),
            )));
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
                // A message with no carets wraps: a long "(known: …)" list is
                // read whole, not cut at the box's edge (issue 27, item 13).
                let carets = e.lines().any(|l| l.trim_start().starts_with('|'));
                ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
                egui::ScrollArea::both()
                    .id_salt("spec_error")
                    .max_height(120.0)
                    .max_width(ui.available_width())
                    .show(ui, |ui| {
                        let label =
                            egui::Label::new(RichText::new(e).monospace().color(palette::BAD));
                        ui.add(if carets { label.extend() } else { label.wrap() });
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
    if let Some((old, new)) = previous_pair(s)
        && ui
            .button("Compare with previous")
            .on_hover_text("This run against the run of this spec before it")
            .clicked()
    {
        cmds.push(Command::CompareRuns { old, new });
    }
}
