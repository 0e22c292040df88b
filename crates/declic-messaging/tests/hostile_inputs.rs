//! The parsers that take what an HR user types or uploads, fed generated hostile input
//! (property tests standing in for fuzz targets: the workspace's toolchain is stable):
//! an organisation's own mail wording, its Slack and Teams post templates, and logo
//! files. Each answers a list of problems or a value, never a panic. Case counts are
//! bounded for CI; `PROPTEST_CASES` raises them.

use declic_messaging::Lang;
use declic_messaging::posters::check_image;
use declic_messaging::templates::{CompiledCustom, CustomTemplate, MessageKind};
use declic_messaging::webhooks::{PostTemplate, WebhookPlatform};
use proptest::prelude::*;

/// Template-ish text: Handlebars syntax, HTML, JSON and plain characters mixed.
fn templateish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{{".to_owned()),
        Just("}}".to_owned()),
        Just("{{{".to_owned()),
        Just("{{#if ".to_owned()),
        Just("{{/if}}".to_owned()),
        Just("{{#each missions}}".to_owned()),
        Just("{{/each}}".to_owned()),
        Just("{{> layout}}".to_owned()),
        Just("{{mrkdwn key_message}}".to_owned()),
        Just("{{campaign_url}}".to_owned()),
        Just("{{manage_url}}".to_owned()),
        Just("{{../../x}}".to_owned()),
        Just("<script>".to_owned()),
        Just("\"".to_owned()),
        Just("{\"blocks\":[".to_owned()),
        Just("]}".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{202e}".to_owned()),
        "[a-z _.]{0,12}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn kinds() -> impl Strategy<Value = MessageKind> {
    prop::sample::select(MessageKind::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn own_mail_wording_is_checked_never_panics(
        kind in kinds(),
        en in any::<bool>(),
        subject in templateish(),
        text in templateish(),
        html in templateish(),
    ) {
        let lang = if en { Lang::En } else { Lang::Fr };
        let t = CustomTemplate { subject, text, html };
        if let Err(errors) = CompiledCustom::check(kind, lang, &t) {
            prop_assert!(!errors.is_empty());
        }
    }

    #[test]
    fn own_post_templates_are_checked_never_panics(
        teams in any::<bool>(),
        en in any::<bool>(),
        source in templateish(),
    ) {
        let platform = if teams { WebhookPlatform::Teams } else { WebhookPlatform::Slack };
        let lang = if en { Lang::En } else { Lang::Fr };
        if let Err(errors) = PostTemplate::check(platform, lang, &source) {
            prop_assert!(!errors.is_empty());
        }
    }

    #[test]
    fn logo_files_are_checked_never_panics(
        prefix in prop::sample::select(vec![
            b"\x89PNG\r\n\x1a\n".to_vec(),
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"".to_vec(),
            b"<?xml version=\"1.0\"?><svg".to_vec(),
            Vec::new(),
        ]),
        rest in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = prefix;
        bytes.extend(rest);
        let _ = check_image(&bytes);
    }
}

#[test]
fn a_hostile_svg_logo_is_refused_or_tamed() {
    // Entity expansion, external references, scripts: refused or rendered inert.
    for svg in [
        r#"<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;&c;&c;</text></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="file:///etc/passwd" width="10" height="10"/></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="1" height="1"/></svg>"#,
    ] {
        let _ = check_image(svg.as_bytes());
    }
    assert!(check_image(b"").is_err());
}
