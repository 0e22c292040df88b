//! poppler-utils and zbar-tools, driven on files in a temporary folder.

use std::path::Path;
use std::process::Command;

/// The command-line tools the poster tests read PDFs with.
pub struct PdfTools {
    dir: tempfile::TempDir,
}

/// The tools, or `None` (with a notice) when they are not installed and
/// `DECLIC_TEST_POSTERS=1` does not require them.
pub fn pdf_tools() -> Option<PdfTools> {
    let missing: Vec<&str> = ["pdftoppm", "pdftotext", "pdfinfo", "pdfimages", "zbarimg"]
        .into_iter()
        .filter(|tool| Command::new(tool).arg("-h").output().is_err())
        .collect();
    if missing.is_empty() {
        return Some(PdfTools {
            dir: tempfile::tempdir().unwrap(),
        });
    }
    let hint = "apt-get install -y poppler-utils zbar-tools";
    if std::env::var("DECLIC_TEST_POSTERS").as_deref() == Ok("1") {
        panic!("DECLIC_TEST_POSTERS=1 but {missing:?} not found: {hint}");
    }
    eprintln!("notice: skipping PDF checks, {missing:?} not found ({hint})");
    None
}

impl PdfTools {
    fn write(&self, pdf: &[u8]) -> std::path::PathBuf {
        let path = self
            .dir
            .path()
            .join(format!("{}.pdf", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, pdf).unwrap();
        path
    }

    /// The QR code found on each page, in page order (rasterised at 150 dpi).
    pub fn qr_codes(&self, pdf: &[u8]) -> Vec<String> {
        let file = self.write(pdf);
        let prefix = file.with_extension("");
        run(
            "pdftoppm",
            &["-r", "150", "-png", path(&file), path(&prefix)],
        );
        let stem = prefix.file_name().unwrap().to_str().unwrap().to_owned();
        let mut pages: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_str().unwrap();
                name.starts_with(&format!("{stem}-")) && name.ends_with(".png")
            })
            .collect();
        // pdftoppm pads page numbers to the same width, so names sort in page order.
        pages.sort();
        assert!(!pages.is_empty(), "pdftoppm made no image");
        pages
            .iter()
            .map(|page| {
                // QR codes only: other symbologies misread text and rules as barcodes.
                let out = run(
                    "zbarimg",
                    &["--raw", "-q", "-Sdisable", "-Sqrcode.enable", path(page)],
                );
                let codes: Vec<&str> = out.lines().filter(|l| !l.is_empty()).collect();
                assert_eq!(
                    codes.len(),
                    1,
                    "one QR code per page, found {codes:?} on {page:?}"
                );
                codes[0].to_owned()
            })
            .collect()
    }

    /// The text layer, as `pdftotext` extracts it (UTF-8).
    pub fn text(&self, pdf: &[u8]) -> String {
        run("pdftotext", &["-enc", "UTF-8", path(&self.write(pdf)), "-"])
    }

    /// `pdfinfo`'s report (fails the test when the file is not a valid PDF).
    pub fn info(&self, pdf: &[u8]) -> String {
        run("pdfinfo", &[path(&self.write(pdf))])
    }

    /// `pdfimages -list`: the embedded raster images.
    pub fn images(&self, pdf: &[u8]) -> String {
        run("pdfimages", &["-list", path(&self.write(pdf))])
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs a tool, asserting success; returns its standard output.
fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
