//! Logos and photos: PNG and JPEG as images, SVG as vectors. Decoded and checked up front,
//! so a bad file is a clear error before any page is drawn, never a broken PDF.

use std::sync::Arc;

use krilla::geom::{Size, Transform};
use krilla::image::Image;
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::{Data, Document};
use krilla_svg::{SurfaceExt, SvgSettings};
use usvg::{ImageHrefResolver, ImageKind, Options, Tree};

use super::fonts;

/// Largest width or height in pixels we decode: bigger images cost memory, not quality.
const MAX_SIDE: u32 = 6000;
/// Largest number of pixels (24 MP, about 100 MB once decoded).
const MAX_PIXELS: u64 = 24_000_000;

/// The formats a logo or photo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// SVG, drawn as vectors.
    Svg,
}

impl ImageFormat {
    /// Recognises a file by its first bytes (not by what the sender claims).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Some(Self::Png);
        }
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Some(Self::Jpeg);
        }
        // Plain-text SVG only: a gzip-compressed SVGZ could inflate without bound.
        let head = &bytes[..bytes.len().min(4096)];
        let text = String::from_utf8_lossy(head);
        let text = text.trim_start_matches('\u{FEFF}').trim_start();
        (text.starts_with('<') && text.contains("<svg")).then_some(Self::Svg)
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Svg => "image/svg+xml",
        }
    }
}

/// A decoded picture, ready to draw.
pub(crate) enum Picture {
    Raster(Image),
    Vector(Box<Tree>),
}

impl Picture {
    /// Decodes and fully checks `bytes`; the error says what is wrong in plain words.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, String> {
        let data: Data = Arc::new(bytes.to_vec()).into();
        let picture = match ImageFormat::sniff(bytes) {
            Some(ImageFormat::Png) => Self::Raster(checked(Image::from_png(data, true))?),
            Some(ImageFormat::Jpeg) => Self::Raster(checked(Image::from_jpeg(data, true))?),
            Some(ImageFormat::Svg) => Self::Vector(Box::new(parse_svg(bytes)?)),
            None => return Err("not a PNG, JPEG or SVG image".into()),
        };
        picture.try_render()?;
        Ok(picture)
    }

    /// Width and height in the picture's own units.
    fn size(&self) -> (f32, f32) {
        match self {
            Self::Raster(i) => {
                let (w, h) = i.size();
                (w as f32, h as f32)
            }
            Self::Vector(t) => (t.size().width(), t.size().height()),
        }
    }

    /// The size the picture takes inside a `max_w` × `max_h` box, keeping its proportions.
    pub(crate) fn fit(&self, max_w: f32, max_h: f32) -> (f32, f32) {
        let (w, h) = self.size();
        let scale = (max_w / w.max(1.0)).min(max_h / h.max(1.0));
        (w * scale, h * scale)
    }

    /// Draws the picture with its top-left corner at (`x`, `y`), `w` × `h` points.
    pub(crate) fn draw(&self, surface: &mut Surface, x: f32, y: f32, w: f32, h: f32) {
        let Some(size) = Size::from_wh(w.max(0.1), h.max(0.1)) else {
            return;
        };
        surface.push_transform(&Transform::from_translate(x, y));
        match self {
            Self::Raster(i) => surface.draw_image(i.clone(), size),
            Self::Vector(t) => {
                let _ = surface.draw_svg(t, size, SvgSettings::default());
            }
        }
        surface.pop();
    }

    /// krilla decodes raster images only when it writes the file: do it once now, on a
    /// throwaway page, so that a truncated or corrupt file fails here.
    fn try_render(&self) -> Result<(), String> {
        let mut doc = Document::new();
        {
            let settings = PageSettings::from_wh(10.0, 10.0).ok_or("page size")?;
            let mut page = doc.start_page_with(settings);
            let mut surface = page.surface();
            self.draw(&mut surface, 0.0, 0.0, 10.0, 10.0);
            surface.finish();
            page.finish();
        }
        doc.finish()
            .map(|_| ())
            .map_err(|e| format!("the image data is damaged ({e:?})"))
    }
}

fn checked(image: Result<Image, String>) -> Result<Image, String> {
    let image = image.map_err(|e| format!("the image cannot be read ({e})"))?;
    let (w, h) = image.size();
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS
    {
        return Err(format!(
            "the image is {w}×{h} pixels; use at most {MAX_SIDE} on each side"
        ));
    }
    Ok(image)
}

fn parse_svg(bytes: &[u8]) -> Result<Tree, String> {
    let mut options = Options {
        font_family: "Noto Sans".into(),
        image_href_resolver: ImageHrefResolver {
            // Only images inside the file itself: never read a path on the server.
            resolve_string: Box::new(|_, _| None),
            resolve_data: Box::new(|_mime, data, _| embedded_image(data)),
        },
        ..Options::default()
    };
    // Text in the logo uses our font; the server's own fonts are never loaded.
    let db = options.fontdb_mut();
    db.load_font_data(fonts::regular_data().to_vec());
    db.set_sans_serif_family("Noto Sans");
    let tree = Tree::from_data(bytes, &options).map_err(|e| format!("the SVG is invalid ({e})"))?;
    // Filters are rasterised at draw time, at a cost set by the file: refuse them.
    if !tree.filters().is_empty() {
        return Err("SVG filters (blur, shadows…) are not supported in a logo".into());
    }
    Ok(tree)
}

/// PNG or JPEG images embedded as data URLs, within the pixel limits; no nested SVG.
fn embedded_image(data: Arc<Vec<u8>>) -> Option<ImageKind> {
    let format = ImageFormat::sniff(&data)?;
    let probe: Data = data.clone().into();
    let ok = match format {
        ImageFormat::Png => checked(Image::from_png(probe, true)).is_ok(),
        ImageFormat::Jpeg => checked(Image::from_jpeg(probe, true)).is_ok(),
        ImageFormat::Svg => false,
    };
    match (ok, format) {
        (true, ImageFormat::Png) => Some(ImageKind::PNG(data)),
        (true, ImageFormat::Jpeg) => Some(ImageKind::JPEG(data)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_formats_by_content() {
        assert_eq!(
            ImageFormat::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            ImageFormat::sniff(b"\xEF\xBB\xBF  <?xml version=\"1.0\"?><svg/>"),
            Some(ImageFormat::Svg)
        );
        assert_eq!(ImageFormat::sniff(b"\x1f\x8b gzip"), None);
        assert_eq!(ImageFormat::sniff(b"<html>"), None);
    }

    #[test]
    fn damaged_images_are_clear_errors() {
        let err = |b: &[u8]| Picture::decode(b).err().unwrap_or_default();
        assert!(err(b"not an image").contains("not a PNG"));
        // A PNG signature and nothing after it.
        assert!(err(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").contains("cannot be read"));
        assert!(err(b"<svg xmlns='http://www.w3.org/2000/svg'").contains("SVG is invalid"));
        let filter = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><filter id="b"><feGaussianBlur stdDeviation="5"/></filter><rect width="10" height="10" filter="url(#b)"/></svg>"#;
        assert!(err(filter).contains("filters"));
    }

    #[test]
    fn an_svg_logo_never_reads_server_files() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="10"><image width="10" height="10" xlink:href="/etc/hostname"/><rect width="5" height="5"/></svg>"#;
        let Ok(Picture::Vector(tree)) = Picture::decode(svg) else {
            panic!("a plain SVG decodes");
        };
        // The <image> pointing at a file is dropped; the rectangle stays.
        assert_eq!(tree.root().children().len(), 1);
        assert_eq!(Picture::Vector(tree).fit(40.0, 40.0), (40.0, 20.0));
    }
}
