//! The bundled Noto Sans faces: which glyph draws each character, how wide a line is, and
//! drawing a line as real text (selectable, searchable, subset into the PDF).
//!
//! We place glyphs ourselves instead of shaping with HarfBuzz: for Latin text the only
//! loss is kerning, and measuring and drawing then use the very same advances, so a line
//! measured to fit always fits.

use std::sync::LazyLock;

use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use unicode_normalization::UnicodeNormalization;

use super::layout::Measure;

// Paths are relative to this file: crates/declic-messaging/src/posters/.
static REGULAR: &[u8] = include_bytes!("../../../../templates/posters/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../../templates/posters/fonts/NotoSans-Bold.ttf");

/// The regular font file, for SVG logos that contain text.
pub(crate) fn regular_data() -> &'static [u8] {
    REGULAR
}

/// One font file, ready to measure and draw.
pub(crate) struct Face {
    font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Drawn for characters the font lacks (emoji, Arabic, Hebrew…): U+FFFD or `?`.
    replacement: char,
}

/// The regular and bold faces.
pub(crate) struct Faces {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

static FACES: LazyLock<Result<Faces, String>> = LazyLock::new(|| {
    Ok(Faces {
        regular: Face::new(REGULAR)?,
        bold: Face::new(BOLD)?,
    })
});

/// The faces, parsed once per process.
pub(crate) fn faces() -> Result<&'static Faces, String> {
    FACES.as_ref().map_err(Clone::clone)
}

impl Face {
    fn new(data: &'static [u8]) -> Result<Self, String> {
        let font_ref =
            skrifa::FontRef::new(data).map_err(|e| format!("bundled font unreadable: {e}"))?;
        let font = Font::new(data.into(), 0).ok_or("bundled font rejected by the PDF writer")?;
        let charmap = font_ref.charmap();
        let replacement = if charmap.map('\u{FFFD}').is_some() {
            '\u{FFFD}'
        } else {
            '?'
        };
        Ok(Self {
            units_per_em: f32::from(
                font_ref
                    .metrics(Size::unscaled(), LocationRef::default())
                    .units_per_em
                    .max(1),
            ),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            charmap,
            font,
            replacement,
        })
    }

    /// Whether the font draws `c`.
    pub(crate) fn covers(&self, c: char) -> bool {
        self.charmap.map(c).is_some()
    }

    fn glyph(&self, c: char) -> (GlyphId, f32) {
        let gid = self
            .charmap
            .map(c)
            .or_else(|| self.charmap.map(self.replacement))
            .unwrap_or_default();
        let advance = self.metrics.advance_width(gid).unwrap_or(0.0) / self.units_per_em;
        (GlyphId::new(gid.to_u32()), advance)
    }

    /// Normalises `text` for printing: NFC (so "é" is one glyph), each run of whitespace
    /// and control characters one space, invisible format characters (joiners, variation
    /// selectors, direction marks) dropped, and each run of characters the font lacks
    /// replaced by one mark.
    pub(crate) fn printable(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut space = false;
        for c in text.nfc() {
            if c.is_whitespace() || c.is_control() {
                space = !out.is_empty();
                continue;
            }
            if is_invisible(c) {
                continue;
            }
            if space {
                out.push(' ');
                space = false;
            }
            if self.covers(c) {
                out.push(c);
            } else if !out.ends_with(self.replacement) {
                // One mark per run of missing characters: "محمد" is one "�", not four.
                out.push(self.replacement);
            }
        }
        out
    }

    /// Like [`printable`](Self::printable), keeping line breaks between paragraphs.
    pub(crate) fn printable_paragraphs(&self, text: &str) -> String {
        text.lines()
            .map(|l| self.printable(l))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Draws one line of already [`printable`](Self::printable) text with its baseline at `y`.
    pub(crate) fn draw(&self, surface: &mut Surface, x: f32, y: f32, size: f32, text: &str) {
        let glyphs: Vec<KrillaGlyph> = text
            .char_indices()
            .map(|(i, c)| {
                let (gid, advance) = self.glyph(c);
                KrillaGlyph::new(gid, advance, 0.0, 0.0, 0.0, i..i + c.len_utf8(), None)
            })
            .collect();
        surface.draw_glyphs(
            Point::from_xy(x, y),
            &glyphs,
            self.font.clone(),
            text,
            size,
            false,
        );
    }
}

impl Measure for Face {
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }
}

/// Characters that draw nothing and that the font need not have.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                   // soft hyphen
        | '\u{200B}'..='\u{200F}'    // zero-width space/joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}'    // bidi embeddings and overrides
        | '\u{2060}'..='\u{2069}'    // word joiner, invisible operators, bidi isolates
        | '\u{FE00}'..='\u{FE0F}'    // variation selectors (emoji presentation)
        | '\u{FEFF}'                 // byte order mark
        | '\u{E0000}'..='\u{E007F}'  // tag characters (flag sequences)
    )
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn accents_stay_and_missing_glyphs_are_replaced() {
        let f = &faces().unwrap().regular;
        assert_eq!(f.printable("Zoé  Lefèvre-Œuvrard\n"), "Zoé Lefèvre-Œuvrard");
        // Decomposed "e" + combining acute becomes one glyph.
        assert_eq!(f.printable("Ame\u{301}lie"), "Amélie");
        let r = f.replacement;
        assert_eq!(f.printable("Zoë 👩\u{200D}💻"), format!("Zoë {r}"));
        assert_eq!(f.printable("\u{202B}שלום עולם\u{202C}"), format!("{r} {r}"));
        assert_eq!(f.printable("a\u{0}\tb"), "a b");
        assert_eq!(f.printable_paragraphs("Un\r\n\n  deux \n"), "Un\ndeux");
    }

    #[test]
    fn widths_grow_with_size_and_text() {
        let f = &faces().unwrap().bold;
        let w = f.width("Inscrivez-vous", 10.0);
        assert!(w > 50.0 && w < 100.0, "{w}");
        assert!((f.width("Inscrivez-vous", 20.0) - 2.0 * w).abs() < 0.01);
    }
}
