//! Paired throughput bars of two runs: per job the old median (dim) and
//! the new one (green faster, red slower, amber inconclusive, blue no
//! change), with the 97% interval of the change as a whisker on the new bar.

use egui_plot::{Bar, BarChart, Line, PlotPoints};

use super::throughput::bar_plot;
use crate::batch::compare::{self, Comparison, Verdict};
use crate::gui::palette;

const ROW_HEIGHT: f32 = 44.0;

/// A new bar in its verdict's colour; "no change" keeps the plain series
/// colour, so it never looks like the old bar beside it.
fn new_color(v: Verdict) -> egui::Color32 {
    match v {
        Verdict::NoChange | Verdict::OnlyInNew | Verdict::OnlyInOld => palette::SERIES,
        v => palette::verdict(v),
    }
}

pub fn show(ui: &mut egui::Ui, id: impl std::hash::Hash + std::fmt::Debug, c: &Comparison) {
    let jobs: Vec<_> = c
        .jobs
        .iter()
        .filter(|j| j.old_median.is_some() || j.new_median.is_some())
        .collect();
    if jobs.is_empty() {
        ui.weak("No job has figures in both runs.");
        return;
    }
    let rows = jobs.len().max(2);
    // First job on top: the plot's y grows upwards.
    let y_of = |i: usize| (rows - 1 - i) as f64;
    let mut old_bars = Vec::new();
    let mut new_bars = Vec::new();
    let mut whiskers = Vec::new();
    let mut max: f64 = 0.0;
    for (i, j) in jobs.iter().enumerate() {
        let y = y_of(i);
        let tip = format!(
            "{}\nold {}, new {} ops/s\nΔ {} {}\n{}",
            j.name,
            compare::ops_short(j.old_median),
            compare::ops_short(j.new_median),
            compare::pct(j.delta_pct),
            compare::interval_text(j),
            j.verdict.text()
        );
        if let Some(o) = j.old_median {
            max = max.max(o);
            old_bars.push(
                Bar::new(y + 0.17, o)
                    .width(0.3)
                    .fill(palette::OLD_RUN)
                    .name(tip.clone()),
            );
        }
        if let Some(n) = j.new_median {
            max = max.max(n);
            new_bars.push(
                Bar::new(y - 0.17, n)
                    .width(0.3)
                    .fill(new_color(j.verdict))
                    .name(tip),
            );
        }
        if let (Some(o), Some(lo), Some(hi)) = (j.old_median, j.ci_low_pct, j.ci_high_pct) {
            let (lo, hi) = (o * (1.0 + lo / 100.0), o * (1.0 + hi / 100.0));
            max = max.max(hi);
            whiskers.push((y - 0.17, lo, hi));
        }
    }
    let names: Vec<(f64, String)> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (y_of(i), crate::fmt::shown_text(&j.name, 24)))
        .collect();
    bar_plot(
        ("compare_bars", id),
        rows as f32 * ROW_HEIGHT + 40.0,
        max,
        rows,
        names,
    )
    .legend(egui_plot::Legend::default())
    .show(ui, |plot| {
        plot.bar_chart(
            BarChart::new("old", old_bars)
                .horizontal()
                .color(palette::OLD_RUN)
                .element_formatter(Box::new(|bar, _| bar.name.clone())),
        );
        plot.bar_chart(
            BarChart::new("new (in its verdict's colour)", new_bars)
                .horizontal()
                .color(palette::SERIES)
                .element_formatter(Box::new(|bar, _| bar.name.clone())),
        );
        for (y, lo, hi) in whiskers {
            let line = |pts: Vec<[f64; 2]>| {
                Line::new("", PlotPoints::from(pts))
                    .color(palette::WHISKER)
                    .width(1.5)
                    .allow_hover(false)
            };
            plot.line(line(vec![[lo, y], [hi, y]]));
            plot.line(line(vec![[lo, y - 0.1], [lo, y + 0.1]]));
            plot.line(line(vec![[hi, y - 0.1], [hi, y + 0.1]]));
        }
    });
}
