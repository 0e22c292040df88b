//! Turning the file's bytes into text, and finding the field separator.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The file as text, and the encoding it was read with.
pub(crate) struct Decoded<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) encoding: &'static str,
}

/// Decodes `bytes`: BOM first, then valid UTF-8, else Windows-1252.
///
/// Windows-1252 is the fallback because it is what French Excel writes for "CSV
/// (séparateur : point-virgule)", and every byte sequence decodes under it. A Windows-1252
/// file whose accented bytes happen to form valid UTF-8 is misread as UTF-8; with real
/// names that practically never happens.
pub(crate) fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, UTF_16LE, "utf-16le");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, UTF_16BE, "utf-16be");
    }
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        // The BOM says UTF-8 even if some bytes are broken: keep the rest readable.
        return Decoded {
            text: String::from_utf8_lossy(rest),
            encoding: "utf-8",
        };
    }
    // BOM-less UTF-16 is valid UTF-8 (full of NULs), so it must be caught before; a header
    // starting with two ASCII characters gives it away.
    if let [a, b, c, d, ..] = bytes {
        if *a != 0 && *b == 0 && *c != 0 && *d == 0 {
            return utf16(bytes, UTF_16LE, "utf-16le");
        }
        if *a == 0 && *b != 0 && *c == 0 && *d != 0 {
            return utf16(bytes, UTF_16BE, "utf-16be");
        }
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: Cow::Borrowed(text),
            encoding: "utf-8",
        },
        Err(_) => Decoded {
            text: WINDOWS_1252.decode_without_bom_handling(bytes).0,
            encoding: "windows-1252",
        },
    }
}

fn utf16<'a>(bytes: &'a [u8], encoding: &'static Encoding, name: &'static str) -> Decoded<'a> {
    // Malformed sequences become U+FFFD; the affected rows then fail validation visibly.
    Decoded {
        text: encoding.decode_without_bom_handling(bytes).0,
        encoding: name,
    }
}

/// Separator and where the CSV proper starts in the decoded text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) separator: u8,
    /// Byte offset of the first line the CSV reader must see (after an Excel `sep=` line).
    pub(crate) body_start: usize,
}

/// Candidates in tie-break order: on equal counts the earlier one wins.
const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// Finds the separator from the first non-blank line.
///
/// An Excel `sep=X` line is obeyed and skipped. Otherwise the candidate occurring most
/// often outside quotes in the header line wins, comma when none occurs (one-column file).
pub(crate) fn sniff(text: &str) -> Layout {
    let bytes = text.as_bytes();
    let mut start = 0;
    // Skip leading blank lines, as the CSV reader will.
    while let Some(len) = bytes[start..].iter().position(|b| *b == b'\n') {
        if !text[start..start + len].trim().is_empty() {
            break;
        }
        start += len + 1;
    }
    let line_end = bytes[start..]
        .iter()
        .position(|b| matches!(b, b'\n' | b'\r'))
        .map_or(bytes.len(), |len| start + len);
    if let Some(separator) = sep_directive(&text[start..line_end]) {
        let next = bytes[line_end..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |len| line_end + len + 1);
        return Layout {
            separator,
            body_start: next,
        };
    }

    let mut counts = [0usize; CANDIDATES.len()];
    let mut quoted = false;
    for &b in &bytes[start..] {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|c| *c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..CANDIDATES.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    Layout {
        separator: CANDIDATES[best],
        body_start: 0,
    }
}

/// Reads Excel's `sep=;` hint line.
fn sep_directive(line: &str) -> Option<u8> {
    let line = line.trim_matches(|c: char| c == ' ');
    let (key, value) = line.split_at_checked(4)?;
    match value.as_bytes() {
        [sep]
            if key.eq_ignore_ascii_case("sep=")
                && (sep.is_ascii_punctuation() || *sep == b'\t')
                && *sep != b'"' =>
        {
            Some(*sep)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_encodings() {
        let d = decode("Prénom".as_bytes());
        assert_eq!((d.encoding, &*d.text), ("utf-8", "Prénom"));
        let d = decode(b"\xEF\xBB\xBFPr\xC3\xA9nom");
        assert_eq!((d.encoding, &*d.text), ("utf-8", "Prénom"));
        let d = decode(b"Pr\xE9nom");
        assert_eq!((d.encoding, &*d.text), ("windows-1252", "Prénom"));
        let le: Vec<u8> = "\u{feff}Prénom"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let d = decode(&le);
        assert_eq!((d.encoding, &*d.text), ("utf-16le", "Prénom"));
        let be: Vec<u8> = "Prénom".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let d = decode(&be);
        assert_eq!((d.encoding, &*d.text), ("utf-16be", "Prénom"));
    }

    #[test]
    fn sniffs_separators() {
        let sep = |t: &str| sniff(t).separator;
        assert_eq!(sep("email,nom,prenom\n"), b',');
        assert_eq!(sep("email;nom;prenom\r\na,b;c;d"), b';');
        assert_eq!(sep("email\tnom\tprenom"), b'\t');
        assert_eq!(sep("\n  \nemail;nom\n"), b';');
        // Commas inside the quoted header do not count.
        assert_eq!(sep("\"Nom, prénom\";email\n"), b';');
        assert_eq!(sep("email\n"), b',');
        assert_eq!(sep(""), b',');
    }

    #[test]
    fn obeys_excel_sep_line() {
        assert_eq!(
            sniff("sep=;\r\nemail,nom\n"),
            Layout {
                separator: b';',
                body_start: 7
            }
        );
        assert_eq!(
            sniff("SEP=|\nemail|nom"),
            Layout {
                separator: b'|',
                body_start: 6
            }
        );
        assert_eq!(sniff("sep=\nemail,nom").body_start, 0);
    }
}
