//! The log panel under the main area: the shown run's log, filtered.

use egui::RichText;

use super::session::SuiteSession;
use crate::fmt::thousands;
use crate::gui::Command;
use crate::gui::widgets::log_view;

pub(super) fn show(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    // Claim the panel's whole height, whatever the log holds: a panel
    // shrinks to its content, and an empty log would shrink it for good.
    ui.set_min_height(ui.available_height());
    let log = s.log();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Log").strong());
        let label = ui.label("Filter");
        let mut text = s.log_filter.clone();
        let edit = ui.add(
            egui::TextEdit::singleline(&mut text)
                .hint_text("text")
                .desired_width(140.0),
        );
        edit.clone().labelled_by(label.id);
        if edit.changed() {
            cmds.push(Command::LogFilter(text));
        }
        if let Some(j) = s.selected_job
            && let Some(row) = s.rows().get(j)
            && ui
                .button(format!("job: {} ×", row.name))
                .on_hover_text("Show every job")
                .clicked()
        {
            cmds.push(Command::SelectJob(None));
        }
        if ui.button("Jump to end").clicked() {
            cmds.push(Command::JumpToLogEnd);
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
            thousands(log.visible_len() as f64),
            thousands(log.len() as f64)
        );
        if log.dropped() > 0 {
            info.push_str(&format!(
                ", {} oldest dropped",
                thousands(log.dropped() as f64)
            ));
        }
        ui.weak(info);
    });
    let Some(run) = s.shown() else {
        ui.weak("No run of this spec to show. Press Run, or pick a past run under History.");
        return;
    };
    let names = s.job_names();
    log_view::show(ui, (&run.key, &run.started), log, &names, s.jump_to_end);
}
