//! `BucketHeatmap`: the 4096 DNA buckets as a 64×64 grid (row-major,
//! bucket 0 top-left) drawn as one texture with the viridis colour map.
//! Empty buckets have their own colour, the scale is linear or log, and the
//! top of the scale can be clipped at a percentile so one monster bucket
//! does not wash out the rest. The image is rebuilt only when the data or
//! the scale changes (see `HeatmapKey`).

use egui::{Color32, ColorImage, Pos2, Rect, Sense, Stroke, TextureHandle, TextureOptions, Vec2};

use crate::workload::dna::BUCKETS;

pub const SIDE: usize = 64;
pub const EMPTY: Color32 = Color32::from_rgb(0x24, 0x28, 0x31);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Scale {
    #[default]
    Linear,
    Log,
}

/// Everything the image depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeatmapKey {
    pub report_id: u64,
    pub scale: Scale,
    pub clip_percentile: f32,
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
pub fn scale_position(count: u64, top: u64, scale: Scale) -> f64 {
    let top = top.max(1) as f64;
    let c = (count as f64).min(top);
    match scale {
        Scale::Linear => c / top,
        Scale::Log => (1.0 + c).ln() / (1.0 + top).ln(),
    }
}

pub fn color_for(count: u64, top: u64, scale: Scale) -> Color32 {
    if count == 0 {
        return EMPTY;
    }
    let c = colorous::VIRIDIS.eval_continuous(scale_position(count, top, scale));
    Color32::from_rgb(c.r, c.g, c.b)
}

/// The 64×64 image of `counts`.
pub fn image(counts: &[u64], scale: Scale, clip_percentile: f32) -> ColorImage {
    let top = clip_value(counts, clip_percentile);
    let pixels = (0..BUCKETS)
        .map(|b| color_for(counts.get(b).copied().unwrap_or(0), top, scale))
        .collect();
    ColorImage::new([SIDE, SIDE], pixels)
}

/// Same image, each bucket `cell` pixels wide, as PNG bytes (export).
pub fn png_bytes(
    counts: &[u64],
    scale: Scale,
    clip_percentile: f32,
    cell: u32,
) -> Result<Vec<u8>, String> {
    let img = image(counts, scale, clip_percentile);
    let side = SIDE as u32 * cell;
    let mut rgba = image::RgbaImage::new(side, side);
    for (x, y, px) in rgba.enumerate_pixels_mut() {
        let c = img.pixels[(y / cell) as usize * SIDE + (x / cell) as usize];
        *px = image::Rgba([c.r(), c.g(), c.b(), 255]);
    }
    let mut out = std::io::Cursor::new(Vec::new());
    rgba.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode PNG: {e}"))?;
    Ok(out.into_inner())
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
    pub fn get(&mut self, ctx: &egui::Context, key: HeatmapKey, counts: &[u64]) -> &TextureHandle {
        if self.key != Some(key) || self.texture.is_none() {
            let img = image(counts, key.scale, key.clip_percentile);
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
        Stroke::new(1.0, Color32::from_gray(70)),
        egui::StrokeKind::Outside,
    );
    let hovered = resp.hover_pos().and_then(|p| cell_at(rect, p));
    if let Some(b) = hovered.or(highlight) {
        painter.rect_stroke(
            cell_rect(rect, b).expand(1.0),
            0.0,
            Stroke::new(2.0, Color32::WHITE),
            egui::StrokeKind::Outside,
        );
    }
    (hovered, resp)
}

/// The colour bar with the scale's numbers under a heatmap.
pub fn legend(ui: &mut egui::Ui, width: f32, top: u64, scale: Scale) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(width, 14.0), Sense::hover());
    let painter = ui.painter_at(rect);
    let steps = 64;
    for i in 0..steps {
        let t = i as f64 / (steps - 1) as f64;
        let c = colorous::VIRIDIS.eval_continuous(t);
        let x0 = rect.left() + rect.width() * i as f32 / steps as f32;
        let x1 = rect.left() + rect.width() * (i + 1) as f32 / steps as f32;
        painter.rect_filled(
            Rect::from_min_max(
                Pos2::new(x0, rect.top()),
                Pos2::new(x1 + 0.5, rect.bottom()),
            ),
            0.0,
            Color32::from_rgb(c.r, c.g, c.b),
        );
    }
    // Tick values: the count at each quarter of the scale.
    let value_at = |t: f64| -> f64 {
        match scale {
            Scale::Linear => t * top as f64,
            Scale::Log => (t * (1.0 + top as f64).ln()).exp() - 1.0,
        }
    };
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 0.0;
        let w = width / 5.0;
        for (i, t) in [0.0, 0.25, 0.5, 0.75, 1.0].iter().enumerate() {
            let text = if i == 4 {
                format!("≥{:.0}", value_at(*t))
            } else {
                format!("{:.0}", value_at(*t))
            };
            ui.add_sized(
                [w, 14.0],
                egui::Label::new(egui::RichText::new(text).small()),
            );
        }
    });
    ui.horizontal(|ui| {
        let (r, _) = ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
        ui.painter().rect_filled(r, 2.0, EMPTY);
        ui.label(egui::RichText::new("empty bucket").small());
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

    #[test]
    fn colours_are_monotone_and_empty_stands_apart() {
        assert_eq!(color_for(0, 10, Scale::Linear), EMPTY);
        let lo = color_for(1, 100, Scale::Linear);
        let hi = color_for(100, 100, Scale::Linear);
        assert_ne!(lo, hi);
        // Viridis runs from dark purple to bright yellow.
        let lum = |c: Color32| u32::from(c.r()) + u32::from(c.g()) + u32::from(c.b());
        assert!(lum(hi) > lum(lo));
        // Above the clip it saturates.
        assert_eq!(color_for(5_000, 100, Scale::Linear), hi);
        // Log spreads the low end.
        assert!(scale_position(10, 1000, Scale::Log) > scale_position(10, 1000, Scale::Linear));
        assert_eq!(scale_position(1000, 1000, Scale::Log), 1.0);
    }

    #[test]
    fn png_export_has_the_grid_size() {
        let counts = vec![3u64; BUCKETS];
        let bytes = png_bytes(&counts, Scale::Linear, 100.0, 4).unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (256, 256));
    }
}
