//! The Workload DNA tab (placeholder until its issue lands): it records
//! which workload the Suites tab asked to analyse.

use std::path::PathBuf;

use egui::RichText;

use super::Command;

#[derive(Debug, Clone, PartialEq)]
pub enum DnaCommand {
    Analyze(PathBuf),
}

#[derive(Debug, Default)]
pub struct DnaSession {
    /// The workload sent here last.
    pub csv: Option<PathBuf>,
}

impl DnaSession {
    pub fn apply(&mut self, cmd: DnaCommand) {
        match cmd {
            DnaCommand::Analyze(p) => self.csv = Some(p),
        }
    }
}

pub fn show(ui: &mut egui::Ui, s: &mut DnaSession, _cmds: &mut Vec<Command>) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.heading("Workload DNA");
        ui.label(
            "The bucket heatmap and collision-depth histogram arrive with the Workload DNA tab.",
        );
        ui.label("Meanwhile, `adhash workload-dna --csv FILE` prints the same analysis.");
        if let Some(p) = &s.csv {
            ui.add_space(8.0);
            ui.label(RichText::new(format!("Selected workload: {}", p.display())).strong());
        }
    });
}
