//! Throughput bars: one horizontal bar per ranked job with its median
//! ops/s, the fastest highlighted, min–max whiskers for jobs with repeats;
//! hovering a bar shows ops/s, Δ vs. the fastest, spread and p99.

use egui_plot::{Bar, BarChart, Line, Plot, PlotPoints};

use crate::batch::report::SummaryRow;
use crate::fmt::{latency_ms, thousands};
use crate::gui::palette;

#[derive(Debug, Clone, PartialEq)]
pub struct BarDatum {
    pub name: String,
    pub ops: f64,
    pub delta: String,
    pub p99_ms: Option<f64>,
    /// min and max of the runs, with repeats.
    pub range: Option<(f64, f64)>,
    pub noisy: bool,
    pub fastest: bool,
}

/// Bars of the summary rows: the ranked ones (jobs whose runs all ended
/// ok) fastest first, then those with only some runs, named with their
/// mark ("alpha (7/40 runs)") so a stopped suite still shows what it
/// measured, never ranked.
pub fn bar_data(rows: &[SummaryRow]) -> Vec<BarDatum> {
    rows.iter()
        .filter(|r| r.ops > 0.0)
        .map(|r| BarDatum {
            name: match &r.partial {
                Some(mark) => format!("{} ({mark})", r.job.name),
                None => r.job.name.clone(),
            },
            ops: r.ops,
            delta: r.delta.clone(),
            p99_ms: r.job.p99_ms,
            range: r.job.spread().map(|s| (s.min, s.max)),
            noisy: r.spread.as_ref().is_some_and(|s| s.1),
            // The fastest of its workload: suites of several CSVs have one
            // each, and no bar is ranked against another CSV's.
            fastest: r.group_start && r.partial.is_none(),
        })
        .collect()
}

/// Axis labels: "4 M", "350 k"; short, so the last one is never cut.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        trim(format!("{:.2}", v / 1e9)) + " G"
    } else if a >= 1e6 {
        trim(format!("{:.2}", v / 1e6)) + " M"
    } else if a >= 1e3 {
        trim(format!("{:.1}", v / 1e3)) + " k"
    } else {
        trim(format!("{v:.1}"))
    }
}

/// A range in one unit and one precision ("11.20 M – 22.91 M", never
/// "11.2 M – 22.91 M"): the unit is the larger end's.
pub fn compact_range(lo: f64, hi: f64) -> String {
    let a = lo.abs().max(hi.abs());
    let (scale, unit, decimals) = if a >= 1e9 {
        (1e9, " G", 2)
    } else if a >= 1e6 {
        (1e6, " M", 2)
    } else if a >= 1e3 {
        (1e3, " k", 1)
    } else {
        (1.0, "", 1)
    };
    format!(
        "{:.*}{unit} – {:.*}{unit}",
        decimals,
        lo / scale,
        decimals,
        hi / scale
    )
}

fn trim(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Rows of room the chart always has, so one bar is not one huge block.
const MIN_ROWS: usize = 3;
const ROW_HEIGHT: f32 = 30.0;

/// The chart's height for `bars` bars: a row each, never fewer than
/// `MIN_ROWS`, so a single bar stays a bar.
pub fn height(bars: usize) -> f32 {
    bars.max(MIN_ROWS) as f32 * ROW_HEIGHT + 36.0
}

/// Draw `data` with room for `planned` bars (so the chart keeps its size
/// while a run fills it in); `id` keeps each spec's chart state apart.
pub fn show(
    ui: &mut egui::Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    data: &[BarDatum],
    planned: usize,
) {
    if data.is_empty() {
        ui.weak("Throughput bars appear as run-csv jobs finish.");
        return;
    }
    let n = data.len().max(planned);
    let rows = n.max(MIN_ROWS);
    let height = height(n);
    // Fastest on top: the plot's y grows upwards.
    let y_of = |i: usize| (rows - 1 - i) as f64;
    let bars: Vec<Bar> = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let spread = d.range.map_or(String::new(), |(lo, hi)| {
                format!(
                    "\nruns {} – {}{}",
                    thousands(lo),
                    thousands(hi),
                    if d.noisy { " ⚠ noisy" } else { "" }
                )
            });
            Bar::new(y_of(i), d.ops)
                .name(format!(
                    "{}\n{} ops/s (median)\nΔ vs. max {}{spread}\np99 {} ms",
                    d.name,
                    thousands(d.ops),
                    d.delta,
                    latency_ms(d.p99_ms)
                ))
                .fill(if d.fastest {
                    palette::GOOD
                } else {
                    palette::SERIES
                })
                .width(0.6)
        })
        .collect();
    let names: Vec<(f64, String)> = data
        .iter()
        .enumerate()
        .map(|(i, d)| (y_of(i), d.name.clone()))
        .collect();
    let max = data
        .iter()
        .map(|d| d.range.map_or(d.ops, |r| r.1.max(d.ops)))
        .fold(0.0, f64::max);
    let chart = BarChart::new("ops/s", bars)
        .horizontal()
        .element_formatter(Box::new(|bar, _| bar.name.clone()));
    bar_plot(("throughput_bars", id), height, max, rows, names).show(ui, |plot| {
        plot.bar_chart(chart);
        for (i, d) in data.iter().enumerate() {
            if let Some((lo, hi)) = d.range {
                let y = y_of(i);
                let color = if d.noisy {
                    palette::WARN
                } else {
                    palette::WHISKER
                };
                let whisker = |pts: Vec<[f64; 2]>| {
                    Line::new("", PlotPoints::from(pts))
                        .color(color)
                        .width(1.5)
                        .allow_hover(false)
                };
                plot.line(whisker(vec![[lo, y], [hi, y]]));
                plot.line(whisker(vec![[lo, y - 0.15], [lo, y + 0.15]]));
                plot.line(whisker(vec![[hi, y - 0.15], [hi, y + 0.15]]));
            }
        }
    });
}

/// The plot horizontal bar charts draw in: fixed (no zoom, drag or
/// scroll), x from 0 to a little past `max`, `rows` rows of room, and the
/// job names on the y axis at their rows.
pub fn bar_plot<'a>(
    id: impl std::hash::Hash + std::fmt::Debug,
    height: f32,
    max: f64,
    rows: usize,
    names: Vec<(f64, String)>,
) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_grid([true, false])
        // No margin left of 0: a negative ops/s tick would mean nothing.
        .set_margin_fraction(egui::vec2(0.0, 0.05))
        .include_x(0.0)
        // Room right of the longest bar, so its whisker and label fit.
        .include_x(max * 1.1)
        .include_y(-0.5)
        .include_y(rows as f64 - 0.5)
        .y_axis_formatter(move |mark, _| {
            names
                .iter()
                .find(|(y, _)| (mark.value - y).abs() < 1e-6)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        })
        .x_axis_formatter(|mark, _| compact(mark.value))
        .y_axis_min_width(90.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 27, item 7: both ends of a spread in one unit and precision.
    #[test]
    fn a_range_has_one_unit_and_one_precision() {
        assert_eq!(compact_range(11.2e6, 22.91e6), "11.20 M – 22.91 M");
        assert_eq!(compact_range(900e3, 1.5e6), "0.90 M – 1.50 M");
        assert_eq!(compact_range(960.0, 1200.0), "1.0 k – 1.2 k");
    }

    #[test]
    fn one_bar_is_not_a_block() {
        assert_eq!(height(1), height(MIN_ROWS));
        assert!(height(1) < 140.0);
        assert!(height(10) > height(3));
    }

    #[test]
    fn compact_axis_labels() {
        assert_eq!(compact(4_000_000.0), "4 M");
        assert_eq!(compact(3_500_000.0), "3.5 M");
        assert_eq!(compact(350_000.0), "350 k");
        assert_eq!(compact(0.0), "0");
    }
}
