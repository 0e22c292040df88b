//! The printed labels, from `templates/posters/texts.toml` (Handlebars strings, FR and EN).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use handlebars::Handlebars;
use serde_json::Value;

use crate::templates::Lang;

static SOURCE: &str = include_str!("../../../../templates/posters/texts.toml");

/// Every label key; the test checks that both languages have exactly these.
pub(crate) const KEYS: [&str; 9] = [
    "call_to_action",
    "scan_or_visit",
    "deadline",
    "missions_heading",
    "more_one",
    "more_many",
    "only_link",
    "ask_me",
    "flyer_scan",
];

static LABELS: LazyLock<Result<Handlebars<'static>, String>> = LazyLock::new(load);

fn load() -> Result<Handlebars<'static>, String> {
    let table: BTreeMap<String, BTreeMap<String, String>> =
        toml::from_str(SOURCE).map_err(|e| format!("templates/posters/texts.toml: {e}"))?;
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    // PDF text is drawn glyph by glyph: there is no markup to escape, and escaping
    // would print "&amp;" on the poster.
    hb.register_escape_fn(handlebars::no_escape);
    for lang in Lang::ALL {
        let texts = table
            .get(lang.as_str())
            .ok_or_else(|| format!("texts.toml has no [{}] table", lang.as_str()))?;
        for key in KEYS {
            let source = texts
                .get(key)
                .ok_or_else(|| format!("texts.toml [{}] lacks {key}", lang.as_str()))?;
            hb.register_template_string(&name(lang, key), source)
                .map_err(|e| format!("texts.toml [{}] {key}: {e}", lang.as_str()))?;
        }
    }
    Ok(hb)
}

fn name(lang: Lang, key: &str) -> String {
    format!("{}.{key}", lang.as_str())
}

/// Renders the label `key` in `lang` with `data`.
pub(crate) fn label(lang: Lang, key: &str, data: &Value) -> Result<String, String> {
    let hb = LABELS.as_ref().map_err(Clone::clone)?;
    hb.render(&name(lang, key), data)
        .map_err(|e| format!("poster label {key}: {e}"))
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]
    use serde_json::json;

    use super::*;

    #[test]
    fn both_languages_have_every_label_and_nothing_else() {
        let table: BTreeMap<String, BTreeMap<String, String>> = toml::from_str(SOURCE).unwrap();
        for lang in Lang::ALL {
            let keys: Vec<&str> = table[lang.as_str()].keys().map(String::as_str).collect();
            let mut expected = KEYS.to_vec();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{}", lang.as_str());
        }
    }

    #[test]
    fn labels_render_without_escaping_and_strictly() {
        let data = json!({"name": "Zoé <Dupont> & co", "count": 31, "link": "d.example/c/x", "deadline": "1 juin"});
        assert_eq!(
            label(Lang::Fr, "ask_me", &data).unwrap(),
            "Parlez-m'en —\nZoé <Dupont> & co"
        );
        assert_eq!(
            label(Lang::En, "more_many", &data).unwrap(),
            "and 31 more missions: see d.example/c/x"
        );
        assert!(label(Lang::Fr, "deadline", &json!({})).is_err());
    }
}
