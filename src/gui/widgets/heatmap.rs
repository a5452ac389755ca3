//! `BucketHeatmap`: the DNA buckets as a square grid (4096 as 64×64,
//! row-major, bucket 0 top-left) drawn as one texture with the viridis
//! colour map. Empty buckets have their own colour; the scale is automatic
//! (clipped at p99 when a few buckets dwarf the rest), linear or log, and
//! the legend says which. The image is rebuilt only when the data or the
//! scale changes (see `HeatmapKey`).

use egui::{Color32, ColorImage, Pos2, Rect, Sense, Stroke, TextureHandle, TextureOptions, Vec2};

use crate::fmt::{shown_text, thousands};
use crate::gui::palette;
use crate::workload::dna::{BUCKET_BITS, BUCKETS};

/// Cells a side: 2^(bits/2), 64 for 4096 buckets.
pub const SIDE: usize = 1 << (BUCKET_BITS / 2);
pub const EMPTY: Color32 = palette::EMPTY_BUCKET;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Scale {
    /// Linear, clipped at p99 when the fullest buckets dwarf the rest.
    #[default]
    Auto,
    Linear,
    Log,
}

/// How counts map to colours for one report: the scale, the count at the
/// top of it, and a sentence for the legend saying so.
#[derive(Debug, Clone, PartialEq)]
pub struct ColorScale {
    pub log: bool,
    pub top: u64,
    pub max: u64,
    /// Buckets above `top` (drawn at full colour).
    pub above: usize,
    /// Auto on a map whose fullest buckets dwarf the rest: counts above
    /// this are outliers, drawn in `palette::OUTLIER` and outlined, so an
    /// attack stands out from ordinary full buckets (issue 27, item 3).
    pub outlier_above: Option<u64>,
    pub note: String,
}

/// When the fullest bucket holds more than this many times the p99 count,
/// `Auto` clips at p99 so the other buckets keep their texture.
pub const AUTO_CLIP_RATIO: u64 = 4;

impl ColorScale {
    pub fn new(counts: &[u64], scale: Scale, clip_percentile: f32) -> ColorScale {
        let max = counts.iter().copied().max().unwrap_or(0).max(1);
        let p99 = clip_value(counts, 99.0);
        let outlier = AUTO_CLIP_RATIO * p99;
        if scale == Scale::Auto && max > outlier {
            // The ordinary buckets get the whole scale; the outliers a
            // colour of their own.
            let top = counts
                .iter()
                .copied()
                .filter(|&c| c <= outlier)
                .max()
                .unwrap_or(p99)
                .max(1);
            let n = counts.iter().filter(|&&c| c > outlier).count();
            return ColorScale {
                log: false,
                top,
                max,
                above: n,
                outlier_above: Some(outlier),
                note: format!(
                    "auto: linear 0 – {} keys; {n} outlier bucket{} (over {}× p99 = {} keys, up to {}) outlined in magenta",
                    thousands(top as f64),
                    if n == 1 { "" } else { "s" },
                    AUTO_CLIP_RATIO,
                    thousands(outlier as f64),
                    thousands(max as f64)
                ),
            };
        }
        let (log, top, how) = match scale {
            Scale::Auto => (false, max, "auto: linear".to_string()),
            Scale::Linear | Scale::Log => {
                let top = clip_value(counts, clip_percentile);
                let clip = if clip_percentile < 100.0 {
                    format!(", clipped at p{clip_percentile:.1}")
                } else {
                    String::new()
                };
                let name = if scale == Scale::Log { "log" } else { "linear" };
                (scale == Scale::Log, top, format!("{name}{clip}"))
            }
        };
        let above = counts.iter().filter(|&&c| c > top).count();
        let note = if above > 0 {
            format!(
                "{how}: 0 – {} keys; {above} fuller buckets (max {}) at full colour",
                thousands(top as f64),
                thousands(max as f64)
            )
        } else {
            format!("{how}: 0 – {} keys", thousands(top as f64))
        };
        ColorScale {
            log,
            top,
            max,
            above,
            outlier_above: None,
            note,
        }
    }

    /// The same scale (top and kind) describing `counts`: how many of them
    /// are above the top, and their maximum. For maps that share a scale.
    pub fn describing(&self, counts: &[u64], shared_note: &str) -> ColorScale {
        let max = counts.iter().copied().max().unwrap_or(0).max(1);
        let above = counts.iter().filter(|&&c| c > self.top).count();
        let kind = if self.log { "log" } else { "linear" };
        let mut note = format!(
            "{shared_note}, {kind}: 0 – {} keys",
            thousands(self.top as f64)
        );
        if let Some(t) = self.outlier_above {
            let n = counts.iter().filter(|&&c| c > t).count();
            note.push_str(&format!(
                "; here {n} outlier bucket{} (over {} keys) outlined in magenta",
                if n == 1 { "" } else { "s" },
                thousands(t as f64)
            ));
        } else if above > 0 {
            note.push_str(&format!(
                "; here {above} fuller buckets (max {}) at full colour",
                thousands(max as f64)
            ));
        }
        ColorScale {
            log: self.log,
            top: self.top,
            max,
            above,
            outlier_above: self.outlier_above,
            note,
        }
    }

    pub fn position(&self, count: u64) -> f64 {
        scale_position(count, self.top, self.log)
    }

    pub fn color(&self, count: u64) -> Color32 {
        if count == 0 {
            return EMPTY;
        }
        if self.is_outlier(count) {
            return palette::OUTLIER;
        }
        viridis(self.position(count))
    }

    pub fn is_outlier(&self, count: u64) -> bool {
        self.outlier_above.is_some_and(|t| count > t)
    }

    /// The buckets drawn as outliers (at most `max` of them, fullest
    /// first): the heatmap outlines them.
    pub fn outliers(&self, counts: &[u64], max: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..counts.len())
            .filter(|&i| self.is_outlier(counts[i]))
            .collect();
        v.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
        v.truncate(max);
        v
    }

    /// The count at position `t` (0..=1) of the scale, for tick labels.
    pub fn value_at(&self, t: f64) -> f64 {
        if self.log {
            (t * (1.0 + self.top as f64).ln()).exp() - 1.0
        } else {
            t * self.top as f64
        }
    }
}

/// Everything the image depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatmapKey {
    pub report_id: u64,
    /// The colour scale's top and kind: all the image depends on besides
    /// the counts.
    pub top: u64,
    pub log: bool,
    pub outlier_above: Option<u64>,
}

impl HeatmapKey {
    pub fn new(report_id: u64, cs: &ColorScale) -> HeatmapKey {
        HeatmapKey {
            report_id,
            top: cs.top,
            log: cs.log,
            outlier_above: cs.outlier_above,
        }
    }
}

/// The count at `percentile` (0..=100) of the non-empty buckets: the top of
/// the colour scale. 100 keeps the true maximum.
pub fn clip_value(counts: &[u64], percentile: f32) -> u64 {
    let mut nz: Vec<u64> = counts.iter().copied().filter(|&c| c > 0).collect();
    if nz.is_empty() {
        return 1;
    }
    nz.sort_unstable();
    let p = f64::from(percentile.clamp(1.0, 100.0)) / 100.0;
    let rank = ((p * nz.len() as f64).ceil() as usize).clamp(1, nz.len());
    nz[rank - 1].max(1)
}

/// Position of `count` on the scale, 0..=1 (values above `top` clip to 1).
pub fn scale_position(count: u64, top: u64, log: bool) -> f64 {
    let top = top.max(1) as f64;
    let c = (count as f64).min(top);
    if log {
        (1.0 + c).ln() / (1.0 + top).ln()
    } else {
        c / top
    }
}

fn viridis(t: f64) -> Color32 {
    let c = colorous::VIRIDIS.eval_continuous(t.clamp(0.0, 1.0));
    Color32::from_rgb(c.r, c.g, c.b)
}

/// The SIDE×SIDE image of `counts`.
pub fn image(counts: &[u64], cs: &ColorScale) -> ColorImage {
    let pixels = (0..BUCKETS)
        .map(|b| cs.color(counts.get(b).copied().unwrap_or(0)))
        .collect();
    ColorImage::new([SIDE, SIDE], pixels)
}

/// The exported picture: a title, the grid (`cell` pixels a bucket), and a
/// colour bar with its numbers and the scale's note, as PNG bytes.
pub fn png_bytes(
    counts: &[u64],
    cs: &ColorScale,
    cell: u32,
    title: &str,
) -> Result<Vec<u8>, String> {
    use super::raster::Canvas;
    let grid = SIDE as u32 * cell;
    let margin = 16;
    let width = grid + 2 * margin;
    let title_h = 30;
    let bar_h = 16;
    let height = margin + title_h + grid + 8 + bar_h + 4 + 18 + 18 + margin;
    let mut c = Canvas::new(width, height, palette::PANEL);
    c.text(margin, margin, 18.0, &shown_text(title, 60), palette::TEXT);
    let top = margin + title_h;
    let img = image(counts, cs);
    for y in 0..grid {
        for x in 0..grid {
            c.put(
                margin + x,
                top + y,
                img.pixels[(y / cell) as usize * SIDE + (x / cell) as usize],
            );
        }
    }
    let bar_y = top + grid + 8;
    for x in 0..grid {
        let t = f64::from(x) / f64::from(grid - 1);
        for y in 0..bar_h {
            c.put(margin + x, bar_y + y, viridis(t));
        }
    }
    let ticks_y = bar_y + bar_h + 4;
    for (i, t) in [0.0, 0.25, 0.5, 0.75, 1.0].iter().enumerate() {
        let text = tick_text(cs, *t, i == 4);
        let w = c.text_width(12.0, &text);
        let x = margin + (f64::from(grid) * t) as u32;
        let x = x
            .saturating_sub(w / 2)
            .clamp(margin, margin + grid - w.min(grid));
        c.text(x, ticks_y, 12.0, &text, palette::TEXT);
    }
    c.text(
        margin,
        ticks_y + 18,
        12.0,
        &shown_text(&cs.note, 90),
        palette::MUTED,
    );
    c.png()
}

/// A tick label of the colour bar; the top one says "≥" when clipped.
pub fn tick_text(cs: &ColorScale, t: f64, last: bool) -> String {
    let v = thousands(cs.value_at(t));
    // Outliers have their own colour: the scale's top is a real top.
    if last && cs.above > 0 && cs.outlier_above.is_none() {
        format!("≥{v}")
    } else {
        v
    }
}

/// The bucket under `pos` in a grid drawn in `rect`.
pub fn cell_at(rect: Rect, pos: Pos2) -> Option<usize> {
    if !rect.contains(pos) || rect.width() <= 0.0 || rect.height() <= 0.0 {
        return None;
    }
    let col = (((pos.x - rect.left()) / rect.width()) * SIDE as f32) as usize;
    let row = (((pos.y - rect.top()) / rect.height()) * SIDE as f32) as usize;
    (col < SIDE && row < SIDE).then_some(row * SIDE + col)
}

/// The rectangle of `bucket` in a grid drawn in `rect`.
pub fn cell_rect(rect: Rect, bucket: usize) -> Rect {
    let cell = Vec2::new(rect.width() / SIDE as f32, rect.height() / SIDE as f32);
    let (row, col) = (bucket / SIDE, bucket % SIDE);
    Rect::from_min_size(
        rect.min + Vec2::new(col as f32 * cell.x, row as f32 * cell.y),
        cell,
    )
}

/// A cached texture of one report's heatmap.
#[derive(Default)]
pub struct HeatmapTexture {
    key: Option<HeatmapKey>,
    texture: Option<TextureHandle>,
}

impl HeatmapTexture {
    /// The texture for `key`, rebuilt only when `key` changed.
    pub fn get(
        &mut self,
        ctx: &egui::Context,
        key: HeatmapKey,
        counts: &[u64],
        cs: &ColorScale,
    ) -> &TextureHandle {
        if self.key != Some(key) || self.texture.is_none() {
            let img = image(counts, cs);
            match &mut self.texture {
                Some(t) => t.set(img, TextureOptions::NEAREST),
                None => {
                    self.texture = Some(ctx.load_texture(
                        format!("heatmap-{}", key.report_id),
                        img,
                        TextureOptions::NEAREST,
                    ));
                }
            }
            self.key = Some(key);
        }
        self.texture.get_or_insert_with(|| {
            ctx.load_texture(
                "heatmap-empty",
                ColorImage::filled([1, 1], EMPTY),
                TextureOptions::NEAREST,
            )
        })
    }
}

/// Draw the grid in a square of `side` points; returns the hovered bucket
/// and the response (its rect is the grid's).
pub fn show(
    ui: &mut egui::Ui,
    tex: &TextureHandle,
    side: f32,
    highlight: Option<usize>,
    outlined: &[usize],
) -> (Option<usize>, egui::Response) {
    let (rect, resp) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    let painter = ui.painter_at(rect.expand(2.0));
    painter.image(
        tex.id(),
        rect,
        Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
        Color32::WHITE,
    );
    painter.rect_stroke(
        rect,
        0.0,
        Stroke::new(1.0, palette::GRID_LINE),
        egui::StrokeKind::Outside,
    );
    // Outliers outlined, so even one cell of them is seen at a glance.
    for &b in outlined {
        painter.rect_stroke(
            cell_rect(rect, b).expand(1.5),
            0.0,
            Stroke::new(1.5, palette::OUTLIER),
            egui::StrokeKind::Outside,
        );
    }
    let hovered = resp.hover_pos().and_then(|p| cell_at(rect, p));
    if let Some(b) = hovered.or(highlight) {
        // Thick enough to be found among outlined outliers.
        painter.rect_stroke(
            cell_rect(rect, b).expand(3.0),
            0.0,
            Stroke::new(3.0, Color32::WHITE),
            egui::StrokeKind::Outside,
        );
    }
    (hovered, resp)
}

/// Legend text: readable at a glance (egui's "small" is ~7 px high).
const LEGEND_TEXT: f32 = 12.0;

/// The colour bar under a heatmap: the scale's numbers and what it shows.
pub fn legend(ui: &mut egui::Ui, width: f32, cs: &ColorScale) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, 14.0), Sense::hover());
    let painter = ui.painter_at(rect);
    let steps = 64;
    for i in 0..steps {
        let t = i as f64 / (steps - 1) as f64;
        let x0 = rect.left() + rect.width() * i as f32 / steps as f32;
        let x1 = rect.left() + rect.width() * (i + 1) as f32 / steps as f32;
        painter.rect_filled(
            Rect::from_min_max(
                Pos2::new(x0, rect.top()),
                Pos2::new(x1 + 0.5, rect.bottom()),
            ),
            0.0,
            viridis(t),
        );
    }
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        let w = width / 5.0;
        for (i, t) in [0.0, 0.25, 0.5, 0.75, 1.0].iter().enumerate() {
            ui.add_sized(
                [w, 14.0],
                egui::Label::new(egui::RichText::new(tick_text(cs, *t, i == 4)).size(LEGEND_TEXT)),
            );
        }
    });
    ui.horizontal(|ui| {
        let (r, _) = ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
        ui.painter().rect_filled(r, 2.0, EMPTY);
        ui.label(egui::RichText::new("empty").size(LEGEND_TEXT));
        ui.add(egui::Label::new(egui::RichText::new(&cs.note).size(LEGEND_TEXT).weak()).wrap());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_arithmetic_round_trips() {
        let rect = Rect::from_min_size(Pos2::new(10.0, 20.0), Vec2::splat(640.0));
        for b in [0, 1, 63, 64, 65, 2048, 4095] {
            let r = cell_rect(rect, b);
            assert_eq!(cell_at(rect, r.center()), Some(b));
        }
        assert_eq!(cell_at(rect, Pos2::new(10.5, 20.5)), Some(0));
        assert_eq!(cell_at(rect, Pos2::new(649.0, 20.5)), Some(63));
        assert_eq!(cell_at(rect, Pos2::new(10.5, 659.0)), Some(4032));
        assert_eq!(cell_at(rect, Pos2::new(5.0, 5.0)), None);
    }

    #[test]
    fn clipping_uses_the_percentile_of_non_empty_buckets() {
        let mut counts = vec![0u64; BUCKETS];
        for (i, c) in counts.iter_mut().enumerate().take(100) {
            *c = i as u64 + 1; // 1..=100
        }
        counts[200] = 10_000;
        assert_eq!(clip_value(&counts, 100.0), 10_000);
        assert_eq!(clip_value(&counts, 50.0), 51);
        assert_eq!(clip_value(&vec![0; BUCKETS], 99.0), 1);
    }

    fn counts_up_to(n: u64) -> Vec<u64> {
        let mut counts = vec![0u64; BUCKETS];
        for (i, c) in counts.iter_mut().enumerate().take(100) {
            *c = (i as u64 % n) + 1;
        }
        counts
    }

    #[test]
    fn colours_are_monotone_and_empty_stands_apart() {
        let cs = ColorScale::new(&counts_up_to(100), Scale::Linear, 100.0);
        assert_eq!(cs.top, 100);
        assert_eq!(cs.color(0), EMPTY);
        let lo = cs.color(1);
        let hi = cs.color(100);
        assert_ne!(lo, hi);
        // Viridis runs from dark purple to bright yellow.
        let lum = |c: Color32| u32::from(c.r()) + u32::from(c.g()) + u32::from(c.b());
        assert!(lum(hi) > lum(lo));
        // Above the top it saturates.
        assert_eq!(cs.color(5_000), hi);
        // Log spreads the low end.
        assert!(scale_position(10, 1000, true) > scale_position(10, 1000, false));
        assert_eq!(scale_position(1000, 1000, true), 1.0);
    }

    #[test]
    fn auto_scale_clips_at_p99_on_heavy_skew_and_says_so() {
        let mut counts = counts_up_to(20);
        let even = ColorScale::new(&counts, Scale::Auto, 100.0);
        assert_eq!((even.top, even.above), (20, 0));
        assert!(
            even.note.starts_with("auto: linear: 0 – 20 keys"),
            "{}",
            even.note
        );
        counts[4000] = 5_000; // one adversarial bucket
        let skew = ColorScale::new(&counts, Scale::Auto, 100.0);
        assert_eq!(skew.top, 20, "the fullest ordinary bucket");
        assert_eq!((skew.above, skew.max), (1, 5_000));
        assert!(skew.note.contains("1 outlier bucket"), "{}", skew.note);
        assert!(skew.note.contains("up to 5,000"), "{}", skew.note);
        assert_eq!(tick_text(&skew, 1.0, true), "20");
        assert_eq!(skew.color(5_000), palette::OUTLIER);
        assert_eq!(skew.outliers(&counts, 10), [4000]);
        // The rest keep distinct colours instead of one dark smear.
        assert_ne!(skew.color(5), skew.color(15));
    }

    /// Issue 27, item 3: 16 attacked buckets at ~100× the mean stand apart
    /// from ~40 ordinary buckets with 22+ keys (once the same yellow): a
    /// colour no ordinary bucket has, and an outline; a uniform map has
    /// none, and a pair sharing a scale shows the difference.
    #[test]
    fn attacked_buckets_stand_out_from_full_ordinary_ones() {
        let mut uniform = vec![0u64; BUCKETS];
        for (i, c) in uniform.iter_mut().enumerate() {
            // Mostly 4–8 keys, a few buckets at 22–25.
            *c = if i % 100 == 0 {
                22 + (i as u64 / 100 % 4)
            } else {
                4 + (i as u64 % 5)
            };
        }
        let mut attacked = uniform.clone();
        for b in 0..16 {
            attacked[b * 256] = 600;
        }
        let cs = ColorScale::new(&attacked, Scale::Auto, 100.0);
        let out = cs.outliers(&attacked, 256);
        assert_eq!(out.len(), 16);
        assert!(out.iter().all(|&b| attacked[b] == 600));
        let full_ordinary = cs.color(25);
        assert_ne!(full_ordinary, palette::OUTLIER);
        assert_eq!(cs.color(600), palette::OUTLIER);
        // The ordinary buckets keep the whole scale: 25 keys is its top.
        assert_eq!(cs.top, 25);
        let plain = ColorScale::new(&uniform, Scale::Auto, 100.0);
        assert!(plain.outliers(&uniform, 256).is_empty());
        assert_eq!(plain.outlier_above, None);
        // Pinned side by side (one scale over both): only the attacked map
        // has outlined cells.
        let shared = cs.describing(&uniform, "shared by both maps");
        assert!(shared.outliers(&uniform, 256).is_empty());
        assert!(shared.note.contains("0 outlier buckets"), "{}", shared.note);
        let here = cs.describing(&attacked, "shared by both maps");
        assert_eq!(here.outliers(&attacked, 256).len(), 16);
    }

    #[test]
    fn png_export_has_title_grid_and_colour_bar() {
        let counts = counts_up_to(50);
        let cs = ColorScale::new(&counts, Scale::Auto, 100.0);
        let bytes = png_bytes(&counts, &cs, 4, "w.csv").unwrap();
        let img = image::load_from_memory(&bytes).unwrap().to_rgba8();
        assert!(img.width() > 256 && img.height() > 256 + 40);
        // The grid's first cell is bucket 0's colour, below the title.
        let px = img.get_pixel(16 + 1, 16 + 30 + 1);
        let want = cs.color(counts[0]);
        assert_eq!((px[0], px[1], px[2]), (want.r(), want.g(), want.b()));
        // The title row has text pixels (not only the background).
        let bg = palette::PANEL;
        let inked = (16..200).any(|x| {
            (16..34).any(|y| {
                let p = img.get_pixel(x, y);
                (p[0], p[1], p[2]) != (bg.r(), bg.g(), bg.b())
            })
        });
        assert!(inked, "the title is drawn");
    }
}
