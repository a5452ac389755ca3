//! The Suites tab's Timeline view: a job's metrics ticks (formats.md §5) over
//! its run, live while it runs and kept with the run after. Stacked charts
//! share the time axis: ops/s, load factor, probe distance or group length,
//! tombstone ratio and p99 latency; migrations and compactions are marked
//! on every chart, and the backend in use shades the time axis. Several
//! jobs' ops/s can be overlaid on one chart.

use egui::{Color32, RichText};
use egui_plot::{GridInput, Legend, Line, Plot, PlotPoints, Span, VLine, uniform_grid_spacer};

use super::session::{JobRow, SuiteSession};
use crate::batch::ticks::TickPoint;
use crate::fmt::shown_text;
use crate::gui::widgets::axis;
use crate::gui::widgets::throughput::compact;
use crate::gui::{Command, palette};

/// One metric of a tick, as a chart draws it.
pub struct Metric {
    pub title: &'static str,
    pub value: fn(&TickPoint) -> Option<f64>,
}

/// The stacked charts, top to bottom.
/// The table a tick's health figures are about: the backend, or during a
/// migration (`"chaining -> robinhood (migrating)"`) the one moved to.
fn active_backend(backend: &str) -> &str {
    match backend.split_once(" -> ") {
        Some((_, to)) => to.split(' ').next().unwrap_or(to),
        None => backend,
    }
}

pub const METRICS: [Metric; 5] = [
    Metric {
        title: "ops/s",
        value: |t| Some(t.ops_per_second).filter(|v| v.is_finite()),
    },
    Metric {
        title: "load factor",
        value: |t| Some(t.load_factor).filter(|v| v.is_finite()),
    },
    Metric {
        title: "avg probe (Robin Hood) / max group (chaining)",
        // Ticks carry all three numbers (0 where a backend has no such
        // thing): the active backend says which one means something.
        value: |t| match active_backend(&t.backend) {
            "robinhood" => t.avg_probe_estimate,
            "chaining" => t.max_group_len.map(|g| g as f64),
            _ => None,
        },
    },
    Metric {
        title: "tombstone ratio",
        value: |t| match active_backend(&t.backend) {
            "robinhood" => t.tombstone_ratio,
            _ => None,
        },
    },
    Metric {
        title: "p99 latency (ms)",
        value: |t| t.p99_ms(),
    },
];

/// The points of one metric (ticks that have it).
pub fn points(ticks: &[TickPoint], value: fn(&TickPoint) -> Option<f64>) -> Vec<[f64; 2]> {
    ticks
        .iter()
        .filter_map(|t| value(t).map(|v| [t.t, v]))
        .collect()
}

/// Pixels of chart width per drawn point: closer than this, a noisy line
/// zigzags into what looks like a filled band (issue 27, item 1).
pub const PIXELS_PER_POINT: f32 = 4.0;

// The drawing of a series (a mean per column, min and max as a band) is
// the batch layer's: the HTML report draws timelines the same way.
pub use crate::batch::ticks::{Points, Series, series};

/// Points a chart `width` pixels wide draws at most.
pub fn columns(width: f32) -> usize {
    ((width / PIXELS_PER_POINT) as usize).max(16)
}

/// The ticks from the first that measured anything: a tick at 0 s before
/// the first operation reads 0 ops/s and load 0, and draws a ramp up from
/// zero that the run never had.
pub fn measured(ticks: &[TickPoint]) -> &[TickPoint] {
    let first = ticks.iter().position(|t| t.ops > 0).unwrap_or(ticks.len());
    &ticks[first..]
}

/// The ticks worth drawing, and the length of a last tick left out: a run
/// ends between two ticks, and its last tick then covers a sliver of an
/// interval whose ops/s is noise (a 1 ms tail reads 20 M ops/s after a run
/// at 4 M). A last tick under half the usual interval is dropped.
pub fn without_partial_tail(ticks: &[TickPoint]) -> (&[TickPoint], Option<f64>) {
    let n = ticks.len();
    if n < 3 {
        return (ticks, None);
    }
    let mut gaps: Vec<f64> = ticks[..n - 1].windows(2).map(|w| w[1].t - w[0].t).collect();
    gaps.sort_by(f64::total_cmp);
    let usual = gaps[gaps.len() / 2];
    let last = ticks[n - 1].t - ticks[n - 2].t;
    if usual > 0.0 && last < usual / 2.0 {
        (&ticks[..n - 1], Some(last))
    } else {
        (ticks, None)
    }
}

/// A migration or compaction: when, and what it says.
pub fn markers(ticks: &[TickPoint]) -> Vec<(f64, String)> {
    ticks
        .iter()
        .flat_map(|t| &t.events)
        .map(|e| {
            let what = match (e.kind.as_str(), &e.from, &e.to) {
                ("migration", Some(f), Some(to)) => format!("migration {f} to {to}"),
                ("compaction", _, _) => format!(
                    "compaction{}",
                    e.source
                        .as_ref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default()
                ),
                (k, _, _) => k.to_string(),
            };
            (e.t, what)
        })
        .collect()
}

/// Stretches of the run on one backend: (from, to, backend).
pub fn backend_spans(ticks: &[TickPoint]) -> Vec<(f64, f64, String)> {
    let mut spans: Vec<(f64, f64, String)> = Vec::new();
    for w in ticks.windows(2) {
        let name = w[1].backend.clone();
        match spans.last_mut() {
            Some(last) if last.2 == name => last.1 = w[1].t,
            _ => spans.push((w[0].t, w[1].t, name)),
        }
    }
    spans
}

/// The shading of a backend (issue 27, item 6: std has its own).
pub fn backend_color(name: &str) -> Color32 {
    if name.contains("migrating") {
        palette::BACKEND_MIGRATING
    } else if name.contains("robinhood") {
        palette::BACKEND_ROBINHOOD
    } else if name.contains("chaining") {
        palette::BACKEND_CHAINING
    } else {
        palette::BACKEND_OTHER
    }
}

/// The legend's entries: each backend the shown ticks used, once, in order.
pub fn legend(spans: &[(f64, f64, String)]) -> Vec<(String, Color32)> {
    let mut out: Vec<(String, Color32)> = Vec::new();
    for (_, _, name) in spans {
        let label = if name.contains("migrating") {
            "migrating".to_string()
        } else {
            name.clone()
        };
        if !out.iter().any(|(l, _)| *l == label) {
            out.push((label, backend_color(name)));
        }
    }
    out
}

const CHART_HEIGHT: f32 = 120.0;

/// Grid steps for a short chart: a labelled line about every third of the
/// range, at a 1-2-5 value (the default spacer labels only 0 at this height).
fn nice_steps(input: GridInput) -> [f64; 3] {
    let range = (input.bounds.1 - input.bounds.0)
        .abs()
        .max(f64::MIN_POSITIVE);
    let step = axis::nice(range / 3.0);
    [step / 5.0, step, step * 5.0]
}

pub fn show(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    let rows = s.rows();
    let with_ticks: Vec<usize> = (0..rows.len())
        .filter(|&i| !rows[i].timeline_runs().is_empty() || !rows[i].timeline().is_empty())
        .collect();
    if with_ticks.is_empty() {
        ui.weak(
            "No ticks yet: run-csv jobs report metrics ticks as they run (adhash's own jobs every 10 ms; \
             another CLI's when the spec sets metrics_out_dir).",
        );
        return;
    }
    let shown = s
        .selected_job
        .filter(|j| with_ticks.contains(j))
        .unwrap_or(with_ticks[0]);
    let row = &rows[shown];
    ui.horizontal_wrapped(|ui| {
        ui.label("Job");
        for &i in &with_ticks {
            if ui
                .selectable_label(i == shown, shown_text(&rows[i].name, 32))
                .clicked()
            {
                cmds.push(Command::SelectJob(Some(i)));
            }
        }
        ui.separator();
        ui.label("Overlay ops/s of");
        for &i in &with_ticks {
            let mut on = s.overlay.contains(&i);
            if ui
                .checkbox(
                    &mut on,
                    format!("overlay {}", shown_text(&rows[i].name, 24)),
                )
                .clicked()
            {
                cmds.push(Command::ToggleOverlay(i));
            }
        }
    });
    let (run, all_ticks) = row.timeline_of(s.timeline_run);
    run_picker(ui, row, run, s.timeline_run, cmds);
    let overlay: Vec<usize> = s
        .overlay
        .iter()
        .copied()
        .filter(|j| with_ticks.contains(j))
        .collect();
    // The charts share the view's height: few charts on a tall window are
    // tall, never shorter than 120 px (issue 27, item 12).
    let (ticks, tail) = without_partial_tail(measured(all_ticks));
    let charts = METRICS
        .iter()
        .filter(|m| ticks.iter().any(|t| (m.value)(t).is_some()))
        .count()
        .max(1);
    let height = chart_height(ui.available_height(), charts);
    if overlay.len() >= 2 {
        ui.label(format!(
            "{} jobs overlaid: ops/s over time (each job's default run)",
            overlay.len()
        ));
        overlay_chart(ui, s, &overlay, height * 1.6);
        ui.add_space(8.0);
    }
    // The run's totals are its last tick's, drawn or not.
    let last = all_ticks.last();
    ui.label(
        RichText::new(format!(
            "{}{}: {} ticks over {:.2} s · {} ops · {} migrations · {} compactions",
            shown_text(&row.name, 40),
            run.map_or(String::new(), |r| format!(", run {r}")),
            ticks.len(),
            last.map_or(0.0, |t| t.t),
            crate::fmt::thousands(last.map_or(0, |t| t.ops) as f64),
            last.map_or(0, |t| t.migrations),
            last.map_or(0, |t| t.compactions),
        ))
        .strong(),
    );
    let spans = backend_spans(ticks);
    ui.horizontal_wrapped(|ui| {
        for (name, color) in legend(&spans) {
            ui.colored_label(color, format!("■ {name}"));
        }
        ui.weak("(backend in use, shaded)");
        if let Some(dt) = tail {
            ui.weak(format!(
                "· last tick ({:.1} ms, a sliver of an interval) not drawn",
                dt * 1000.0
            ));
        }
    });
    let marks = markers(ticks);
    let link = ui.make_persistent_id(("timeline_link", &s.spec_key, shown));
    let cols = columns(ui.available_width() - 80.0);
    let mut averaged = 1;
    for (k, m) in METRICS.iter().enumerate() {
        let pts = points(ticks, m.value);
        if pts.is_empty() {
            continue;
        }
        ui.label(m.title);
        let is_ops = k == 0;
        let is_latency = m.title.starts_with("p99");
        let drawn = series(pts, cols);
        averaged = averaged.max(drawn.per_point);
        time_plot(("timeline", &s.spec_key, shown, k), height)
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .y_axis_formatter(move |mark, range| {
                let span = range.end() - range.start();
                if is_ops {
                    compact(mark.value)
                } else if is_latency {
                    axis::latency_ms(mark.value, mark.step_size, span)
                } else {
                    axis::number(mark.value, mark.step_size, span)
                }
            })
            .show(ui, |plot| {
                for (from, to, name) in &spans {
                    plot.span(
                        Span::new(name.clone(), *from..=*to)
                            .fill(backend_color(name).gamma_multiply(0.12))
                            .border_width(0.0),
                    );
                }
                if let Some((lo, hi)) = drawn.band {
                    for (edge, pts) in [("lowest", lo), ("highest", hi)] {
                        plot.line(
                            Line::new(format!("{} ({edge} tick)", m.title), PlotPoints::from(pts))
                                .color(palette::SERIES.gamma_multiply(0.35))
                                .width(1.0),
                        );
                    }
                }
                plot.line(
                    Line::new(m.title, PlotPoints::from(drawn.line))
                        .color(palette::SERIES)
                        .width(1.5),
                );
                for (t, what) in &marks {
                    plot.vline(
                        VLine::new(what.clone(), *t)
                            .color(palette::MARKER)
                            .width(1.0),
                    );
                }
            });
    }
    if averaged > 1 {
        ui.weak(format!(
            "Each point is the mean of up to {averaged} ticks; the faint lines are their lowest and highest."
        ));
    }
    if !marks.is_empty() {
        ui.label(RichText::new("Events").strong());
        for (t, what) in &marks {
            ui.label(format!("{t:.3} s  {what}"));
        }
    }
}

/// Which measured run the charts show: the job's median run by default
/// (what its figures are), any run seen live on request.
fn run_picker(
    ui: &mut egui::Ui,
    row: &JobRow,
    shown: Option<u32>,
    picked: Option<u32>,
    cmds: &mut Vec<Command>,
) {
    let runs = row.timeline_runs();
    let median = row.result.as_ref().and_then(|r| r.timeline_run);
    let name = |r: u32| {
        if Some(r) == median {
            format!("run {r} (median)")
        } else {
            format!("run {r}")
        }
    };
    ui.horizontal_wrapped(|ui| {
        ui.label("Run");
        if runs.len() <= 1 {
            let what = match (shown, median) {
                (Some(r), Some(m)) if r == m => format!(
                    "{}: the median of the job's runs by ops/s{}",
                    name(r),
                    if row.live_timelines.is_empty() {
                        " (the only run whose ticks a report keeps)"
                    } else {
                        ""
                    }
                ),
                (Some(r), _) => format!("run {r}"),
                (None, _) => "the job's run".into(),
            };
            ui.weak(what);
            return;
        }
        let median_hint = "The run whose ops/s is the median of the job's runs (the default)";
        let mut choices = |ui: &mut egui::Ui| {
            if ui
                .selectable_label(picked.is_none(), "median")
                .on_hover_text(median_hint)
                .clicked()
            {
                cmds.push(Command::TimelineRun(None));
            }
            for &r in &runs {
                if ui.selectable_label(picked == Some(r), name(r)).clicked() {
                    cmds.push(Command::TimelineRun(Some(r)));
                }
            }
        };
        if runs.len() <= 8 {
            choices(ui);
        } else {
            // Many runs: a list, not a wall of buttons.
            let shown_name = picked.map_or_else(|| "median".to_string(), name);
            egui::ComboBox::from_id_salt(("timeline_run", &row.name))
                .selected_text(shown_name)
                .height(320.0)
                .show_ui(ui, choices);
        }
        if let Some(r) = shown.filter(|_| picked.is_none() && median.is_none()) {
            ui.weak(format!(
                "showing run {r}, the newest (the median is known once the job ends)"
            ));
        }
    });
}

/// A chart's height: an equal share of the room the view has (less the
/// header and each chart's title), never under 120 px nor over 420.
fn chart_height(available: f32, charts: usize) -> f32 {
    let n = charts as f32;
    ((available - 120.0 - 28.0 * n) / n).clamp(CHART_HEIGHT, 420.0)
}

/// A chart over a run's time: seconds on x (zoom and drag along it only),
/// y from 0 with a few round marks. The Timeline's charts and Compare's.
pub fn time_plot<'a>(id: impl egui::AsIdSalt, height: f32) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        .allow_scroll(false)
        .allow_zoom([true, false])
        .allow_drag([true, false])
        .include_y(0.0)
        .x_axis_formatter(|mark, range| {
            axis::seconds(mark.value, mark.step_size, range.end() - range.start())
        })
        .y_axis_min_width(72.0)
        .y_grid_spacer(uniform_grid_spacer(nice_steps))
}

/// A run's ops/s as an overlay draws it: from its first measured tick, its
/// partial last tick left out, `cols` points at most.
pub fn ops_line(ticks: &[TickPoint], cols: usize) -> Points {
    let (ticks, _) = without_partial_tail(measured(ticks));
    series(points(ticks, METRICS[0].value), cols).line
}

fn overlay_chart(ui: &mut egui::Ui, s: &SuiteSession, jobs: &[usize], height: f32) {
    let rows = s.rows();
    let cols = columns(ui.available_width() - 80.0);
    time_plot(("timeline_overlay", &s.spec_key), height)
        .legend(Legend::default())
        .y_axis_formatter(|mark, _| compact(mark.value))
        .show(ui, |plot| {
            for (n, &j) in jobs.iter().enumerate() {
                let pts = ops_line(rows[j].timeline(), cols);
                plot.line(
                    Line::new(shown_text(&rows[j].name, 32), PlotPoints::from(pts))
                        .color(palette::OVERLAY[n % palette::OVERLAY.len()])
                        .width(1.5),
                );
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::ticks::TickEvent;

    fn tick(t: f64, backend: &str, events: Vec<TickEvent>) -> TickPoint {
        TickPoint {
            t,
            backend: backend.into(),
            ops_per_second: 1000.0 * t,
            events,
            ..Default::default()
        }
    }

    /// Issue 27, item 1: a noisy run drawn into fewer columns than it has
    /// ticks stays one line (each x once, in order, at most a point per
    /// column) and its spikes stay on the chart, in the band.
    #[test]
    fn decimation_keeps_a_line_a_line_and_its_spikes() {
        let mut pts: Vec<[f64; 2]> = (0..10_000)
            .map(|i| [i as f64 * 0.01, if i % 2 == 0 { 1.0 } else { 3.0 }])
            .collect();
        pts[4321][1] = 99.0;
        pts[777][1] = -5.0;
        let cols = columns(1000.0);
        let d = series(pts.clone(), cols);
        assert!(d.line.len() <= cols, "{}", d.line.len());
        assert!(
            d.line.windows(2).all(|w| w[0][0] < w[1][0]),
            "in time order"
        );
        // The zigzag between 1 and 3 becomes its mean, not a filled band.
        let flat = d.line.iter().filter(|p| (p[1] - 2.0).abs() < 0.01).count();
        assert!(flat * 10 >= d.line.len() * 9, "{flat} of {}", d.line.len());
        let (lo, hi) = d.band.unwrap();
        assert!(hi.iter().any(|p| p[1] == 99.0) && lo.iter().any(|p| p[1] == -5.0));
        let few = series(pts[..50].to_vec(), cols);
        assert_eq!((few.line.len(), few.band, few.per_point), (50, None, 1));
    }

    /// Issue 27, item 5: a final tick of a sliver of an interval is left
    /// out; an ordinary last tick is kept.
    #[test]
    fn a_partial_last_tick_is_left_out() {
        let mut ticks: Vec<TickPoint> = (0..10)
            .map(|i| tick(i as f64 * 0.01, "std", vec![]))
            .collect();
        assert_eq!(without_partial_tail(&ticks).0.len(), 10);
        ticks.push(tick(0.0905, "std", vec![]));
        let (kept, tail) = without_partial_tail(&ticks);
        assert_eq!(kept.len(), 10);
        assert!((tail.unwrap() - 0.0005).abs() < 1e-9);
    }

    /// A walk found every trace starting at 0 at 0 s: the tick before the
    /// first operation is not drawn.
    #[test]
    fn ticks_before_the_first_operation_are_not_drawn() {
        let mut ticks: Vec<TickPoint> = (0..4)
            .map(|i| tick(i as f64 * 0.01, "std", vec![]))
            .collect();
        for (i, t) in ticks.iter_mut().enumerate() {
            t.ops = i as u64 * 100;
        }
        assert_eq!(measured(&ticks).len(), 3);
        assert_eq!(measured(&ticks)[0].ops, 100);
        assert!(measured(&ticks[..1]).is_empty());
    }

    /// Issue 27, item 6: std is shaded in a colour of its own and named in
    /// the legend.
    #[test]
    fn std_has_its_own_shade_and_legend_entry() {
        let ticks = vec![tick(0.0, "std", vec![]), tick(0.1, "std", vec![])];
        let spans = backend_spans(&ticks);
        let l = legend(&spans);
        assert_eq!(l, [("std".to_string(), palette::BACKEND_OTHER)]);
        assert_ne!(backend_color("std"), backend_color("chaining"));
        let mixed = vec![
            tick(0.0, "chaining", vec![]),
            tick(0.1, "chaining", vec![]),
            tick(0.2, "chaining -> robinhood (migrating)", vec![]),
            tick(0.3, "robinhood", vec![]),
        ];
        let names: Vec<String> = legend(&backend_spans(&mixed))
            .into_iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(names, ["chaining", "migrating", "robinhood"]);
    }

    #[test]
    fn spans_follow_the_backend_and_markers_name_the_event() {
        let mig = TickEvent {
            kind: "migration".into(),
            t: 0.15,
            from: Some("chaining".into()),
            to: Some("robinhood".into()),
            ..Default::default()
        };
        let ticks = vec![
            tick(0.0, "chaining", vec![]),
            tick(0.1, "chaining", vec![]),
            tick(0.2, "chaining -> robinhood (migrating)", vec![mig]),
            tick(0.3, "robinhood", vec![]),
            tick(0.4, "robinhood", vec![]),
        ];
        let spans = backend_spans(&ticks);
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[0], (0.0, 0.1, "chaining".to_string()));
        assert_eq!(spans[2], (0.2, 0.4, "robinhood".to_string()));
        assert_eq!(
            markers(&ticks),
            [(0.15, "migration chaining to robinhood".to_string())]
        );
        assert_eq!(points(&ticks, METRICS[0].value).len(), 5);
        assert!(
            points(&ticks, METRICS[3].value).is_empty(),
            "no tombstones reported"
        );
    }
}
