//! The campaign poster, A4 or A3 portrait. Sizes are set for A4 and scaled for A3.
//!
//! From the top: accent bar, logo, title, key message, the missions (as many as fit, then
//! "and N more"), and at the bottom the call to action beside the QR code, the short link
//! under the code.

use krilla::Document;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::page::PageSettings;
use serde_json::json;

use super::draw::{Align, Tone, block, rect};
use super::fonts::{Face, Faces};
use super::footer::Footer;
use super::images::Picture;
use super::layout::{Block, SizeRange, fit, wrap};
use super::missions;
use super::qr::Qr;
use super::{PT_PER_MM, PosterError, PosterSize, PosterSpec, label};

const MARGIN: f32 = 40.0;
const BAR: f32 = 12.0;
const LOGO_W: f32 = 170.0;
const LOGO_H: f32 = 60.0;
/// The QR code with its quiet zone: 58 mm on A4, so the code itself is over 4 cm.
pub(super) const QR_SIDE: f32 = 165.0;
/// The column the short link is centred in, under the code.
pub(super) const QR_COL: f32 = QR_SIDE + 30.0;
/// Between the call to action and the code.
pub(super) const GUTTER: f32 = 24.0;

/// Draws one poster page into `doc`.
pub(crate) fn draw(
    doc: &mut Document,
    faces: &Faces,
    spec: &PosterSpec,
    logo: Option<&Picture>,
) -> Result<(), PosterError> {
    let (page_w, page_h, s) = match spec.size {
        PosterSize::A4 => (210.0 * PT_PER_MM, 297.0 * PT_PER_MM, 1.0),
        PosterSize::A3 => (
            297.0 * PT_PER_MM,
            420.0 * PT_PER_MM,
            std::f32::consts::SQRT_2,
        ),
    };
    let qr = Qr::encode(&spec.qr_url).map_err(PosterError::Link)?;
    let margin = MARGIN * s;
    let width = page_w - 2.0 * margin;
    let footer = Footer::layout(faces, spec, s, width)?;
    let footer_top = page_h - margin - footer.height;
    let logo_size = logo.map(|p| p.fit(LOGO_W * s, LOGO_H * s));
    let top = BAR * s + 26.0 * s + logo_size.map_or(0.0, |(_, h)| h + 20.0 * s);
    let body = Body::layout(faces, spec, s, width, footer_top - 30.0 * s - top)?;

    let settings =
        PageSettings::from_wh(page_w, page_h).ok_or(PosterError::Internal("page size".into()))?;
    let mut page = doc.start_page_with(settings);
    let links = {
        let mut surface = page.surface();
        let sf = &mut surface;
        rect(sf, 0.0, 0.0, page_w, BAR * s, Tone::Accent);
        if let (Some(p), Some((w, h))) = (logo, logo_size) {
            p.draw(sf, margin, BAR * s + 26.0 * s, w, h);
        }
        body.draw(sf, faces, (margin, top, width), s);
        rect(
            sf,
            margin,
            footer_top - 16.0 * s,
            width,
            0.8 * s,
            Tone::Muted,
        );
        let links = footer.draw(sf, faces, &qr, (margin, footer_top, width), s);
        surface.finish();
        links
    };
    for r in links.into_iter().flatten() {
        let target = Target::Action(Action::Link(LinkAction::new(spec.qr_url.clone())));
        page.add_annotation(Annotation::new_link(LinkAnnotation::new(r, target), None));
    }
    page.finish();
    Ok(())
}

/// Title, key message and missions, measured for the space between logo and footer.
pub(super) struct Body {
    pub(super) title: Block,
    pub(super) message: Option<Block>,
    pub(super) heading: Option<Block>,
    pub(super) missions: Vec<(Block, Block)>,
    pub(super) more: Option<Block>,
}

impl Body {
    /// Measures everything for a body of `width` × `height`.
    pub(super) fn layout(
        faces: &Faces,
        spec: &PosterSpec,
        s: f32,
        width: f32,
        height: f32,
    ) -> Result<Self, PosterError> {
        let (bold, regular) = (&faces.bold, &faces.regular);
        let lang = spec.lang;
        let heading = (!spec.missions.is_empty()).then(|| {
            let text = label(lang, "missions_heading", &json!({}))?;
            Ok(Block {
                lines: wrap(bold, &bold.printable(&text), 15.0 * s, width),
                size: 15.0 * s,
            })
        });
        let heading = heading.transpose()?;
        // Room the missions need at the least: their heading and the "N missions" line.
        let gap = 18.0 * s;
        let reserve = match &heading {
            Some(h) => {
                h.height() + 8.0 * s + missions::more_line(faces, spec, s, width, 0)?.height() + gap
            }
            None => 0.0,
        };
        let title = fit_or_shrink(
            bold,
            &bold.printable(&spec.title),
            (46.0 * s, 18.0 * s, 9.0 * s),
            width,
            (0.36 * height, height - reserve),
        )
        .ok_or(PosterError::TooLong { field: "title" })?;
        let mut left = height - title.height() - gap;
        let message_text = regular.printable_paragraphs(&spec.key_message);
        let message = if message_text.is_empty() {
            None
        } else {
            let m = fit_or_shrink(
                regular,
                &message_text,
                (22.0 * s, 12.0 * s, 8.0 * s),
                width,
                (0.22 * height, left - reserve),
            )
            .ok_or(PosterError::TooLong {
                field: "key_message",
            })?;
            left -= m.height() + gap;
            Some(m)
        };
        let list = match &heading {
            Some(h) => Some(missions::fit_list(
                faces,
                spec,
                s,
                width,
                left - h.height() - 8.0 * s,
            )?),
            None => None,
        };
        let (missions, more) = list.map_or((Vec::new(), None), |l| (l.shown, l.more));
        Ok(Self {
            title,
            message,
            heading,
            missions,
            more,
        })
    }

    fn draw(&self, sf: &mut krilla::surface::Surface, faces: &Faces, col: (f32, f32, f32), s: f32) {
        let (x, mut y, width) = col;
        let gap = 18.0 * s;
        y = block(
            sf,
            &faces.bold,
            &self.title,
            (x, y, width),
            Align::Left,
            Tone::Ink,
        ) + gap;
        if let Some(m) = &self.message {
            y = block(
                sf,
                &faces.regular,
                m,
                (x, y, width),
                Align::Left,
                Tone::Muted,
            ) + gap;
        }
        let Some(heading) = &self.heading else {
            return;
        };
        y = block(
            sf,
            &faces.bold,
            heading,
            (x, y, width),
            Align::Left,
            Tone::Accent,
        );
        rect(sf, x, y + 2.0 * s, width, 1.2 * s, Tone::Accent);
        y += 8.0 * s;
        let indent = missions::INDENT * s;
        for (title, details) in &self.missions {
            let bullet = 6.0 * s;
            let mid = y + title.size * 0.55;
            rect(sf, x, mid - bullet / 2.0, bullet, bullet, Tone::Accent);
            let col = (x + indent, y, width - indent);
            y = block(sf, &faces.bold, title, col, Align::Left, Tone::Ink) + 2.0 * s;
            let col = (x + indent, y, width - indent);
            y = block(sf, &faces.regular, details, col, Align::Left, Tone::Muted) + 10.0 * s;
        }
        if let Some(more) = &self.more {
            block(
                sf,
                &faces.bold,
                more,
                (x, y, width),
                Align::Left,
                Tone::Accent,
            );
        }
    }
}

/// Fits in the preferred height with the preferred sizes, else in all the room left with
/// sizes down to the floor: a long title gets smaller before anything is refused.
fn fit_or_shrink(
    face: &Face,
    text: &str,
    (max, min, floor): (f32, f32, f32),
    width: f32,
    (preferred, room): (f32, f32),
) -> Option<Block> {
    fit(face, text, SizeRange { max, min }, width, preferred).or_else(|| {
        fit(
            face,
            text,
            SizeRange {
                max: min,
                min: floor,
            },
            width,
            room,
        )
    })
}
