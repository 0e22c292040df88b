//! Printable posters and ambassador flyers as PDF, pure: no database, no HTTP.
//!
//! The printed labels are Handlebars strings in `templates/posters/texts.toml`; the geometry
//! is in [`poster`](self) and flyer code. Text is real text in the bundled Noto Sans (OFL,
//! `templates/posters/fonts/`), subset into each file. Long texts wrap, then shrink down to
//! a legible minimum; a text that cannot fit even then is [`PosterError::TooLong`], never cut.
//! Characters the font lacks (emoji, Arabic, Hebrew…) print as "�".
//!
//! A logo or photo that cannot be decoded is an error ([`PosterError::Logo`],
//! [`PosterError::Photo`]) rather than silently left out: the person who asked for a poster
//! with their logo should learn that it is missing. Uploads are checked with
//! [`check_image`], so a stored logo always renders.

mod draw;
mod flyer;
mod fonts;
mod footer;
mod images;
mod layout;
mod missions;
mod poster;
mod qr;
mod report;
mod texts;

use std::io::Write;

use krilla::Document;
use krilla::metadata::Metadata;
use serde::Deserialize;

pub use images::ImageFormat;
pub use report::ReportLine;

/// A QR code of `url` as a standalone SVG (level Q, quiet zone included); `title`
/// becomes its accessible label and is escaped.
pub fn qr_svg(url: &str, title: &str) -> Result<String, String> {
    Ok(qr::Qr::encode(url)?.to_svg(title))
}

use crate::templates::Lang;

/// Poster paper sizes, portrait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PosterSize {
    /// 210 × 297 mm.
    #[default]
    A4,
    /// 297 × 420 mm.
    A3,
}

/// Flyer paper sizes, portrait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlyerSize {
    /// 148 × 210 mm.
    #[default]
    A5,
    /// 105 × 148 mm.
    A6,
}

/// Points per millimetre (PDF units are 1/72 inch).
const PT_PER_MM: f32 = 72.0 / 25.4;

/// One mission as a poster lists it; texts already in the poster's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosterMission {
    pub title: String,
    /// "Marathon de compétences".
    pub format: String,
    /// "jeudi 5 juin 2031, 09:00–17:30 (Europe/Paris)".
    pub dates: String,
    /// "12 rue des Lilas, Paris" or "à distance".
    pub place: String,
}

/// Everything one campaign poster shows.
#[derive(Debug, Clone)]
pub struct PosterSpec {
    pub title: String,
    pub key_message: String,
    pub missions: Vec<PosterMission>,
    /// The registration deadline in words, when there is one.
    pub deadline: Option<String>,
    /// The link the QR code opens (the poster's tagged link).
    pub qr_url: String,
    /// The same link, short and readable, printed under the code (see [`short_link`]).
    pub link_text: String,
    /// The organisation's logo: PNG, JPEG or SVG bytes.
    pub logo: Option<Vec<u8>>,
    pub lang: Lang,
    pub size: PosterSize,
}

/// Everything one ambassador flyer shows.
#[derive(Debug, Clone)]
pub struct FlyerSpec {
    pub ambassador_name: String,
    /// A PNG, JPEG or SVG portrait.
    pub photo: Option<Vec<u8>>,
    /// The ambassador's personal link.
    pub qr_url: String,
    /// The same link, short and readable.
    pub link_text: String,
    pub campaign_title: String,
    pub lang: Lang,
    pub size: FlyerSize,
}

/// Why a poster or flyer could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PosterError {
    /// The logo is not a usable PNG, JPEG or SVG.
    #[error("logo: {0}")]
    Logo(String),
    /// A flyer's photo is not a usable image.
    #[error("photo of {name}: {reason}")]
    Photo { name: String, reason: String },
    /// A text does not fit on the page even at the smallest legible size.
    #[error("{field}: too long to fit on the page even in small print; shorten it")]
    TooLong { field: &'static str },
    /// The link cannot be encoded as a QR code (far too long).
    #[error("link: {0}")]
    Link(String),
    /// There is nothing to print.
    #[error("{0}")]
    Empty(&'static str),
    /// The bundled font or texts failed to load, or the PDF writer failed: a bug.
    #[error("cannot write the PDF: {0}")]
    Internal(String),
}

impl PosterError {
    /// The input field at fault, for an error that names it; `None` for internal errors.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Logo(_) => Some("logo"),
            Self::Photo { .. } => Some("photo"),
            Self::TooLong { field } => Some(field),
            Self::Link(_) => Some("link"),
            Self::Empty(_) => Some("campaign"),
            Self::Internal(_) => None,
        }
    }
}

/// Renders one poster as a one-page PDF.
pub fn render_poster(spec: &PosterSpec) -> Result<Vec<u8>, PosterError> {
    render_posters(std::slice::from_ref(spec))
}

/// Renders posters as one PDF, a page each (e.g. one per site).
pub fn render_posters(specs: &[PosterSpec]) -> Result<Vec<u8>, PosterError> {
    let first = specs
        .first()
        .ok_or(PosterError::Empty("no poster to print"))?;
    let faces = fonts::faces().map_err(PosterError::Internal)?;
    let mut doc = Document::new();
    doc.set_metadata(metadata(&first.title, first.lang));
    // Sites share the organisation's logo: decode it once.
    let mut logo: Option<(&[u8], images::Picture)> = None;
    for spec in specs {
        let bytes = spec.logo.as_deref();
        if bytes.is_some() && logo.as_ref().map(|(b, _)| *b) != bytes {
            logo = bytes
                .map(|b| images::Picture::decode(b).map(|p| (b, p)))
                .transpose()
                .map_err(PosterError::Logo)?;
        }
        let picture = bytes.and(logo.as_ref()).map(|(_, p)| p);
        poster::draw(&mut doc, faces, spec, picture)?;
    }
    finish(doc)
}

/// Renders the impact report as an A4 PDF (the caller leaves out what must not
/// travel, such as free-text answers).
pub fn render_report(lines: &[ReportLine]) -> Result<Vec<u8>, PosterError> {
    let faces = fonts::faces().map_err(PosterError::Internal)?;
    let mut doc = Document::new();
    let title = lines
        .iter()
        .find_map(|l| match l {
            ReportLine::Title(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("Declic");
    doc.set_metadata(metadata(title, Lang::Fr));
    report::draw(&mut doc, faces, lines)?;
    finish(doc)
}

/// Renders flyers as one PDF, a page each, ready to print.
pub fn render_flyers(specs: &[FlyerSpec]) -> Result<Vec<u8>, PosterError> {
    let first = specs
        .first()
        .ok_or(PosterError::Empty("no flyer to print"))?;
    let faces = fonts::faces().map_err(PosterError::Internal)?;
    let mut doc = Document::new();
    doc.set_metadata(metadata(&first.campaign_title, first.lang));
    for spec in specs {
        let photo = spec
            .photo
            .as_deref()
            .map(images::Picture::decode)
            .transpose()
            .map_err(|reason| PosterError::Photo {
                name: spec.ambassador_name.clone(),
                reason,
            })?;
        flyer::draw(&mut doc, faces, spec, photo.as_ref())?;
    }
    finish(doc)
}

/// Checks that `bytes` are an image a poster can print (decoded in full, within size
/// limits); returns its format.
pub fn check_image(bytes: &[u8]) -> Result<ImageFormat, String> {
    images::Picture::decode(bytes)?;
    ImageFormat::sniff(bytes).ok_or_else(|| "not a PNG, JPEG or SVG image".to_owned())
}

/// A link as people type it: no scheme, no `www.`, no trailing slash.
pub fn short_link(url: &str) -> String {
    let s = url.trim();
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .unwrap_or(s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.trim_end_matches('/').to_owned()
}

/// A file name for a site's poster: lowercase ASCII letters, digits and dashes.
pub fn file_name(prefix: &str, site: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut slug = String::new();
    for c in site.nfd().filter(char::is_ascii) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(60).collect();
    if slug.is_empty() {
        format!("{prefix}.pdf")
    } else {
        format!("{prefix}-{slug}.pdf")
    }
}

/// Packs named files into a ZIP (stored, not deflated: PDF streams are compressed already).
/// Repeated names get a number so that no file hides another.
pub fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>, PosterError> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut used = std::collections::HashSet::new();
    for (name, bytes) in files {
        let mut unique = name.clone();
        let mut n = 1;
        while !used.insert(unique.clone()) {
            n += 1;
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            unique = format!("{stem}-{n}.{ext}");
        }
        zip.start_file(unique, options)
            .map_err(|e| PosterError::Internal(format!("zip: {e}")))?;
        zip.write_all(bytes)
            .map_err(|e| PosterError::Internal(format!("zip: {e}")))?;
    }
    zip.finish()
        .map(std::io::Cursor::into_inner)
        .map_err(|e| PosterError::Internal(format!("zip: {e}")))
}

fn metadata(title: &str, lang: Lang) -> Metadata {
    Metadata::new()
        .title(title.chars().take(300).collect())
        .language(lang.as_str().to_owned())
        .creator("Declic".to_owned())
}

fn finish(doc: Document) -> Result<Vec<u8>, PosterError> {
    doc.finish()
        .map_err(|e| PosterError::Internal(format!("{e:?}")))
}

/// A label from `templates/posters/texts.toml`.
fn label(lang: Lang, key: &str, data: &serde_json::Value) -> Result<String, PosterError> {
    texts::label(lang, key, data).map_err(PosterError::Internal)
}

#[cfg(test)]
mod tests;
