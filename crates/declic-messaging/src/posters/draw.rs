//! Drawing primitives shared by posters and flyers: colours, rules, text blocks, links.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect};
use krilla::surface::Surface;

use super::fonts::Face;
use super::layout::{Block, LINE_HEIGHT};
use super::qr::fill;

/// Colours of the layout.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tone {
    /// Headings, the call to action, bullets.
    Accent,
    /// Body text.
    Ink,
    /// Secondary text and rules.
    Muted,
}

impl Tone {
    fn rgb(self) -> rgb::Color {
        match self {
            Self::Accent => rgb::Color::new(0x0B, 0x6E, 0x4F),
            Self::Ink => rgb::Color::new(0x1F, 0x23, 0x28),
            Self::Muted => rgb::Color::new(0x57, 0x60, 0x6A),
        }
    }
}

/// Where the baseline sits below the top of a line, as a multiple of the size: room for
/// capital accents (É) above and descenders below within [`LINE_HEIGHT`].
const BASELINE: f32 = 0.95;

/// Horizontal placement of lines in a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// Fills a rectangle.
pub(crate) fn rect(surface: &mut Surface, x: f32, y: f32, w: f32, h: f32, tone: Tone) {
    let Some(r) = Rect::from_xywh(x, y, w.max(0.01), h.max(0.01)) else {
        return;
    };
    let mut pb = PathBuilder::new();
    pb.push_rect(r);
    if let Some(path) = pb.finish() {
        surface.set_fill(Some(fill(tone.rgb())));
        surface.draw_path(&path);
    }
}

/// Draws `block` from `top` in a column at `x` of `width`; returns the bottom.
pub(crate) fn block(
    surface: &mut Surface,
    face: &Face,
    block: &Block,
    (x, top, width): (f32, f32, f32),
    align: Align,
    tone: Tone,
) -> f32 {
    use super::layout::Measure;
    surface.set_fill(Some(fill(tone.rgb())));
    let step = block.size * LINE_HEIGHT;
    for (i, line) in block.lines.iter().enumerate() {
        let dx = match align {
            Align::Left => 0.0,
            Align::Center => ((width - face.width(line, block.size)) / 2.0).max(0.0),
        };
        let baseline = top + i as f32 * step + block.size * BASELINE;
        face.draw(surface, x + dx, baseline, block.size, line);
    }
    top + block.height()
}
