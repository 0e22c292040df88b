//! The impact report as an A4 PDF: a title, headings, label/value rows and bars.
//! Texts wrap; pages follow one another as the lines need.

use krilla::Document;
use krilla::page::PageSettings;

use super::draw::{Align, Tone, block, rect};
use super::fonts::Faces;
use super::layout::{Block, LINE_HEIGHT, wrap};
use super::{PT_PER_MM, PosterError};

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportLine {
    /// The document's title, on the first page.
    Title(String),
    /// A remark in muted text.
    Note(String),
    /// A section heading.
    Heading(String),
    /// A label and its value.
    Row(String, String),
    /// A label, a bar of length `0..=1` of the column, and the figure.
    Bar(String, f32, String),
}

const MARGIN: f32 = 50.0;

/// Renders the report.
pub(crate) fn draw(
    doc: &mut Document,
    faces: &Faces,
    lines: &[ReportLine],
) -> Result<(), PosterError> {
    let (page_w, page_h) = (210.0 * PT_PER_MM, 297.0 * PT_PER_MM);
    let width = page_w - 2.0 * MARGIN;
    let label_w = width * 0.45;
    // Lay every line out first, as (height, blocks to draw).
    struct Item {
        height: f32,
        parts: Vec<(Block, f32, f32, Tone, bool)>,
        bar: Option<f32>,
    }
    // A text wrapped at one size in one face.
    let para = |bold: bool, text: &str, size: f32, w: f32| {
        let face = if bold { &faces.bold } else { &faces.regular };
        Block {
            lines: wrap(face, &face.printable(text), size, w),
            size,
        }
    };
    // A full-width paragraph and the space after it.
    let whole = |bold: bool, text: &str, size: f32, after: f32, tone: Tone| {
        let b = para(bold, text, size, width);
        Item {
            height: b.height() + after,
            parts: vec![(b, 0.0, width, tone, bold)],
            bar: None,
        }
    };
    let mut items = Vec::new();
    for line in lines {
        let item = match line {
            ReportLine::Title(t) => whole(true, t, 20.0, 12.0, Tone::Accent),
            ReportLine::Note(t) => whole(false, t, 9.5, 8.0, Tone::Muted),
            ReportLine::Heading(t) => whole(true, t, 13.0, 10.0, Tone::Ink),
            ReportLine::Row(l, v) => {
                let a = para(false, l, 10.0, label_w - 8.0);
                let b = para(true, v, 10.0, width - label_w);
                Item {
                    height: a.height().max(b.height()) + 4.0,
                    parts: vec![
                        (a, 0.0, label_w - 8.0, Tone::Ink, false),
                        (b, label_w, width - label_w, Tone::Ink, true),
                    ],
                    bar: None,
                }
            }
            ReportLine::Bar(l, share, v) => {
                let a = para(false, l, 10.0, label_w - 8.0);
                let w = (width - label_w - 60.0) * share.clamp(0.0, 1.0);
                let b = Block {
                    lines: vec![faces.bold.printable(v)],
                    size: 10.0,
                };
                Item {
                    height: a.height().max(10.0 * LINE_HEIGHT) + 4.0,
                    parts: vec![
                        (a, 0.0, label_w - 8.0, Tone::Ink, false),
                        (b, label_w + w + 6.0, 60.0, Tone::Ink, true),
                    ],
                    bar: Some(w),
                }
            }
        };
        items.push(item);
    }
    let settings =
        PageSettings::from_wh(page_w, page_h).ok_or(PosterError::Internal("page size".into()))?;
    let mut i = 0;
    while i < items.len() {
        let mut page = doc.start_page_with(settings.clone());
        {
            let mut surface = page.surface();
            rect(&mut surface, 0.0, 0.0, page_w, 10.0, Tone::Accent);
            let mut y = MARGIN;
            // At least one item per page, so that an oversized one cannot loop.
            let mut first = true;
            while i < items.len() && (first || y + items[i].height <= page_h - MARGIN) {
                first = false;
                let item = &items[i];
                if let Some(w) = item.bar {
                    rect(
                        &mut surface,
                        MARGIN + label_w,
                        y + 2.0,
                        w.max(0.5),
                        9.0,
                        Tone::Accent,
                    );
                }
                for (b, dx, w, tone, bold) in &item.parts {
                    let face = if *bold { &faces.bold } else { &faces.regular };
                    block(
                        &mut surface,
                        face,
                        b,
                        (MARGIN + dx, y, *w),
                        Align::Left,
                        *tone,
                    );
                }
                y += item.height;
                i += 1;
            }
            surface.finish();
        }
        page.finish();
    }
    Ok(())
}
