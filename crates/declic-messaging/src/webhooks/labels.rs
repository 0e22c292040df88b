//! The few words of a webhook message that Declic writes itself, in French and English.
//!
//! Three short strings: constants read more simply than a TOML file and a loader, and the
//! compiler checks that both languages have each of them.

use crate::templates::Lang;

/// Labels of one language.
pub(crate) struct Labels {
    /// The button, when the caller gives none.
    pub(crate) button: &'static str,
    /// Before the link in the plain-text fallback (notifications, screen readers, old clients).
    pub(crate) fallback_link: &'static str,
    /// Between the title and `fallback_link`.
    pub(crate) separator: &'static str,
}

const FR: Labels = Labels {
    button: "Découvrir les missions",
    fallback_link: "Découvrir les missions et s’inscrire :",
    separator: " — ",
};

const EN: Labels = Labels {
    button: "See the missions",
    fallback_link: "See the missions and sign up:",
    separator: " — ",
};

/// The labels in `lang`.
pub(crate) fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}
