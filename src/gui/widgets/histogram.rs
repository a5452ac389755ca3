//! Collision-depth histogram: buckets per depth as bars, with the Poisson
//! expectation (what a good hash gives for this many keys) as a line, and an
//! optional baseline as a second line. The x range follows the data, so a
//! 2M-row workload (≈166 keys a bucket) is drawn where its buckets are; a
//! long thin tail (a few adversarial buckets far out) is folded into one
//! labelled bar, chosen from the data, not from a fixed depth.

use egui_plot::{Bar, BarChart, Line, Plot, PlotPoint, PlotPoints, Text};

use crate::gui::palette;
use crate::workload::dna::DnaReport;

/// Expected counts below this are not worth widening the range for.
const EXPECTED_FLOOR: f64 = 0.5;

/// What the chart draws, computed from a report.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthView {
    /// (depth, buckets) bars, in depth order, without the folded tail.
    pub bars: Vec<(usize, u64)>,
    /// Depths from here on are folded into one bar.
    pub fold: Option<Fold>,
    /// Poisson expectation over the same range.
    pub expected: Vec<[f64; 2]>,
    /// The depth range shown, inclusive.
    pub range: (usize, usize),
}

pub fn depth_view(obs: &[u64], exp: &[f64]) -> DepthView {
    depth_view_with(obs, exp, None)
}

/// A folded tail: what each series has at depths ≥ `from`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fold {
    pub from: usize,
    /// Buckets of the current workload in the tail, and its deepest one.
    pub current: (u64, usize),
    /// The same for the baseline (0 buckets when it has no tail).
    pub baseline: Option<(u64, usize)>,
}

impl Fold {
    /// "≥33: 1 bucket (max 277) in the baseline", naming only what is there.
    pub fn label(&self) -> String {
        let part = |(n, deepest): (u64, usize), whose: &str| {
            let s = if n == 1 { "" } else { "s" };
            format!("{n} bucket{s}{whose} (max {deepest})")
        };
        let mut parts = Vec::new();
        if self.current.0 > 0 {
            parts.push(part(self.current, ""));
        }
        if let Some(b) = self.baseline.filter(|b| b.0 > 0) {
            parts.push(part(b, " in the baseline"));
        }
        format!("≥{}: {}", self.from, parts.join(", "))
    }
}

/// The view of `obs` against `exp`; with a baseline, the range and the fold
/// are chosen so both distributions are in view.
pub fn depth_view_with(obs: &[u64], exp: &[f64], baseline: Option<&[u64]>) -> DepthView {
    let extent = |obs: &[u64], exp: &[f64]| {
        let exp_hi = exp.iter().rposition(|&e| e >= EXPECTED_FLOOR);
        let lo = [
            obs.iter().position(|&n| n > 0),
            exp.iter().position(|&e| e >= EXPECTED_FLOOR),
        ];
        let hi = [obs.iter().rposition(|&n| n > 0), exp_hi];
        (
            lo.into_iter().flatten().min(),
            hi.into_iter().flatten().max(),
            body(obs).max(exp_hi.unwrap_or(0)),
        )
    };
    let (mut lo, mut hi, mut body_end) = extent(obs, exp);
    if let Some(b) = baseline {
        let (blo, bhi, bbody) = extent(b, &[]);
        lo = [lo, blo].into_iter().flatten().min();
        hi = [hi, bhi].into_iter().flatten().max();
        body_end = body_end.max(bbody);
    }
    let (lo, hi) = (lo.unwrap_or(0), hi.unwrap_or(0));
    // Fold a tail that would squeeze the body into a sliver.
    let span = body_end.saturating_sub(lo) + 1;
    let fold_at = (hi > body_end + span.max(8) * 2).then_some(body_end + 1 + span / 4);
    let end = fold_at.map_or(hi, |f| f - 1);
    let bars: Vec<(usize, u64)> = (lo..=end)
        .map(|d| (d, obs.get(d).copied().unwrap_or(0)))
        .collect();
    let tail = |h: &[u64], f: usize| {
        let n: u64 = h.iter().skip(f).sum();
        (n, h.iter().rposition(|&c| c > 0).unwrap_or(0))
    };
    let fold = fold_at.map(|f| Fold {
        from: f,
        current: tail(obs, f),
        baseline: baseline.map(|b| tail(b, f)),
    });
    let expected = (lo..=end)
        .map(|d| [d as f64, exp.get(d).copied().unwrap_or(0.0)])
        .collect();
    DepthView {
        bars,
        fold,
        expected,
        range: (lo, fold_at.unwrap_or(hi)),
    }
}

/// The depth under which 99.5% of the buckets lie: the distribution's body.
fn body(obs: &[u64]) -> usize {
    let total: u64 = obs.iter().sum();
    let mut acc = 0;
    for (d, &n) in obs.iter().enumerate() {
        acc += n;
        if acc as f64 >= total as f64 * 0.995 {
            return d;
        }
    }
    obs.len().saturating_sub(1)
}

/// Draw the histogram; `reset` returns the view to fit the data. Returns
/// the depth range drawn.
pub fn show(
    ui: &mut egui::Ui,
    r: &DnaReport,
    baseline: Option<&DnaReport>,
    height: f32,
    reset: bool,
) -> (usize, usize) {
    let v = depth_view_with(
        &r.collision_depth_histogram.0,
        &r.expected_depth_histogram.0,
        baseline.map(|b| b.collision_depth_histogram.0.as_slice()),
    );
    let mut bars: Vec<Bar> = v
        .bars
        .iter()
        .map(|&(d, n)| {
            Bar::new(d as f64, n as f64)
                .name(format!("depth {d}: {n} buckets"))
                .fill(palette::SERIES)
                .width(0.85)
        })
        .collect();
    if let Some(f) = v.fold.filter(|f| f.current.0 > 0) {
        bars.push(
            Bar::new(f.from as f64, f.current.0 as f64)
                .name(format!("folded tail {}", f.label()))
                .fill(palette::WARN)
                .width(0.85),
        );
    }
    let fold_from = v.fold.map(|f| f.from);
    // The key as a row above the chart: a legend inside would cover the
    // bars of a small chart.
    ui.horizontal_wrapped(|ui| {
        let key = |ui: &mut egui::Ui, color: egui::Color32, text: &str| {
            ui.label(egui::RichText::new("■").color(color));
            // Body size: egui's "small" is ~7 px high (issue 27, item 13).
            ui.label(text);
        };
        key(ui, palette::SERIES, "observed");
        key(ui, palette::EXPECTED, "expected (Poisson)");
        if baseline.is_some() {
            key(ui, palette::BASELINE, "baseline");
        }
        if v.fold.is_some() {
            key(ui, palette::WARN, "folded tail");
        }
    });
    let id = ("depth_hist", baseline.is_some());
    Plot::new(id)
        .height(height)
        .allow_zoom(true)
        .allow_drag(true)
        .allow_scroll(false)
        .include_y(0.0)
        .x_axis_label("keys in bucket (depth)")
        .y_axis_label("buckets")
        .x_axis_formatter(move |m, _| {
            let d = m.value.round();
            if (m.value - d).abs() > 1e-6 || d < 0.0 {
                return String::new();
            }
            match fold_from {
                Some(from) if d as usize == from => format!("≥{from}"),
                Some(from) if d as usize > from => String::new(),
                _ => format!("{d:.0}"),
            }
        })
        .show(ui, |plot| {
            if reset {
                plot.set_auto_bounds(true);
            }
            plot.bar_chart(
                BarChart::new("observed", bars)
                    .color(palette::SERIES)
                    .element_formatter(Box::new(|bar, _| bar.name.clone())),
            );
            if let Some(f) = v.fold {
                // Say what the odd last bar holds, where it stands.
                let top = f.current.0.max(f.baseline.map_or(0, |b| b.0));
                plot.text(
                    Text::new(
                        "",
                        PlotPoint::new(f.from as f64, top as f64),
                        egui::RichText::new(f.label()).color(palette::WARN),
                    )
                    // Leftwards from the bar: the bar is the last thing drawn.
                    .anchor(egui::Align2::RIGHT_BOTTOM),
                );
            }
            plot.line(
                Line::new("expected (Poisson)", PlotPoints::from(v.expected.clone()))
                    .color(palette::EXPECTED)
                    .width(2.0),
            );
            if let Some(b) = baseline {
                // The baseline on the same axis, its tail folded at the same depth.
                let h = &b.collision_depth_histogram.0;
                let mut pts: Vec<[f64; 2]> = (v.range.0..=v.bars.last().map_or(0, |x| x.0))
                    .map(|d| [d as f64, h.get(d).copied().unwrap_or(0) as f64])
                    .collect();
                if let Some(f) = v.fold {
                    pts.push([f.from as f64, f.baseline.map_or(0, |b| b.0) as f64]);
                }
                plot.line(
                    Line::new("baseline", PlotPoints::from(pts))
                        .color(palette::BASELINE)
                        .width(2.0),
                );
            }
        });
    v.range
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Poisson(λ) over `n` buckets, as the report's expectation.
    fn poisson(lambda: f64, n: f64, len: usize) -> Vec<f64> {
        let mut v = Vec::with_capacity(len);
        let mut p = (-lambda).exp();
        for k in 0..len {
            if k > 0 {
                p *= lambda / k as f64;
            }
            v.push(p * n);
        }
        v
    }

    #[test]
    fn wide_depths_are_shown_where_they_are() {
        // ≈166 keys a bucket: nothing near 0, nothing folded at 80.
        let mut obs = vec![0u64; 230];
        let exp = poisson(166.0, 4096.0, 230);
        for (d, e) in exp.iter().enumerate() {
            obs[d] = e.round() as u64;
        }
        let v = depth_view(&obs, &exp);
        assert!(v.range.0 > 100 && v.range.0 < 140, "{:?}", v.range);
        assert!(v.range.1 > 190, "{:?}", v.range);
        assert!(v.fold.is_none());
        assert_eq!(v.bars.len(), v.expected.len());
        assert!(
            v.expected.iter().any(|p| p[1] > 20.0),
            "the Poisson curve is visible"
        );
    }

    #[test]
    fn with_a_baseline_both_distributions_stay_in_view() {
        // Current: small λ plus one adversarial bucket at 2309.
        let exp = poisson(2.0, 4096.0, 2310);
        let mut obs: Vec<u64> = exp.iter().map(|e| e.round() as u64).collect();
        obs[2309] = 1;
        // Baseline: λ ≈ 210.
        let bexp = poisson(210.0, 4096.0, 300);
        let base: Vec<u64> = bexp.iter().map(|e| e.round() as u64).collect();
        let v = depth_view_with(&obs, &exp, Some(&base));
        let f = v.fold.expect("the far tail is folded");
        assert!(f.from > 260 && f.from < 600, "fold at {}", f.from);
        assert_eq!(f.current, (1, 2309));
        assert_eq!(f.baseline.map(|b| b.0), Some(0));
        assert_eq!(f.label(), format!("≥{}: 1 bucket (max 2309)", f.from));
        assert_eq!(v.range.0, 0);
        // The other way round: the tail is the baseline's, and says so.
        let v = depth_view_with(&base, &bexp, Some(&obs));
        let f = v.fold.expect("folded");
        assert_eq!(f.current.0, 0, "the current workload has no tail");
        assert_eq!(f.baseline, Some((1, 2309)));
        assert!(
            f.label().ends_with("1 bucket in the baseline (max 2309)"),
            "{}",
            f.label()
        );
    }

    #[test]
    fn a_thin_far_tail_is_folded_and_labelled() {
        let mut obs = vec![0u64; 3001];
        let exp = poisson(2.0, 4096.0, 3001);
        for (d, e) in exp.iter().enumerate().take(12) {
            obs[d] = e.round() as u64;
        }
        obs[3000] = 1;
        let v = depth_view(&obs, &exp);
        let f = v.fold.unwrap();
        assert!(f.from < 40, "{}", f.from);
        assert_eq!(f.current, (1, 3000));
        assert!(v.bars.len() < 40);
        // Small workloads keep depth 0.
        assert_eq!(v.range.0, 0);
    }
}
