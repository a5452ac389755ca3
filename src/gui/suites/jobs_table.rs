//! The jobs table: honest figures of the shown run (formats.md §8 names).
//!
//! Two grids side by side with one row height: the Job column stays put
//! while the figures scroll sideways under an always-visible bar (issue 27,
//! item 11). Jobs are grouped by workload, each group under its CSV's name,
//! so the eye never ranks across CSVs (item 9); a job opens to show each of
//! its runs (item 19).

use std::time::Instant;

use egui::{Color32, RichText};

use super::session::{JobRow, RowStatus, SuiteSession};
use crate::batch::report::{SummaryRow, summary_columns, summary_rows};
use crate::batch::result::RunRecord;
use crate::batch::runner::{JobResult, JobStatus};
use crate::fmt::{latency_ms, shown_text, thousands};
use crate::gui::widgets::throughput;
use crate::gui::{Command, palette};

/// Every row of both grids is this tall, so they stay aligned.
const ROW_HEIGHT: f32 = 22.0;

/// Widths of the cells that change as a suite runs.
const STATUS_WIDTH: f32 = 160.0;
const DURATION_WIDTH: f32 = 64.0;
const OPS_WIDTH: f32 = 180.0;
const ROUNDS_WIDTH: f32 = 56.0;
const DELTA_WIDTH: f32 = 64.0;
const XSTD_WIDTH: f32 = 170.0;
const SPREAD_WIDTH: f32 = 200.0;
const P99_WIDTH: f32 = 72.0;
const BACKEND_WIDTH: f32 = 150.0;

/// `widget` in a cell `width` wide (left-aligned), whatever its text.
fn steady(ui: &mut egui::Ui, width: f32, widget: impl egui::Widget) -> egui::Response {
    ui.allocate_ui_with_layout(
        egui::vec2(width, ROW_HEIGHT),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_width(width);
            ui.add(widget)
        },
    )
    .inner
}

/// One line of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Line {
    /// The start of a workload's group (several workloads only).
    Workload(usize),
    Job(usize),
    /// Run `k` (0-based) of job `i`, shown when the job is open.
    Run(usize, usize),
}

/// The table's lines: jobs grouped by workload in the order the suite first
/// runs each, a heading per group when there are several, and the runs of
/// each open job under it.
pub fn lines(rows: &[JobRow], open: &[usize]) -> Vec<Line> {
    let mut workloads: Vec<&str> = Vec::new();
    for r in rows {
        if !workloads.contains(&r.csv_text.as_str()) {
            workloads.push(&r.csv_text);
        }
    }
    let mut out = Vec::new();
    for w in &workloads {
        let members: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].csv_text == *w)
            .collect();
        if workloads.len() > 1 {
            out.push(Line::Workload(members[0]));
        }
        for i in members {
            out.push(Line::Job(i));
            if open.contains(&i) {
                out.extend((0..runs_of(&rows[i]).len()).map(|k| Line::Run(i, k)));
            }
        }
    }
    out
}

/// A job's measured runs: its result's, or those seen so far.
fn runs_of(r: &JobRow) -> &[RunRecord] {
    match &r.result {
        Some(x) if !x.runs.is_empty() => &x.runs,
        _ => &r.live_runs,
    }
}

/// The figures columns (everything right of Job), by what the run has.
struct Columns {
    headers: Vec<&'static str>,
    xstd: bool,
    spread: bool,
    until: Option<f64>,
    rounds: bool,
}

impl Columns {
    fn of(s: &SuiteSession, summary: &[SummaryRow]) -> Columns {
        let (xstd, spread) = summary_columns(summary);
        let until = s.shown().and_then(|r| r.until_ci_pct);
        let rounds = s.shown().is_some_and(|r| r.interleaved);
        let mut headers = vec!["Mode", "Status", "Duration", "Ops/s", "Δ vs. max"];
        if xstd {
            headers.push("×std");
        }
        if spread {
            headers.push("Spread");
        }
        if rounds {
            headers.push("Rounds");
        }
        if until.is_some() {
            headers.push("Interval");
        }
        headers.extend(["p99 (ms)", "Backend"]);
        Columns {
            headers,
            xstd,
            spread,
            until,
            rounds,
        }
    }
}

pub(super) fn show(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    let rows = s.rows();
    if rows.is_empty() {
        return;
    }
    let jobs = s.shown_results();
    let summary = summary_rows(&jobs);
    let cols = Columns::of(s, &summary);
    let table = lines(rows, &s.open_jobs);
    let id = (s.spec_key.clone(), cols.headers.len());
    ui.horizontal_top(|ui| {
        ui.spacing_mut().item_spacing.x = 12.0;
        egui::Grid::new(("jobs_table_names", id.clone()))
            .striped(true)
            .num_columns(1)
            .min_row_height(ROW_HEIGHT)
            .spacing([0.0, 6.0])
            .show(ui, |ui| {
                ui.label(RichText::new("Job").strong());
                ui.end_row();
                for line in &table {
                    job_cell(ui, s, rows, *line, cmds);
                    ui.end_row();
                }
            });
        // A narrow panel gets a compact Spread cell (the range is on hover).
        let narrow = ui.available_width() < 760.0;
        // A solid bar that takes its own room: a floating one is all but
        // invisible until hovered, and hides that columns are off-screen.
        ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
        egui::ScrollArea::horizontal()
            .id_salt("jobs_table_scroll")
            .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::VisibleWhenNeeded)
            .show(ui, |ui| {
                // One layout memory per spec and column set: a new table gets
                // egui's hidden sizing pass instead of one frame drawn with
                // another's widths.
                egui::Grid::new(("jobs_table", id))
                    .striped(true)
                    .num_columns(cols.headers.len())
                    .min_row_height(ROW_HEIGHT)
                    .spacing([12.0, 6.0])
                    .show(ui, |ui| {
                        headers(ui, &cols);
                        let now = Instant::now();
                        for line in &table {
                            match *line {
                                Line::Workload(_) => {
                                    for _ in &cols.headers {
                                        ui.label("");
                                    }
                                }
                                Line::Job(i) => {
                                    let row = summary.iter().find(|x| x.job.name == rows[i].name);
                                    job_figures(ui, &rows[i], row, &cols, narrow, now);
                                }
                                Line::Run(i, k) => run_figures(ui, &rows[i], k, &cols),
                            }
                            ui.end_row();
                        }
                    });
            });
    });
}

fn headers(ui: &mut egui::Ui, cols: &Columns) {
    for h in &cols.headers {
        let l = ui.label(RichText::new(*h).strong());
        match *h {
            "Δ vs. max" => {
                l.on_hover_text(
                    "Relative to the fastest job on the same CSV whose runs all ended ok",
                );
            }
            "×std" => {
                l.on_hover_text(
                    "Against the std job on the same CSV (the control): the job's ops/s over std's in each round, \
                     the Hodges–Lehmann middle of those ratios, with its 97% interval and verdict. \
                     Δ vs. max compares the medians of all runs instead, so the two can differ \
                     (the paired rounds cancel what the machine did to both)",
                );
            }
            "Spread" => {
                l.on_hover_text(
                    "min – max of the runs and their coefficient of variation; ⚠ above 5%",
                );
            }
            "Rounds" => {
                l.on_hover_text(
                    "Interleaved rounds the job has run of those planned: jobs take turns, one run each a round",
                );
            }
            "Interval" => {
                l.on_hover_text(format!(
                    "Half width of the job's 97% interval (of its ×std where a std job runs its CSV, else of its median); rounds are added until every job is under ±{}%",
                    cols.until.unwrap_or_default()
                ));
            }
            _ => {}
        }
    }
    ui.end_row();
}

/// The pinned cell of a line: a workload's name, a job's (with its open
/// toggle), or a run's number.
fn job_cell(
    ui: &mut egui::Ui,
    s: &SuiteSession,
    rows: &[JobRow],
    line: Line,
    cmds: &mut Vec<Command>,
) {
    match line {
        Line::Workload(i) => {
            let r = &rows[i];
            let name = r
                .csv
                .file_name()
                .map_or_else(|| r.csv_text.clone(), |n| n.to_string_lossy().into_owned());
            ui.add(
                egui::Label::new(
                    RichText::new(format!("Workload {}", shown_text(&name, 40))).strong(),
                )
                .truncate(),
            )
            .on_hover_text(format!(
                "{}: jobs are ranked within their workload, never across",
                r.csv.display()
            ));
        }
        Line::Job(i) => {
            let r = &rows[i];
            let selected = s.selected_job == Some(i);
            let open = s.open_jobs.contains(&i);
            ui.horizontal(|ui| {
                let can_open = !runs_of(r).is_empty();
                if ui
                    .add_enabled(
                        can_open,
                        egui::Button::new(if open { "-" } else { "+" }).small(),
                    )
                    .on_hover_text(if open {
                        "Hide its runs"
                    } else {
                        "Show each run's figures"
                    })
                    .clicked()
                {
                    cmds.push(Command::ToggleJobRuns(i));
                }
                let name = ui
                    .add(egui::Button::selectable(selected, shown_text(&r.name, 48)))
                    .on_hover_text(format!(
                        "{}: show only this job's log lines (click again for all)",
                        r.name
                    ));
                if name.clicked() {
                    cmds.push(Command::SelectJob(if selected { None } else { Some(i) }));
                }
                // With the job, not at the far end of a row that scrolls.
                let can_analyze = !r.csv.as_os_str().is_empty() && !r.csv_missing;
                if ui
                    .add_enabled(can_analyze, egui::Button::new("Analyze").small())
                    .on_hover_text(format!("Workload DNA of {}", r.csv.display()))
                    .clicked()
                {
                    cmds.push(Command::AnalyzeCsv(r.csv.clone()));
                }
            });
        }
        Line::Run(i, k) => {
            let run = &runs_of(&rows[i])[k];
            let round = run.round.map_or(String::new(), |r| format!(" · round {r}"));
            ui.weak(format!("      run {}{round}", k + 1));
        }
    }
}

fn job_figures(
    ui: &mut egui::Ui,
    r: &JobRow,
    row: Option<&SummaryRow>,
    cols: &Columns,
    narrow: bool,
    now: Instant,
) {
    // A profile job runs every mode: say so in one cell.
    if r.command == "profile" {
        ui.label("profile (all)")
            .on_hover_text("profile: replays a sample against every mode and recommends one");
    } else {
        ui.label(&r.mode)
            .on_hover_text(format!("{} --mode {}", r.command, r.mode));
    }
    // Cells whose text changes while the suite runs keep one width: a
    // column that resizes makes egui draw the frame again (issue 27, item
    // 10: every frame is CPU taken from the benchmark).
    let status = steady(
        ui,
        STATUS_WIDTH,
        egui::Label::new(RichText::new(shown_text(&r.status_text(now), 30)).color(status_color(r)))
            .truncate(),
    );
    if let Some(why) = r.result.as_ref().and_then(|x| x.reason.as_deref()) {
        status.on_hover_text(why);
    } else if r.csv_missing {
        status.on_hover_text(format!("{} does not exist", r.csv.display()));
    }
    steady(ui, DURATION_WIDTH, egui::Label::new(r.duration_text()));
    let ops = match (r.ops(), row.and_then(|x| x.partial.as_deref())) {
        (Some(o), _) if r.is_partial() => format!(
            "{} (partial {}/{})",
            thousands(o),
            r.live_runs.len(),
            r.planned_runs.max(r.live_runs.len() as u32)
        ),
        (Some(o), Some(mark)) => format!("{} ({mark})", thousands(o)),
        (Some(o), None) => thousands(o),
        (None, _) => "-".into(),
    };
    let cell = steady(ui, OPS_WIDTH, egui::Label::new(ops).truncate());
    if r.is_partial() {
        cell.on_hover_text(
            "Partial: the median of the runs made so far of those planned; the job's figure once all its runs end",
        );
    }
    steady(
        ui,
        DELTA_WIDTH,
        egui::Label::new(row.map_or("-".into(), |x| x.delta.clone())),
    );
    if cols.xstd {
        let xstd = row.and_then(|x| x.times_std.clone()).unwrap_or("-".into());
        steady(ui, XSTD_WIDTH, egui::Label::new(xstd).truncate());
    }
    if cols.spread {
        let width = if narrow { 90.0 } else { SPREAD_WIDTH };
        ui.allocate_ui_with_layout(
            egui::vec2(width, ROW_HEIGHT),
            egui::Layout::left_to_right(egui::Align::Center),
            |ui| {
                ui.set_min_width(width);
                spread_cell(ui, r, narrow);
            },
        );
    }
    if cols.rounds {
        // Rounds finished: a run cut short by Stop is not one.
        let made = runs_of(r)
            .iter()
            .filter(|x| x.status != JobStatus::Cancelled)
            .count();
        let planned = (r.planned_runs as usize).max(made);
        steady(
            ui,
            ROUNDS_WIDTH,
            egui::Label::new(format!("{made}/{planned}")),
        );
    }
    if let Some(target) = cols.until {
        match r.live_width {
            Some(w) => {
                let met = w < target;
                ui.label(
                    RichText::new(format!("±{w:.2}% / ±{target}%")).color(if met {
                        palette::GOOD
                    } else {
                        palette::WARN
                    }),
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
    steady(
        ui,
        P99_WIDTH,
        egui::Label::new(latency_ms(r.result.as_ref().and_then(|x| x.p99_ms))),
    );
    let (cell, full) = backend_cell(r.result.as_ref(), narrow);
    let width = if narrow { 110.0 } else { BACKEND_WIDTH };
    steady(ui, width, egui::Label::new(cell).truncate()).on_hover_text(full);
}

/// The Backend cell, short ("picks memory-tight" for a profile's pick), and
/// what it stands for in full.
pub fn backend_cell(r: Option<&JobResult>, narrow: bool) -> (String, String) {
    let Some(r) = r else {
        return ("-".into(), "not finished".into());
    };
    match (&r.final_backend, &r.recommendation) {
        (Some(b), _) => (
            shown_text(b, if narrow { 14 } else { 26 }),
            format!("the backend the run ended on: {b}"),
        ),
        (None, Some(m)) => (
            format!("picks {}", shown_text(m, 20)),
            format!("profile recommends {m}"),
        ),
        (None, None) => ("-".into(), "no backend reported".into()),
    }
}

fn spread_cell(ui: &mut egui::Ui, r: &JobRow, narrow: bool) {
    // The report's figures, in the table's compact units.
    let Some(st) = r.shown_result().and_then(JobResult::spread) else {
        ui.label("-");
        return;
    };
    let text = if narrow {
        format!("CV {:.1}%", st.cv * 100.0)
    } else {
        format!(
            "{} (CV {:.1}%)",
            throughput::compact_range(st.min, st.max),
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
            .on_hover_text(format!(
                "{full}: the runs vary by more than 5%, so the median may not rank this job reliably"
            ));
    } else {
        ui.label(text).on_hover_text(full);
    }
}

/// One run's figures under its open job, in the job's columns.
fn run_figures(ui: &mut egui::Ui, r: &JobRow, k: usize, cols: &Columns) {
    let runs = runs_of(r);
    let run = &runs[k];
    let median = r.ops();
    ui.label("");
    let word = match run.status {
        JobStatus::Ok => "ok",
        JobStatus::Failed => "failed",
        JobStatus::Timeout => "timed out",
        JobStatus::Cancelled => "cancelled",
        JobStatus::Skipped => "skipped",
    };
    ui.colored_label(
        if run.status == JobStatus::Ok {
            palette::MUTED
        } else {
            palette::BAD
        },
        word,
    );
    ui.weak(format!("{:.2} s", run.duration_seconds));
    let ops = ui.weak(run.ops_per_second.map_or("-".into(), thousands));
    if let Some(cpu) = run.ops_per_cpu_second {
        ops.on_hover_text(format!("{} ops per CPU-second", thousands(cpu)));
    }
    // This run against the job's median: how far one run strays.
    match (run.ops_per_second, median) {
        (Some(o), Some(m)) if m > 0.0 => {
            ui.weak(format!("{:+.1}% vs. median", (o / m - 1.0) * 100.0));
        }
        _ => {
            ui.label("");
        }
    }
    let mut blank = usize::from(cols.xstd) + usize::from(cols.spread);
    for _ in 0..blank {
        ui.label("");
    }
    if cols.rounds {
        ui.weak(run.round.map_or("-".into(), |x| x.to_string()));
    }
    blank = usize::from(cols.until.is_some()) + 2;
    for _ in 0..blank {
        ui.label("");
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn row(name: &str, csv: &str, runs: usize) -> JobRow {
        let mut r = JobResult::planned(name, "run-csv", "std", csv, runs as u32);
        r.status = JobStatus::Ok;
        r.runs = (0..runs)
            .map(|k| RunRecord {
                ops_per_second: Some(1000.0 + k as f64),
                duration_seconds: 1.0,
                status: JobStatus::Ok,
                ops_per_cpu_second: None,
                round: Some(k as u32 + 1),
            })
            .collect();
        JobRow::finished(&r, Path::new("/s"))
    }

    /// Issue 27, items 9 and 19: jobs grouped by workload under a heading
    /// each (in the order the suite first runs them), an open job's runs
    /// under it.
    #[test]
    fn lines_group_by_workload_and_open_jobs_show_their_runs() {
        let rows = vec![
            row("a-std", "a.csv", 2),
            row("b-std", "b.csv", 2),
            row("a-fast", "a.csv", 3),
        ];
        assert_eq!(
            lines(&rows, &[2]),
            [
                Line::Workload(0),
                Line::Job(0),
                Line::Job(2),
                Line::Run(2, 0),
                Line::Run(2, 1),
                Line::Run(2, 2),
                Line::Workload(1),
                Line::Job(1),
            ]
        );
        // One workload: no heading.
        assert_eq!(lines(&rows[..1], &[]), [Line::Job(0)]);
    }

    /// Issue 27, item 11: a profile's pick is a short cell.
    #[test]
    fn a_profile_pick_is_short_and_whole_on_hover() {
        let mut r = JobResult::planned("p", "profile", "adaptive", "w.csv", 1);
        r.recommendation = Some("memory-tight".into());
        let (cell, full) = backend_cell(Some(&r), false);
        assert_eq!(cell, "picks memory-tight");
        assert_eq!(full, "profile recommends memory-tight");
    }
}
