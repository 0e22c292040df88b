//! Cleaning of free-text cells (names, department, site) and of the language cell.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Longest accepted text field, in characters.
pub(crate) const MAX_TEXT_CHARS: usize = 200;
/// Detail of [`crate::RejectReason::InvalidField`] for a field over [`MAX_TEXT_CHARS`].
pub(crate) const DETAIL_TOO_LONG: &str = "is longer than 200 characters";
/// Detail of [`crate::RejectReason::InvalidField`] for a field with control characters.
pub(crate) const DETAIL_CONTROL_CHARS: &str = "contains control characters";

/// Trims, collapses whitespace runs to one space and NFC-normalises a text cell.
///
/// `Ok(None)` for an empty cell; `Err(detail)` when the value cannot be stored.
/// Line breaks and tabs are whitespace here, so a name split over two lines in a quoted
/// cell becomes "Jean Pierre" rather than a rejection; other control characters (and bidi
/// overrides, which can disguise a name in emails) are refused.
pub(crate) fn clean_text(raw: &str) -> Result<Option<String>, &'static str> {
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        return Ok(None);
    }
    if out.chars().any(is_forbidden) {
        return Err(DETAIL_CONTROL_CHARS);
    }
    // Most cells are already NFC; the quick check spares an allocation for them.
    if is_nfc_quick(out.chars()) != IsNormalized::Yes {
        out = out.nfc().collect();
    }
    if out.chars().count() > MAX_TEXT_CHARS {
        return Err(DETAIL_TOO_LONG);
    }
    Ok(Some(out))
}

/// Control characters plus the bidirectional embedding/override/isolate controls:
/// never accepted in a name, whichever way it comes (import or sign-up form).
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Normalises a language cell to `"fr"` or `"en"`.
///
/// `Ok(None)` when empty, `Err(())` for anything not recognisably French or English.
/// Accepts language tags whose primary subtag is fr/en (`fr-FR`, `en_GB`), the ISO 639-2
/// codes, and the language names in English and French with or without accents.
pub(crate) fn normalize_language(raw: &str) -> Result<Option<&'static str>, ()> {
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let primary = value.split(['-', '_']).next().unwrap_or(value);
    for (codes, names, lang) in [
        (&["fr", "fra", "fre"][..], ["francais", "french"], "fr"),
        (&["en", "eng"][..], ["anglais", "english"], "en"),
    ] {
        if codes.iter().any(|c| primary.eq_ignore_ascii_case(c))
            || names.iter().any(|n| folds_to(value, n))
        {
            return Ok(Some(lang));
        }
    }
    Err(())
}

/// Whether `value` equals the lowercase ASCII `target` once case and accents are ignored,
/// without allocating.
fn folds_to(value: &str, target: &str) -> bool {
    value
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .eq(target.chars())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_and_normalises() {
        assert_eq!(
            clean_text("  Jean \n\t Pierre  "),
            Ok(Some("Jean Pierre".into()))
        );
        assert_eq!(
            clean_text("Jean\u{a0}Pierre"),
            Ok(Some("Jean Pierre".into()))
        );
        assert_eq!(clean_text("   "), Ok(None));
        // "e" + combining acute becomes the precomposed "é".
        assert_eq!(clean_text("Ele\u{301}na"), Ok(Some("El\u{e9}na".into())));
    }

    #[test]
    fn refuses_control_chars_and_long_names() {
        assert_eq!(clean_text("Jean\u{0}"), Err(DETAIL_CONTROL_CHARS));
        assert_eq!(clean_text("\u{202E}nimda"), Err(DETAIL_CONTROL_CHARS));
        assert_eq!(clean_text(&"é".repeat(200)).map(|s| s.is_some()), Ok(true));
        assert_eq!(clean_text(&"é".repeat(201)), Err(DETAIL_TOO_LONG));
    }

    #[test]
    fn languages() {
        for fr in [
            "fr",
            "FR",
            "fr-FR",
            "fr_be",
            "français",
            "Francais",
            "FRENCH",
            "fra",
        ] {
            assert_eq!(normalize_language(fr), Ok(Some("fr")), "{fr}");
        }
        for en in ["en", "EN", "en-GB", "en-US", "english", "Anglais", " eng "] {
            assert_eq!(normalize_language(en), Ok(Some("en")), "{en}");
        }
        assert_eq!(normalize_language("  "), Ok(None));
        for bad in ["de", "Deutsch", "f", "frr", "français (France)"] {
            assert_eq!(normalize_language(bad), Err(()), "{bad}");
        }
    }
}
