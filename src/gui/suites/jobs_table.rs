//! The jobs table: honest figures of the shown run (formats.md §8 names).

use std::time::Instant;

use egui::{Color32, RichText};

use super::session::{JobRow, RowStatus, SuiteSession};
use crate::batch::report::{SummaryRow, summary_columns, summary_rows};
use crate::batch::runner::{JobResult, JobStatus};
use crate::fmt::{latency_ms, shown_text, thousands};
use crate::gui::widgets::throughput;
use crate::gui::{Command, palette};

pub(super) fn show(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    let rows = s.rows();
    if rows.is_empty() {
        return;
    }
    let now = Instant::now();
    // A narrow panel gets a compact Spread cell (the range is on hover).
    let narrow = ui.available_width() < 1000.0;
    let jobs = s.finished_results();
    let summary = summary_rows(&jobs);
    let (xstd, spread) = summary_columns(&summary);
    let by_name = |name: &str| summary.iter().find(|r| r.job.name == name);
    // Jobs on different CSVs are ranked apart: the table says which is whose.
    let by_workload = crate::batch::report::several_workloads(&summary);
    let mut headers = vec!["Job", "Mode"];
    if by_workload {
        headers.push("Workload");
    }
    headers.extend(["Status", "Duration", "Ops/s", "Δ vs. max"]);
    if xstd {
        headers.push("×std");
    }
    if spread {
        headers.push("Spread");
    }
    // Measuring until decisive: each job's interval now, against the target.
    let until = s.shown().and_then(|r| r.until_ci_pct);
    if until.is_some() {
        headers.push("Interval");
    }
    headers.extend(["p99 (ms)", "Backend", ""]);
    // One layout memory per spec and column set: a new table gets egui's
    // hidden sizing pass instead of one frame drawn with another's widths.
    egui::Grid::new(("jobs_table", s.spec_key.clone(), headers.len()))
        .striped(true)
        .num_columns(headers.len())
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for h in &headers {
                let l = ui.label(RichText::new(*h).strong());
                match *h {
                    "Δ vs. max" => {
                        l.on_hover_text(
                            "Relative to the fastest job on the same CSV whose runs all ended ok",
                        );
                    }
                    "Workload" => {
                        l.on_hover_text("The CSV the job replays: jobs are ranked within their workload, never across");
                    }
                    "×std" => {
                        l.on_hover_text("Ops/s ÷ the std job's on the same CSV (the control)");
                    }
                    "Spread" => {
                        l.on_hover_text("min – max of the runs and their coefficient of variation; ⚠ above 5%");
                    }
                    "Interval" => {
                        l.on_hover_text(format!(
                            "Half width of the job's 97% interval (of its ×std where a std job runs its CSV, else of its median); rounds are added until every job is under ±{}%",
                            until.unwrap_or_default()
                        ));
                    }
                    _ => {}
                }
            }
            ui.end_row();
            for (i, r) in rows.iter().enumerate() {
                let selected = s.selected_job == Some(i);
                if ui
                    .selectable_label(selected, &r.name)
                    .on_hover_text("Show only this job's log lines (click again for all)")
                    .clicked()
                {
                    cmds.push(Command::SelectJob(if selected { None } else { Some(i) }));
                }
                // A profile job runs every mode: say so in one cell.
                if r.command == "profile" {
                    ui.label("profile (all)")
                        .on_hover_text("profile: replays a sample against every mode and recommends one");
                } else {
                    ui.label(&r.mode).on_hover_text(format!("{} --mode {}", r.command, r.mode));
                }
                if by_workload {
                    let name = r
                        .csv
                        .file_name()
                        .map_or_else(|| "-".into(), |n| n.to_string_lossy().into_owned());
                    ui.label(shown_text(&name, 30)).on_hover_text(r.csv.display().to_string());
                }
                let status = ui.add(
                    egui::Label::new(
                        RichText::new(shown_text(&r.status_text(now), 30)).color(status_color(r)),
                    )
                    .wrap_mode(egui::TextWrapMode::Extend),
                );
                if let Some(why) = r.result.as_ref().and_then(|x| x.reason.as_deref()) {
                    status.on_hover_text(why);
                } else if r.csv_missing {
                    status.on_hover_text(format!("{} does not exist", r.csv.display()));
                }
                ui.label(r.duration_text());
                let row: Option<&SummaryRow> = by_name(&r.name);
                let ops = match (r.ops(), row.and_then(|x| x.partial.as_deref())) {
                    (Some(o), Some(mark)) => format!("{} ({mark})", thousands(o)),
                    (Some(o), None) => thousands(o),
                    (None, _) => "-".into(),
                };
                ui.label(ops);
                ui.label(row.map_or("-".into(), |x| x.delta.clone()));
                if xstd {
                    ui.label(row.and_then(|x| x.times_std.clone()).unwrap_or("-".into()));
                }
                if spread {
                    // The report's figures, in the table's compact units.
                    match r.result.as_ref().and_then(JobResult::spread) {
                        Some(st) => {
                            let text = if narrow {
                                format!("CV {:.1}%", st.cv * 100.0)
                            } else {
                                format!(
                                    "{} – {} (CV {:.1}%)",
                                    throughput::compact(st.min),
                                    throughput::compact(st.max),
                                    st.cv * 100.0
                                )
                            };
                            let full = format!(
                                "{} runs: {} – {} ops/s, CV {:.1}%",
                                st.n,
                                thousands(st.min),
                                thousands(st.max),
                                st.cv * 100.0
                            );
                            if st.is_noisy() {
                                ui.label(RichText::new(format!("{text} ⚠")).color(palette::WARN))
                                    .on_hover_text(format!("{full}: the runs vary by more than 5%, so the median may not rank this job reliably"));
                            } else {
                                ui.label(text).on_hover_text(full);
                            }
                        }
                        None => {
                            ui.label("-");
                        }
                    }
                }
                if let Some(target) = until {
                    match r.live_width {
                        Some(w) => {
                            let met = w < target;
                            ui.label(
                                RichText::new(format!("±{w:.2}% / ±{target}%"))
                                    .color(if met { palette::GOOD } else { palette::WARN }),
                            )
                            .on_hover_text(if met {
                                "under the target"
                            } else {
                                "not under the target yet"
                            });
                        }
                        None => {
                            ui.label("-").on_hover_text(
                                "no interval yet: it needs 7 runs (or 7 rounds paired with the control)",
                            );
                        }
                    }
                }
                ui.label(latency_ms(r.result.as_ref().and_then(|x| x.p99_ms)));
                let backend = r.result.as_ref().and_then(|x| {
                    x.final_backend
                        .clone()
                        .or_else(|| x.recommendation.as_ref().map(|m| format!("recommends {m}")))
                });
                let b = backend.as_deref().unwrap_or("-");
                ui.label(shown_text(b, if narrow { 14 } else { 26 }))
                    .on_hover_text(b);
                let can_analyze = !r.csv.as_os_str().is_empty() && !r.csv_missing;
                if ui
                    .add_enabled(can_analyze, egui::Button::new("Analyze").small())
                    .on_hover_text(format!("Workload DNA of {}", r.csv.display()))
                    .clicked()
                {
                    cmds.push(Command::AnalyzeCsv(r.csv.clone()));
                }
                ui.end_row();
            }
        });
}

pub fn status_color(r: &JobRow) -> Color32 {
    match &r.status {
        RowStatus::Planned if r.csv_missing => palette::BAD,
        RowStatus::Planned | RowStatus::Pending => palette::MUTED,
        RowStatus::Running { .. } | RowStatus::Between { .. } => palette::ACCENT,
        RowStatus::Done(JobStatus::Ok) => palette::GOOD,
        RowStatus::Done(JobStatus::Skipped) => palette::MUTED,
        RowStatus::Done(JobStatus::Cancelled) => palette::WARN,
        RowStatus::Done(_) => palette::BAD,
    }
}
