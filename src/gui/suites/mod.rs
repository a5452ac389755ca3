//! The Benchmark Suites tab: the model (`session`) and one module per view
//! (the spec browser, the run bar, the jobs table, the log, the timeline,
//! history and compare). Views read the session and push `Command`s; only
//! the app changes the session.

mod compare;
mod history;
mod jobs_table;
mod log_panel;
mod run_bar;
pub mod session;
mod spec_browser;
pub mod timeline;

use std::path::PathBuf;

use egui::RichText;

pub use session::*;

use crate::gui::Command;
use crate::gui::widgets::throughput;

/// The tab's editable fields (kept across restarts by the app).
pub struct TextInputs<'a> {
    /// The spec path field.
    pub spec: &'a mut String,
    /// The report export path.
    pub export: &'a mut String,
    /// The name History saves a baseline under.
    pub baseline: &'a mut String,
    /// Where Compare exports the comparison.
    pub compare_export: &'a mut String,
}

/// The tab's view. `folders` and `files` are what the user added to the
/// browser.
pub fn show(
    ui: &mut egui::Ui,
    s: &SuiteSession,
    inputs: TextInputs,
    (folders, files): (&[PathBuf], &[PathBuf]),
    cmds: &mut Vec<Command>,
) {
    let TextInputs {
        spec: spec_input,
        export: export_input,
        baseline,
        compare_export,
    } = inputs;
    let full = ui.available_size();
    egui::Panel::left("spec_browser")
        .resizable(true)
        .default_size((full.x * 0.22).clamp(220.0, 420.0))
        .min_size(220.0)
        // Bounded by this frame's window, never by the panel's own content.
        .max_size((full.x * 0.4).max(240.0))
        .show(ui, |ui| {
            spec_browser::show(ui, s, spec_input, (folders, files), cmds)
        });
    egui::CentralPanel::default().show(ui, |ui| {
        run_bar::show(ui, s, export_input, cmds);
        ui.separator();
        // Fractions of the whole tab's height (not of what the run bar
        // left, which varies by spec): the split stays proportional at any
        // window size and does not jump when another spec is selected.
        let tab = full.y;
        egui::Panel::bottom("live_log_panel")
            .resizable(true)
            // A short window keeps more of itself for the jobs and bars.
            .default_size(tab * if tab < 700.0 { 0.24 } else { 0.32 })
            .min_size((tab * 0.18).max(60.0))
            .max_size(tab * 0.6)
            .show(ui, |ui| log_panel::show(ui, s, cmds));
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("suite_main")
                .auto_shrink([false, false])
                .show(ui, |ui| match s.view {
                    SuiteView::History => history::show(ui, s, baseline, cmds),
                    SuiteView::Timeline => timeline::show(ui, s, cmds),
                    SuiteView::Compare => compare::show(ui, s, compare_export, cmds),
                    SuiteView::Jobs => {
                        // Only the table scrolls sideways when it is wider than
                        // the panel; the chart below keeps the panel's width.
                        egui::ScrollArea::horizontal()
                            .id_salt("jobs_table_scroll")
                            .show(ui, |ui| jobs_table::show(ui, s, cmds));
                        ui.add_space(8.0);
                        let bars = s.bars();
                        if !bars.is_empty() {
                            ui.label(RichText::new("Throughput (ops/s, median of runs)").strong());
                            // Room for every run-csv job from the start, so the
                            // chart does not grow (and push the page) as jobs end.
                            let planned =
                                s.rows().iter().filter(|r| r.command == "run-csv").count();
                            let id = s.spec_key.clone();
                            throughput::show(ui, id, &bars, planned);
                        }
                        ui.add_space(8.0);
                        spec_browser::preview(ui, s);
                    }
                });
        });
    });
}
