//! The Suites tab's Timeline view: a job's metrics ticks (formats.md §5) over
//! its run, live while it runs and kept with the run after. Stacked charts
//! share the time axis: ops/s, load factor, probe distance or group length,
//! tombstone ratio and p99 latency; migrations and compactions are marked
//! on every chart, and the backend in use shades the time axis. Several
//! jobs' ops/s can be overlaid on one chart.

use egui::{Color32, RichText};
use egui_plot::{GridInput, Legend, Line, Plot, PlotPoints, Span, VLine, uniform_grid_spacer};

use super::session::SuiteSession;
use crate::batch::ticks::TickPoint;
use crate::fmt::shown_text;
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

/// Points a line draws at most: a chart is at most a few thousand pixels
/// wide, and 10,000-tick runs overlaid must stay cheap to draw.
pub const MAX_LINE_POINTS: usize = 1200;

/// At most about `max` of `pts`: in each of `max / 2` runs of consecutive
/// points, the lowest and the highest, in time order. Every spike and dip
/// stays on the chart, and every point drawn is a real tick.
pub fn decimate(pts: Vec<[f64; 2]>, max: usize) -> Vec<[f64; 2]> {
    let buckets = max / 2;
    if pts.len() <= max || buckets == 0 {
        return pts;
    }
    let per = pts.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(max + 2);
    for chunk in pts.chunks(per) {
        let lo = chunk.iter().min_by(|a, b| a[1].total_cmp(&b[1]));
        let hi = chunk.iter().max_by(|a, b| a[1].total_cmp(&b[1]));
        match (lo, hi) {
            (Some(l), Some(h)) if l[0] <= h[0] => out.extend([*l, *h]),
            (Some(l), Some(h)) => out.extend([*h, *l]),
            _ => {}
        }
    }
    out.dedup_by(|a, b| a == b);
    out
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

fn backend_color(name: &str) -> Color32 {
    if name.contains("migrating") {
        palette::BACKEND_MIGRATING
    } else if name.contains("robinhood") {
        palette::BACKEND_ROBINHOOD
    } else {
        palette::BACKEND_CHAINING
    }
}

const CHART_HEIGHT: f32 = 120.0;

/// Grid steps for a short chart: a labelled line about every third of the
/// range, at a 1-2-5 value (the default spacer labels only 0 at this height).
fn nice_steps(input: GridInput) -> [f64; 3] {
    let range = (input.bounds.1 - input.bounds.0)
        .abs()
        .max(f64::MIN_POSITIVE);
    let rough = range / 3.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * power);
    [step / 5.0, step, step * 5.0]
}

pub fn show(ui: &mut egui::Ui, s: &SuiteSession, cmds: &mut Vec<Command>) {
    let rows = s.rows();
    let with_ticks: Vec<usize> = (0..rows.len())
        .filter(|&i| !rows[i].timeline().is_empty())
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
    let overlay: Vec<usize> = s
        .overlay
        .iter()
        .copied()
        .filter(|j| with_ticks.contains(j))
        .collect();
    if overlay.len() >= 2 {
        ui.label(format!("{} jobs overlaid: ops/s over time", overlay.len()));
        overlay_chart(ui, s, &overlay);
        ui.add_space(8.0);
    }
    let ticks = rows[shown].timeline();
    let last = ticks.last();
    ui.label(
        RichText::new(format!(
            "{}: {} ticks over {:.2} s · {} ops · {} migrations · {} compactions",
            shown_text(&rows[shown].name, 40),
            ticks.len(),
            last.map_or(0.0, |t| t.t),
            crate::fmt::thousands(last.map_or(0, |t| t.ops) as f64),
            last.map_or(0, |t| t.migrations),
            last.map_or(0, |t| t.compactions),
        ))
        .strong(),
    );
    ui.horizontal(|ui| {
        for (name, color) in [
            ("chaining", palette::BACKEND_CHAINING),
            ("robinhood", palette::BACKEND_ROBINHOOD),
            ("migrating", palette::BACKEND_MIGRATING),
        ] {
            ui.colored_label(color, format!("■ {name}"));
        }
        ui.weak("(backend in use, shaded)");
    });
    let marks = markers(ticks);
    let spans = backend_spans(ticks);
    let link = ui.make_persistent_id(("timeline_link", &s.spec_key, shown));
    for (k, m) in METRICS.iter().enumerate() {
        let pts = points(ticks, m.value);
        if pts.is_empty() {
            continue;
        }
        ui.label(m.title);
        let is_ops = k == 0;
        Plot::new(("timeline", &s.spec_key, shown, k))
            .height(CHART_HEIGHT)
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .allow_scroll(false)
            .allow_zoom([true, false])
            .allow_drag([true, false])
            .include_y(0.0)
            .x_axis_formatter(|mark, _| format!("{:.2} s", mark.value))
            .y_axis_formatter(move |mark, _| {
                if is_ops {
                    compact(mark.value)
                } else {
                    format!("{:.3}", mark.value)
                        .trim_end_matches('0')
                        .trim_end_matches('.')
                        .to_string()
                }
            })
            .y_axis_min_width(72.0)
            .y_grid_spacer(uniform_grid_spacer(nice_steps))
            .show(ui, |plot| {
                for (from, to, name) in &spans {
                    plot.span(
                        Span::new(name.clone(), *from..=*to)
                            .fill(backend_color(name).gamma_multiply(0.12))
                            .border_width(0.0),
                    );
                }
                plot.line(
                    Line::new(m.title, PlotPoints::from(decimate(pts, MAX_LINE_POINTS)))
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
    if !marks.is_empty() {
        ui.label(RichText::new("Events").strong());
        for (t, what) in &marks {
            ui.label(format!("{t:.3} s  {what}"));
        }
    }
}

fn overlay_chart(ui: &mut egui::Ui, s: &SuiteSession, jobs: &[usize]) {
    let rows = s.rows();
    Plot::new(("timeline_overlay", &s.spec_key))
        .height(CHART_HEIGHT * 1.6)
        .legend(Legend::default())
        .allow_scroll(false)
        .allow_zoom([true, false])
        .allow_drag([true, false])
        .include_y(0.0)
        .x_axis_formatter(|mark, _| format!("{:.2} s", mark.value))
        .y_axis_formatter(|mark, _| compact(mark.value))
        .y_axis_min_width(72.0)
        .y_grid_spacer(uniform_grid_spacer(nice_steps))
        .show(ui, |plot| {
            for (n, &j) in jobs.iter().enumerate() {
                let pts = decimate(
                    points(rows[j].timeline(), METRICS[0].value),
                    MAX_LINE_POINTS,
                );
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

    #[test]
    fn decimation_keeps_spikes_and_real_points() {
        let mut pts: Vec<[f64; 2]> = (0..10_000).map(|i| [i as f64, 1.0]).collect();
        pts[4321][1] = 99.0;
        pts[777][1] = -5.0;
        let d = decimate(pts.clone(), MAX_LINE_POINTS);
        assert!(d.len() <= MAX_LINE_POINTS + 2, "{}", d.len());
        assert!(d.contains(&[4321.0, 99.0]) && d.contains(&[777.0, -5.0]));
        assert!(d.windows(2).all(|w| w[0][0] < w[1][0]), "in time order");
        assert!(d.iter().all(|p| pts.contains(p)), "only real ticks");
        assert_eq!(decimate(pts[..50].to_vec(), MAX_LINE_POINTS).len(), 50);
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
