//! Throughput bars: one horizontal bar per job with ops/s, the fastest
//! highlighted; hovering a bar shows ops/s, Δ vs. the fastest and p99.

use egui::Color32;
use egui_plot::{Bar, BarChart, Plot};

use crate::batch::report::delta_text;
use crate::log::thousands;

#[derive(Debug, Clone, PartialEq)]
pub struct BarDatum {
    pub name: String,
    pub ops: f64,
    pub delta: String,
    pub p99_ms: Option<f64>,
    pub fastest: bool,
}

/// Bars for `(name, ops/s, p99)` rows with throughput, fastest first.
pub fn bar_data<'a>(
    rows: impl Iterator<Item = (&'a str, Option<f64>, Option<f64>)>,
) -> Vec<BarDatum> {
    let mut v: Vec<(String, f64, Option<f64>)> = rows
        .filter_map(|(n, ops, p99)| ops.map(|o| (n.to_string(), o, p99)))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    let best = v.first().map_or(0.0, |r| r.1);
    v.into_iter()
        .enumerate()
        .map(|(i, (name, ops, p99_ms))| BarDatum {
            delta: delta_text(ops, best),
            name,
            ops,
            p99_ms,
            fastest: i == 0,
        })
        .collect()
}

pub const FASTEST: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x50);
pub const OTHER: Color32 = Color32::from_rgb(0x4c, 0x8d, 0xf6);

pub fn show(ui: &mut egui::Ui, data: &[BarDatum], height: f32) {
    if data.is_empty() {
        ui.weak("Throughput bars appear as run-csv jobs finish.");
        return;
    }
    let n = data.len();
    // Fastest on top: the plot's y grows upwards.
    let bars: Vec<Bar> = data
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let p99 = d.p99_ms.map_or("-".to_string(), |p| format!("{p:.4} ms"));
            Bar::new((n - 1 - i) as f64, d.ops)
                .name(format!(
                    "{}\n{} ops/s\nΔ {}\np99 {p99}",
                    d.name,
                    thousands(d.ops),
                    d.delta
                ))
                .fill(if d.fastest { FASTEST } else { OTHER })
                .width(0.7)
        })
        .collect();
    let names: Vec<String> = data.iter().rev().map(|d| d.name.clone()).collect();
    let chart = BarChart::new("ops/s", bars)
        .horizontal()
        .element_formatter(Box::new(|bar, _| bar.name.clone()));
    Plot::new("throughput_bars")
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_grid([true, false])
        .include_x(0.0)
        .y_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_axis_formatter(|mark, _| thousands(mark.value))
        .y_axis_min_width(90.0)
        .show(ui, |plot| plot.bar_chart(chart));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_sorted_with_delta_and_fastest() {
        let rows = [
            ("a", Some(100.0), None),
            ("b", None, None),
            ("c", Some(200.0), Some(0.01)),
        ];
        let d = bar_data(rows.iter().map(|(n, o, p)| (*n, *o, *p)));
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].name, "c");
        assert!(d[0].fastest && !d[1].fastest);
        assert_eq!(d[0].delta, "0.0%");
        assert_eq!(d[1].delta, "-50.0%");
    }
}
