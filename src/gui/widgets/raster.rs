//! A small RGBA canvas for exported pictures: pixels, and text drawn with
//! egui's own default font (so exports read like the app) through ab_glyph.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use egui::Color32;

pub struct Canvas {
    img: image::RgbaImage,
    font: Option<FontRef<'static>>,
}

impl Canvas {
    pub fn new(width: u32, height: u32, background: Color32) -> Canvas {
        let bg = image::Rgba([background.r(), background.g(), background.b(), 255]);
        Canvas {
            img: image::RgbaImage::from_pixel(width, height, bg),
            font: FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT).ok(),
        }
    }

    pub fn put(&mut self, x: u32, y: u32, c: Color32) {
        if x < self.img.width() && y < self.img.height() {
            self.img
                .put_pixel(x, y, image::Rgba([c.r(), c.g(), c.b(), 255]));
        }
    }

    /// Width in pixels of `text` at `size`.
    pub fn text_width(&self, size: f32, text: &str) -> u32 {
        let Some(font) = &self.font else { return 0 };
        let f = font.as_scaled(PxScale::from(size));
        text.chars()
            .map(|c| f.h_advance(f.glyph_id(c)))
            .sum::<f32>()
            .ceil() as u32
    }

    /// Draw `text` with its top-left at (x, y), blended over what is there.
    pub fn text(&mut self, x: u32, y: u32, size: f32, text: &str, color: Color32) {
        let Some(font) = self.font.clone() else {
            return;
        };
        let scaled = font.as_scaled(PxScale::from(size));
        let mut caret = x as f32;
        let baseline = y as f32 + scaled.ascent();
        for ch in text.chars() {
            let id = scaled.glyph_id(ch);
            let glyph = id.with_scale_and_position(PxScale::from(size), point(caret, baseline));
            caret += scaled.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i64 + i64::from(gx);
                let py = bounds.min.y as i64 + i64::from(gy);
                if px < 0
                    || py < 0
                    || px >= i64::from(self.img.width())
                    || py >= i64::from(self.img.height())
                {
                    return;
                }
                let dst = self.img.get_pixel_mut(px as u32, py as u32);
                let a = coverage.clamp(0.0, 1.0);
                let src = [color.r(), color.g(), color.b()];
                for (d, s) in dst.0.iter_mut().take(3).zip(src) {
                    *d = (f32::from(*d) * (1.0 - a) + f32::from(s) * a).round() as u8;
                }
            });
        }
    }

    pub fn png(self) -> Result<Vec<u8>, String> {
        let mut out = std::io::Cursor::new(Vec::new());
        self.img
            .write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| format!("cannot encode PNG: {e}"))?;
        Ok(out.into_inner())
    }
}
