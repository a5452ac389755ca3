//! Collision-depth histogram: buckets per depth as bars, with the Poisson
//! expectation (what a good hash gives for this many keys) as a line, and an
//! optional baseline drawn as a second line.

use egui::Color32;
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

use crate::workload::dna::DnaReport;

pub const OBSERVED: Color32 = Color32::from_rgb(0x4c, 0x8d, 0xf6);
pub const EXPECTED: Color32 = Color32::from_rgb(0xf0, 0xc0, 0x40);
pub const BASELINE: Color32 = Color32::from_rgb(0xc0, 0x7c, 0xf0);

/// Depths beyond this are folded into the last bar so one deep adversarial
/// bucket does not squeeze the rest into a sliver.
const MAX_DEPTH_SHOWN: usize = 80;

/// (depth, buckets) with the tail folded at `MAX_DEPTH_SHOWN`.
pub fn folded(hist: &[u64]) -> Vec<(usize, u64)> {
    let mut v: Vec<(usize, u64)> = hist
        .iter()
        .copied()
        .enumerate()
        .take(MAX_DEPTH_SHOWN)
        .collect();
    let tail: u64 = hist.iter().skip(MAX_DEPTH_SHOWN).sum();
    if tail > 0 {
        v.push((MAX_DEPTH_SHOWN, tail));
    }
    v
}

pub fn show(ui: &mut egui::Ui, r: &DnaReport, baseline: Option<&DnaReport>, height: f32) {
    let bars: Vec<Bar> = folded(&r.collision_depth_histogram.0)
        .into_iter()
        .map(|(d, n)| {
            let label = if d == MAX_DEPTH_SHOWN {
                format!("≥{d}")
            } else {
                d.to_string()
            };
            Bar::new(d as f64, n as f64)
                .name(format!("depth {label}: {n} buckets"))
                .fill(OBSERVED)
                .width(0.85)
        })
        .collect();
    let expected: PlotPoints = r
        .expected_depth_histogram
        .0
        .iter()
        .enumerate()
        .take(MAX_DEPTH_SHOWN)
        .map(|(d, e)| [d as f64, *e])
        .collect();
    Plot::new(("depth_hist", baseline.is_some()))
        .height(height)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_label("keys in bucket (depth)")
        .y_axis_label("buckets")
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new("observed", bars)
                    .color(OBSERVED)
                    .element_formatter(Box::new(|bar, _| bar.name.clone())),
            );
            plot.line(
                Line::new("expected (Poisson)", expected)
                    .color(EXPECTED)
                    .width(2.0),
            );
            if let Some(b) = baseline {
                let pts: PlotPoints = folded(&b.collision_depth_histogram.0)
                    .into_iter()
                    .map(|(d, n)| [d as f64, n as f64])
                    .collect();
                plot.line(Line::new("baseline", pts).color(BASELINE).width(2.0));
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_is_folded() {
        let mut h = vec![1u64; 100];
        h[99] = 5;
        let f = folded(&h);
        assert_eq!(f.len(), MAX_DEPTH_SHOWN + 1);
        assert_eq!(f.last(), Some(&(MAX_DEPTH_SHOWN, 19 + 5)));
        assert_eq!(folded(&[4, 2]), vec![(0, 4), (1, 2)]);
    }
}
