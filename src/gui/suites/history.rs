//! The History view (formats.md §9): the selected spec's archived runs, two
//! of them picked for Compare, and baselines.

use egui::RichText;

use super::session::{DEFAULT_BASELINE, RunSource, SuiteSession, picked_pair};
use crate::fmt::shown_text;
use crate::gui::{Command, palette};

pub(super) fn show(
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
