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
            Some(format @ (ImageFormat::Png | ImageFormat::Jpeg)) => {
                Self::Raster(raster(bytes, data, format)?)
            }
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

/// Decodes a PNG or JPEG, once its header says its size is within the limits: the
/// decoder allocates what the header claims, so a 73-byte file claiming 4 784 128×260
/// pixels would cost 3.7 GB (found by the `logo` fuzz target).
fn raster(bytes: &[u8], data: Data, format: ImageFormat) -> Result<Image, String> {
    let (w, h) =
        header_size(bytes, format).ok_or("the image cannot be read (its header gives no size)")?;
    within_limits(w, h)?;
    let image = match format {
        ImageFormat::Png => Image::from_png(data, true),
        _ => Image::from_jpeg(data, true),
    }
    .map_err(|e| format!("the image cannot be read ({e})"))?;
    let (w, h) = image.size();
    within_limits(w, h)?;
    Ok(image)
}

fn within_limits(w: u32, h: u32) -> Result<(), String> {
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS
    {
        return Err(format!(
            "the image is {w}×{h} pixels; use at most {MAX_SIDE} on each side"
        ));
    }
    Ok(())
}

/// Width and height as the file's header declares them, read without decoding: a PNG's
/// IHDR chunk (always first), a JPEG's first start-of-frame segment.
fn header_size(bytes: &[u8], format: ImageFormat) -> Option<(u32, u32)> {
    let be16 = |i: usize| Some(u16::from_be_bytes([*bytes.get(i)?, *bytes.get(i + 1)?]));
    let be32 = |i: usize| Some(u32::from_be_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    match format {
        ImageFormat::Png => {
            (bytes.get(12..16)? == b"IHDR").then_some(())?;
            Some((be32(16)?, be32(20)?))
        }
        ImageFormat::Jpeg => {
            let mut i = 2;
            loop {
                // A marker: 0xFF (fill bytes may repeat it), then its code.
                if *bytes.get(i)? != 0xFF {
                    return None;
                }
                while *bytes.get(i)? == 0xFF {
                    i += 1;
                }
                let marker = *bytes.get(i)?;
                i += 1;
                match marker {
                    // Markers without a segment.
                    0x01 | 0xD0..=0xD8 => continue,
                    // End of image or start of scan before any frame: no size.
                    0xD9 | 0xDA => return None,
                    // Start of frame (every kind but DHT, JPG and DAC): precision, then
                    // height and width.
                    0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                        let h = be16(i + 3)?;
                        let w = be16(i + 5)?;
                        return Some((u32::from(w), u32::from(h)));
                    }
                    _ => {
                        let len = usize::from(be16(i)?);
                        if len < 2 {
                            return None;
                        }
                        i += len;
                    }
                }
            }
        }
        ImageFormat::Svg => None,
    }
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
    let ok = format != ImageFormat::Svg && raster(&data, probe, format).is_ok();
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
    fn a_header_claiming_huge_sizes_is_refused_before_decoding() {
        // The fuzz target's find: 73 bytes whose IHDR claims 4 784 128 × 260 pixels.
        let png: &[u8] = &[
            0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
            0x44, 0x52, 0x00, 0x49, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x08, 0x02, 0x00, 0x00,
            0x00, 0x2e, 0x93, 0x09, 0x29, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78,
            0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x47, 0x0c, 0xc4, 0x71, 0x00, 0xae, 0x93, 0x0f,
            0xf1, 0xd0, 0x5f, 0x23, 0x9e, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
            0x42, 0x60, 0x82,
        ];
        let err = Picture::decode(png).err().unwrap_or_default();
        assert!(err.contains("4784128×260"), "{err}");
        // A JPEG whose frame claims 65 535 × 65 535.
        let jpeg: &[u8] = &[
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xFF, 0xC0, 0x00, 0x0B, 0x08,
            0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x01, 0x11, 0x00,
        ];
        let err = Picture::decode(jpeg).err().unwrap_or_default();
        assert!(err.contains("65535×65535"), "{err}");
        assert_eq!(header_size(jpeg, ImageFormat::Jpeg), Some((65535, 65535)));
        assert_eq!(header_size(&jpeg[..12], ImageFormat::Jpeg), None);
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
