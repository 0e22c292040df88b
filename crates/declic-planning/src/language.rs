//! The two languages Declic speaks to HR teams and colleagues.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::parse::ParseEnumError;

/// Language of labels and messages; French by default because Declic's users are French companies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// French.
    #[default]
    Fr,
    /// English.
    En,
}

impl Language {
    /// Every supported language.
    pub const ALL: [Language; 2] = [Language::Fr, Language::En];

    /// The lowercase ISO 639-1 code, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
        }
    }

    /// Returns whichever of the two texts is written in this language.
    pub fn pick<'a>(&self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Fr => fr,
            Language::En => en,
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Language {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let normalized = s.trim().to_lowercase();
        // Only the primary subtag matters: "fr-FR", "fr_CA" and "en-GB" name the same texts.
        let primary = normalized.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "fr" | "fra" | "fre" | "français" | "francais" | "french" => Ok(Language::Fr),
            "en" | "eng" | "english" | "anglais" => Ok(Language::En),
            _ => Err(ParseEnumError::new("language", s, vec!["fr", "en"])),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::value::{Error as DeError, StrDeserializer};

    use super::*;

    #[test]
    fn parses_codes_tags_and_names() {
        for input in [
            "fr",
            "FR",
            "fr-FR",
            "fr_CA",
            "français",
            "FRANÇAIS",
            "francais",
            "French",
            " fr ",
        ] {
            assert_eq!(input.parse::<Language>(), Ok(Language::Fr), "{input}");
        }
        for input in [
            "en", "EN", "en-GB", "en_US", "english", "English", "anglais",
        ] {
            assert_eq!(input.parse::<Language>(), Ok(Language::En), "{input}");
        }
    }

    #[test]
    fn rejects_other_languages_with_a_clear_message() {
        let err = "de-DE"
            .parse::<Language>()
            .expect_err("German is not supported");
        assert_eq!(
            err.to_string(),
            "unknown language \"de-DE\"; expected one of: fr, en"
        );
        assert!("".parse::<Language>().is_err());
    }

    #[test]
    fn defaults_to_french_and_round_trips_as_str() {
        assert_eq!(Language::default(), Language::Fr);
        for language in Language::ALL {
            assert_eq!(language.as_str().parse::<Language>(), Ok(language));
            assert_eq!(language.to_string(), language.as_str());
        }
    }

    #[test]
    fn deserialises_from_lowercase_codes() {
        let parsed = Language::deserialize(StrDeserializer::<DeError>::new("en"));
        assert_eq!(parsed, Ok(Language::En));
        assert!(Language::deserialize(StrDeserializer::<DeError>::new("En")).is_err());
    }

    #[test]
    fn picks_the_matching_text() {
        assert_eq!(Language::Fr.pick("bonjour", "hello"), "bonjour");
        assert_eq!(Language::En.pick("bonjour", "hello"), "hello");
    }
}
