//! Every colour Mission Control uses, named for what it means. Views pick
//! from here; nothing else writes an RGB literal.

use egui::Color32;

/// Links, the app name, running jobs.
pub const ACCENT: Color32 = Color32::from_rgb(0x7f, 0xb8, 0xff);
/// Success: ok jobs, a uniform verdict, the fastest bar, "faster".
pub const GOOD: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x50);
/// Failure: failed jobs, a skewed verdict, errors, "slower".
pub const BAD: Color32 = Color32::from_rgb(0xf8, 0x51, 0x49);
/// Caution: noisy figures, invalid-spec details, stderr lines, "inconclusive".
pub const WARN: Color32 = Color32::from_rgb(0xf0, 0xa0, 0x5a);
/// Not applicable or not yet: pending and skipped jobs, "no change".
pub const MUTED: Color32 = Color32::from_rgb(0x9a, 0xa0, 0xa6);
/// Informational notices.
pub const INFO: Color32 = Color32::from_rgb(0x9a, 0xc8, 0xff);
/// Plain log text.
pub const TEXT: Color32 = Color32::from_rgb(0xd6, 0xdb, 0xe4);

/// Bars of ordinary jobs; observed buckets in the depth histogram.
pub const SERIES: Color32 = Color32::from_rgb(0x4c, 0x8d, 0xf6);
/// Series of an overlay (one a job), in order, then again.
pub const OVERLAY: [Color32; 6] = [
    Color32::from_rgb(0x4c, 0x8d, 0xf6),
    Color32::from_rgb(0x3f, 0xb9, 0x50),
    Color32::from_rgb(0xf0, 0xa0, 0x5a),
    Color32::from_rgb(0xc0, 0x7c, 0xf0),
    Color32::from_rgb(0xf8, 0x51, 0x49),
    Color32::from_rgb(0x4f, 0xd1, 0xc5),
];
/// Backends along a timeline: chaining, Robin Hood, migrating between them.
pub const BACKEND_CHAINING: Color32 = Color32::from_rgb(0x4c, 0x8d, 0xf6);
pub const BACKEND_ROBINHOOD: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x50);
pub const BACKEND_MIGRATING: Color32 = Color32::from_rgb(0xf0, 0xa0, 0x5a);
/// Any other backend (std's HashMap, a contestant): none of the above.
pub const BACKEND_OTHER: Color32 = Color32::from_rgb(0xb0, 0xb4, 0xbc);
/// Migration and compaction markers.
pub const MARKER: Color32 = Color32::from_rgb(0xe6, 0xe9, 0xef);
/// The Poisson expectation.
pub const EXPECTED: Color32 = Color32::from_rgb(0xf0, 0xc0, 0x40);
/// A pinned baseline workload.
pub const BASELINE: Color32 = Color32::from_rgb(0xc0, 0x7c, 0xf0);
/// The older run's bars in a comparison (the newer take their verdict's colour).
pub const OLD_RUN: Color32 = Color32::from_rgb(0x5a, 0x61, 0x6e);
/// Error whiskers over bars.
pub const WHISKER: Color32 = Color32::from_rgb(0xe6, 0xe9, 0xef);

/// Op-mix bar: put, get, del.
pub const OP_PUT: Color32 = Color32::from_rgb(0x4c, 0x8d, 0xf6);
pub const OP_GET: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x50);
pub const OP_DEL: Color32 = Color32::from_rgb(0xf0, 0x7a, 0x5a);

/// An outlier heatmap bucket (far fuller than the rest): no colour of the
/// viridis scale is near it.
pub const OUTLIER: Color32 = Color32::from_rgb(0xff, 0x3e, 0xc8);
/// An empty heatmap bucket: apart from every colour of the scale.
pub const EMPTY_BUCKET: Color32 = Color32::from_rgb(0x24, 0x28, 0x31);
pub const GRID_LINE: Color32 = Color32::from_gray(70);

/// The dark theme's surfaces.
pub const PANEL: Color32 = Color32::from_rgb(0x16, 0x1a, 0x22);
pub const WINDOW: Color32 = Color32::from_rgb(0x1b, 0x20, 0x2a);
pub const EXTREME: Color32 = Color32::from_rgb(0x0f, 0x12, 0x18);
pub const FAINT: Color32 = Color32::from_rgb(0x1e, 0x24, 0x30);
pub const SELECTION: Color32 = Color32::from_rgb(0x2b, 0x4f, 0x8a);

/// The colour of how a run ended: "ok", "cancelled" or "failed".
pub fn outcome(outcome: &str) -> Color32 {
    match outcome {
        "ok" => GOOD,
        "cancelled" => WARN,
        _ => BAD,
    }
}

/// A still "busy" mark (a filled dot in the accent colour). egui's spinner
/// animates by asking for a new frame every frame, which would keep the
/// window redrawing at full rate for a whole suite run, on the cores the
/// benchmark is measuring; the elapsed-time text beside it shows progress.
pub fn busy_dot(ui: &mut egui::Ui) -> egui::Response {
    let size = ui.spacing().interact_size.y * 0.5;
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
    ui.painter()
        .circle_filled(rect.center(), size * 0.45, ACCENT);
    resp
}

/// The colour of a verdict (formats.md §9): faster green, slower red, no change
/// grey, inconclusive amber.
pub fn verdict(v: crate::batch::compare::Verdict) -> Color32 {
    use crate::batch::compare::Verdict;
    match v {
        Verdict::Faster => GOOD,
        Verdict::Slower => BAD,
        Verdict::Inconclusive | Verdict::NotComparable => WARN,
        Verdict::NoChange | Verdict::OnlyInOld | Verdict::OnlyInNew => MUTED,
    }
}
