//! The ambassador flyer, A5 or A6 portrait. Sizes are set for A5 and scaled for A6.
//!
//! From the top: accent bar, photo, "Ask me about it — name", the campaign title, then the
//! QR code to the ambassador's link, "Scan to sign up" and the short link.

use krilla::Document;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::geom::Rect;
use krilla::page::PageSettings;
use serde_json::json;

use super::draw::{Align, Tone, block, rect};
use super::fonts::Faces;
use super::footer::link_block;
use super::images::Picture;
use super::layout::{SizeRange, fit};
use super::qr::Qr;
use super::{FlyerSize, FlyerSpec, PT_PER_MM, PosterError, label};

const MARGIN: f32 = 30.0;
const BAR: f32 = 14.0;
/// The QR code with its quiet zone: 74 mm on A5, 52 mm on A6 (the code itself over 4 cm).
pub(super) const QR_SIDE: f32 = 210.0;
const PHOTO: f32 = 110.0;

/// Draws one flyer page into `doc`.
pub(crate) fn draw(
    doc: &mut Document,
    faces: &Faces,
    spec: &FlyerSpec,
    photo: Option<&Picture>,
) -> Result<(), PosterError> {
    let (page_w, page_h, s) = match spec.size {
        FlyerSize::A5 => (148.0 * PT_PER_MM, 210.0 * PT_PER_MM, 1.0),
        FlyerSize::A6 => (
            105.0 * PT_PER_MM,
            148.0 * PT_PER_MM,
            std::f32::consts::FRAC_1_SQRT_2,
        ),
    };
    let (bold, regular) = (&faces.bold, &faces.regular);
    let qr = Qr::encode(&spec.qr_url).map_err(PosterError::Link)?;
    let margin = MARGIN * s;
    let width = page_w - 2.0 * margin;
    let qr_side = QR_SIDE * s;

    // The code, "scan to sign up" and the short link: fixed sizes, measured first.
    let link = link_block(bold, &spec.link_text, width, 11.0 * s)?;
    let scan_text = bold.printable_paragraphs(&label(spec.lang, "flyer_scan", &json!({}))?);
    let scan = fit(bold, &scan_text, range(16.0, 8.0, s), width, 40.0 * s)
        .ok_or(PosterError::Internal("flyer_scan label too long".into()))?;
    let code_stack = 18.0 * s + qr_side + 8.0 * s + scan.height() + 4.0 * s + link.height();

    // Photo, "ask me" and the campaign title share what is left.
    let top = BAR * s + 20.0 * s;
    let bottom = page_h - margin;
    let photo_size = photo.map(|p| p.fit(width, PHOTO * s));
    let photo_h = photo_size.map_or(0.0, |(_, h)| h + 14.0 * s);
    let room = bottom - top - photo_h - code_stack - 10.0 * s;
    let ask = bold.printable_paragraphs(&label(
        spec.lang,
        "ask_me",
        &json!({"name": regular.printable(&spec.ambassador_name)}),
    )?);
    let ask = fit(bold, &ask, range(32.0, 14.0, s), width, 0.6 * room)
        .or_else(|| fit(bold, &ask, range(14.0, 6.0, s), width, room - 14.0 * s))
        .ok_or(PosterError::TooLong {
            field: "ambassador_name",
        })?;
    let title = fit(
        regular,
        &regular.printable(&spec.campaign_title),
        range(17.0, 5.0, s),
        width,
        room - ask.height(),
    )
    .ok_or(PosterError::TooLong {
        field: "campaign_title",
    })?;
    // Everything as one group, a little above the middle of the free space.
    let total = photo_h + ask.height() + 10.0 * s + title.height() + code_stack;
    let mut y = top + ((bottom - top - total) * 0.4).max(0.0);

    let settings =
        PageSettings::from_wh(page_w, page_h).ok_or(PosterError::Internal("page size".into()))?;
    let mut page = doc.start_page_with(settings);
    let (qr_top, link_top) = {
        let mut surface = page.surface();
        let sf = &mut surface;
        rect(sf, 0.0, 0.0, page_w, BAR * s, Tone::Accent);
        if let (Some(p), Some((w, h))) = (photo, photo_size) {
            p.draw(sf, margin + (width - w) / 2.0, y, w, h);
            y += photo_h;
        }
        y = block(
            sf,
            bold,
            &ask,
            (margin, y, width),
            Align::Center,
            Tone::Accent,
        );
        y = block(
            sf,
            regular,
            &title,
            (margin, y + 10.0 * s, width),
            Align::Center,
            Tone::Ink,
        );
        let qr_top = y + 18.0 * s;
        qr.draw(sf, qr_x(page_w, qr_side), qr_top, qr_side);
        y = qr_top + qr_side + 8.0 * s;
        y = block(
            sf,
            bold,
            &scan,
            (margin, y, width),
            Align::Center,
            Tone::Accent,
        ) + 4.0 * s;
        block(
            sf,
            bold,
            &link,
            (margin, y, width),
            Align::Center,
            Tone::Ink,
        );
        surface.finish();
        (qr_top, y)
    };
    let areas = [
        Rect::from_xywh(qr_x(page_w, qr_side), qr_top, qr_side, qr_side),
        Rect::from_xywh(margin, link_top, width, link.height()),
    ];
    for r in areas.into_iter().flatten() {
        let target = Target::Action(Action::Link(LinkAction::new(spec.qr_url.clone())));
        page.add_annotation(Annotation::new_link(LinkAnnotation::new(r, target), None));
    }
    page.finish();
    Ok(())
}

fn qr_x(page_w: f32, side: f32) -> f32 {
    (page_w - side) / 2.0
}

fn range(max: f32, min: f32, s: f32) -> SizeRange {
    SizeRange {
        max: max * s,
        min: min * s,
    }
}
