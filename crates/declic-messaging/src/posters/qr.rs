//! QR codes drawn as vectors: sharp at any print size, a few hundred bytes each.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, FillRule};
use krilla::surface::Surface;
use qrcode::{Color, EcLevel, QrCode};

/// White modules around the code, as the QR specification asks, so scanners find its edge.
pub(crate) const QUIET_ZONE: usize = 4;

/// An encoded QR code: dark modules, row by row.
pub(crate) struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// Encodes `url` at level Q (a quarter of the code can be smudged or torn and still scan).
    pub(crate) fn encode(url: &str) -> Result<Self, String> {
        let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::Q)
            .map_err(|e| format!("the link cannot be put in a QR code ({e})"))?;
        Ok(Self {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Modules per side, without the quiet zone.
    #[cfg(test)]
    pub(crate) fn modules(&self) -> usize {
        self.width
    }

    /// The code as a standalone SVG, one unit per module, quiet zone included: for web
    /// pages (the ambassador's page), where it scales with CSS.
    pub(crate) fn to_svg(&self, title: &str) -> String {
        use std::fmt::Write as _;
        let total = self.width + 2 * QUIET_ZONE;
        let mut d = String::new();
        for (row, cells) in self.dark.chunks(self.width.max(1)).enumerate() {
            let mut col = 0;
            while col < cells.len() {
                if !cells[col] {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < cells.len() && cells[col] {
                    col += 1;
                }
                let _ = write!(
                    d,
                    "M{} {}h{}v1h-{}z",
                    start + QUIET_ZONE,
                    row + QUIET_ZONE,
                    col - start,
                    col - start
                );
            }
        }
        let title = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {total} {total}\" \
             shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{title}\">\
             <rect width=\"{total}\" height=\"{total}\" fill=\"#fff\"/>\
             <path d=\"{d}\" fill=\"#000\"/></svg>"
        )
    }

    /// Draws the code and its quiet zone in a `side` × `side` square at (`x`, `y`).
    pub(crate) fn draw(&self, surface: &mut Surface, x: f32, y: f32, side: f32) {
        let total = (self.width + 2 * QUIET_ZONE) as f32;
        let module = side / total;
        surface.set_fill(Some(fill(rgb::Color::new(255, 255, 255))));
        if let Some(r) = Rect::from_xywh(x, y, side, side) {
            let mut pb = PathBuilder::new();
            pb.push_rect(r);
            if let Some(p) = pb.finish() {
                surface.draw_path(&p);
            }
        }
        // One path for all dark modules, each row's runs merged: one fill, no seams.
        let mut pb = PathBuilder::new();
        for (row, cells) in self.dark.chunks(self.width.max(1)).enumerate() {
            let mut col = 0;
            while col < cells.len() {
                if !cells[col] {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < cells.len() && cells[col] {
                    col += 1;
                }
                let left = x + (start + QUIET_ZONE) as f32 * module;
                let top = y + (row + QUIET_ZONE) as f32 * module;
                if let Some(r) = Rect::from_xywh(left, top, (col - start) as f32 * module, module) {
                    pb.push_rect(r);
                }
            }
        }
        surface.set_fill(Some(fill(rgb::Color::new(0, 0, 0))));
        if let Some(p) = pb.finish() {
            surface.draw_path(&p);
        }
    }
}

/// An opaque fill of `color`.
pub(crate) fn fill(color: rgb::Color) -> Fill {
    Fill {
        paint: color.into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_campaign_link_at_level_q() {
        let Ok(qr) = Qr::encode("https://declic.example.com/c/abcdefghjkmn") else {
            panic!("encodes");
        };
        // Version 4 (33 modules) at level Q for a 42-byte link.
        assert_eq!(qr.modules(), 33);
        assert!(Qr::encode(&"x".repeat(5000)).is_err());
    }
}
