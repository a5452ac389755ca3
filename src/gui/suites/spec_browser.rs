//! The spec browser (the tab's left panel) and the selected spec's preview.

use std::path::PathBuf;

use egui::RichText;

use super::session::{SuiteSession, mode_cell};
use crate::batch::spec;
use crate::gui::{Command, palette};

pub(super) fn show(
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
                cmds.push(Command::OpenSpec(crate::gui::typed_path(spec_input)));
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

pub(super) fn preview(ui: &mut egui::Ui, s: &SuiteSession) {
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
