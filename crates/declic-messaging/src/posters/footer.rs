//! The poster's bottom band: call to action and deadline beside the QR code, the short
//! link centred under it.

use krilla::geom::Rect;
use krilla::surface::Surface;
use serde_json::json;

use super::draw::{Align, Tone, block};
use super::fonts::{Face, Faces};
use super::layout::{Block, LINE_HEIGHT, SizeRange, fit, wrap};
use super::poster::{GUTTER, QR_COL, QR_SIDE};
use super::qr::Qr;
use super::{PosterError, PosterSpec, label};

/// The bottom band: call to action and deadline beside the QR code, the short link under it.
pub(super) struct Footer {
    call: Block,
    scan: Block,
    deadline: Option<Block>,
    link: Block,
    pub(super) height: f32,
}

impl Footer {
    /// Measures the band for a page column of `width`.
    pub(super) fn layout(
        faces: &Faces,
        spec: &PosterSpec,
        s: f32,
        width: f32,
    ) -> Result<Self, PosterError> {
        let (bold, regular) = (&faces.bold, &faces.regular);
        let lang = spec.lang;
        let link = link_block(bold, &spec.link_text, QR_COL * s, 11.0 * s)?;
        let height = QR_SIDE * s + 6.0 * s + link.height();
        let col = width - QR_SIDE * s - GUTTER * s;
        let call = bold.printable_paragraphs(&label(lang, "call_to_action", &json!({}))?);
        let scan = regular.printable_paragraphs(&label(lang, "scan_or_visit", &json!({}))?);
        let deadline = match &spec.deadline {
            Some(d) => {
                Some(bold.printable_paragraphs(&label(lang, "deadline", &json!({"deadline": d}))?))
            }
            None => None,
        };
        // Shrink the whole column together until it fits beside the code.
        let mut k = 1.0;
        while k >= 0.3 {
            let set = |face: &Face, text: &str, size: f32| {
                let size = size * k * s;
                Block {
                    lines: text
                        .split('\n')
                        .flat_map(|p| wrap(face, p, size, col))
                        .collect(),
                    size,
                }
            };
            let footer = Self {
                call: set(bold, &call, 38.0),
                scan: set(regular, &scan, 13.0),
                deadline: deadline.as_deref().map(|d| set(bold, d, 15.0)),
                link: link.clone(),
                height,
            };
            if footer.column_height(s) <= height {
                return Ok(footer);
            }
            k -= 0.05;
        }
        Err(PosterError::TooLong { field: "deadline" })
    }

    fn column_height(&self, s: f32) -> f32 {
        self.call.height()
            + 10.0 * s
            + self.scan.height()
            + self
                .deadline
                .as_ref()
                .map_or(0.0, |d| 14.0 * s + d.height())
    }

    /// Draws the band; returns the rectangles that link to the URL (code and short link).
    pub(super) fn draw(
        &self,
        sf: &mut Surface,
        faces: &Faces,
        qr: &Qr,
        (x, top, width): (f32, f32, f32),
        s: f32,
    ) -> [Option<Rect>; 2] {
        let col = width - QR_SIDE * s - GUTTER * s;
        let mut y = block(
            sf,
            &faces.bold,
            &self.call,
            (x, top, col),
            Align::Left,
            Tone::Accent,
        );
        y += 10.0 * s;
        y = block(
            sf,
            &faces.regular,
            &self.scan,
            (x, y, col),
            Align::Left,
            Tone::Ink,
        );
        if let Some(d) = &self.deadline {
            block(
                sf,
                &faces.bold,
                d,
                (x, y + 14.0 * s, col),
                Align::Left,
                Tone::Accent,
            );
        }
        let qr_x = x + width - QR_SIDE * s;
        qr.draw(sf, qr_x, top, QR_SIDE * s);
        // Centred under the code, a little wider than it (into the margin).
        let under_x = qr_x - (QR_COL - QR_SIDE) / 2.0 * s;
        let under_top = top + QR_SIDE * s + 6.0 * s;
        let under = (under_x, under_top, QR_COL * s);
        block(sf, &faces.bold, &self.link, under, Align::Center, Tone::Ink);
        [
            Rect::from_xywh(qr_x, top, QR_SIDE * s, QR_SIDE * s),
            Rect::from_xywh(under_x, under_top, QR_COL * s, self.link.height()),
        ]
    }
}

/// The short link, on one line when it can be (smaller rather than broken), else two.
pub(super) fn link_block(
    face: &Face,
    text: &str,
    width: f32,
    max: f32,
) -> Result<Block, PosterError> {
    let text = face.printable(text);
    let range = SizeRange {
        max,
        min: max * 0.55,
    };
    fit(face, &text, range, width, max * LINE_HEIGHT)
        .or_else(|| fit(face, &text, range, width, 2.0 * max * LINE_HEIGHT))
        .ok_or(PosterError::TooLong { field: "link" })
}
