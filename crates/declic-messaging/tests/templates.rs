//! Every message renders in both languages; strict mode, escaping and header safety hold.
#![expect(clippy::unwrap_used, reason = "tests")]

use declic_messaging::{Lang, MessageKind, MessageTemplates, sample_data, sample_data_for};
use serde_json::{Value, json};

fn templates() -> MessageTemplates {
    MessageTemplates::load().unwrap()
}

#[test]
fn every_message_renders_in_both_languages() {
    let t = templates();
    for kind in MessageKind::ALL {
        for lang in Lang::ALL {
            let data = sample_data_for(kind, lang);
            let r = t
                .render(kind, lang, &data)
                .unwrap_or_else(|e| panic!("{kind:?} {lang:?}: {e}"));
            let what = format!("{kind:?}/{lang:?}");
            assert!(!r.subject.is_empty(), "{what}: empty subject");
            assert!(!r.subject.contains(['\r', '\n']), "{what}: {:?}", r.subject);
            let manage = data["manage_url"].as_str().unwrap();
            assert!(r.text.contains(manage), "{what}: text lacks manage_url");
            assert!(
                r.html.contains(&format!("href=\"{manage}\"")),
                "{what}: html lacks the manage_url link"
            );
            let label = match (lang, kind.as_str().split('_').next()) {
                (_, Some("admin" | "domain")) => "Console Declic",
                (Lang::Fr, Some("ambassador")) => "Ma page d’ambassadeur",
                (Lang::En, Some("ambassador")) => "My ambassador page",
                (Lang::Fr, Some("campaign")) => "Ne plus recevoir ces annonces",
                (Lang::En, Some("campaign")) => "Stop these announcements",
                (Lang::Fr, Some("evaluation" | "impact")) => "Ne plus recevoir ces messages",
                (Lang::En, Some("evaluation" | "impact")) => "Stop these messages",
                (Lang::Fr, _) => "Gérer mes inscriptions",
                (Lang::En, _) => "Manage my registrations",
            };
            assert!(r.text.contains(label) && r.html.contains(label), "{what}");
            let html_lang = format!("<html lang=\"{}\">", lang.as_str());
            assert!(r.html.contains(&html_lang), "{what}");
            for body in [&r.subject, &r.text, &r.html] {
                assert!(!body.contains("{{") && !body.contains("}}"), "{what}");
            }
            // No external resources, no scripts: the HTML is self-contained.
            for banned in ["<script", "<img", "<link", "src="] {
                assert!(!r.html.contains(banned), "{what}: has {banned}");
            }
            if let Some(title) = data.pointer("/mission/title").and_then(Value::as_str) {
                assert!(
                    r.text.contains(title),
                    "{what}: text lacks the mission title"
                );
            }
        }
    }
}

#[test]
fn every_contract_key_is_required() {
    // Strict mode both ways: each top-level key of the sample data is used, and dropping it
    // fails rendering instead of leaving a blank. `first_name` and `deadline_text` (a
    // campaign without a closing date) are the optional keys, with the flags of
    // evaluation mails, of a cancellation by the organisers and of a mission change to
    // someone with an offer (absent is false), the unsubscribe link of an evaluation mail
    // (association contacts are not employees and have none), HR's optional note and the
    // colleague whose link brought a registration (most come on their own).
    let optional = |kind: MessageKind, key: &str| {
        matches!(
            key,
            "first_name" | "deadline_text" | "ambassador_first_name"
        ) || matches!(
            (kind, key),
            (
                MessageKind::EvaluationInvitation | MessageKind::EvaluationReminder,
                "anonymous" | "for_association" | "manage_url"
            ) | (MessageKind::ImpactSummary, "note")
                | (MessageKind::CancellationAck, "by_organiser")
                | (MessageKind::MissionChanged, "seated")
        )
    };
    let t = templates();
    for kind in MessageKind::ALL {
        let data = sample_data(kind);
        for key in data.as_object().unwrap().keys() {
            if optional(kind, key) {
                continue;
            }
            let mut partial = data.clone();
            partial.as_object_mut().unwrap().remove(key);
            let err = t.render(kind, Lang::Fr, &partial).err();
            assert!(err.is_some(), "{kind:?} renders without {key}");
        }
    }
}

#[test]
fn a_missing_nested_key_fails() {
    let t = templates();
    let mut data = sample_data(MessageKind::SeatConfirmed);
    data["mission"]
        .as_object_mut()
        .unwrap()
        .remove("place_text");
    let err = t
        .render(MessageKind::SeatConfirmed, Lang::En, &data)
        .unwrap_err();
    assert!(err.to_string().contains("seat_confirmed/"), "{err}");
}

#[test]
fn an_empty_first_name_gives_a_plain_greeting() {
    let t = templates();
    let mut data = sample_data(MessageKind::Waitlisted);
    data["first_name"] = json!("");
    let fr = t.render(MessageKind::Waitlisted, Lang::Fr, &data).unwrap();
    assert!(fr.text.starts_with("Bonjour,\n"), "{}", fr.text);
    let en = t.render(MessageKind::Waitlisted, Lang::En, &data).unwrap();
    assert!(en.text.starts_with("Hello,\n"), "{}", en.text);
}

#[test]
fn html_is_escaped_and_text_is_not() {
    let t = templates();
    let mut data = sample_data(MessageKind::SeatConfirmed);
    data["first_name"] = json!("<script>alert(\"x\")</script> & Co");
    let r = t
        .render(MessageKind::SeatConfirmed, Lang::Fr, &data)
        .unwrap();
    assert!(!r.html.contains("<script>"), "{}", r.html);
    assert!(
        r.html
            .contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co")
    );
    assert!(
        r.text.contains("<script>alert(\"x\")</script> & Co"),
        "{}",
        r.text
    );
}

#[test]
fn the_subject_stays_on_one_line() {
    let t = templates();
    let mut data = sample_data(MessageKind::ConfirmRegistration);
    data["campaign_title"] = json!("Semaine\r\nBcc: victim@example.org\n\rX: y");
    for lang in Lang::ALL {
        let r = t
            .render(MessageKind::ConfirmRegistration, lang, &data)
            .unwrap();
        assert!(!r.subject.contains(['\r', '\n']), "{:?}", r.subject);
        assert!(
            r.subject.ends_with("Semaine Bcc: victim@example.org X: y"),
            "{:?}",
            r.subject
        );
    }
}

#[test]
fn subjects_read_well() {
    let t = templates();
    let data = sample_data(MessageKind::ConfirmRegistration);
    let fr = t
        .render(MessageKind::ConfirmRegistration, Lang::Fr, &data)
        .unwrap();
    assert_eq!(
        fr.subject,
        "Confirmez votre inscription — Semaine de l'engagement 2025"
    );
    let data = sample_data_for(MessageKind::ConfirmRegistration, Lang::En);
    let en = t
        .render(MessageKind::ConfirmRegistration, Lang::En, &data)
        .unwrap();
    assert_eq!(
        en.subject,
        "Confirm your registration — Engagement Week 2025"
    );
    let data = sample_data(MessageKind::DuoInvitation);
    let duo = t
        .render(MessageKind::DuoInvitation, Lang::Fr, &data)
        .unwrap();
    assert_eq!(duo.subject, "Karim aimerait faire cette mission avec vous");
}

#[test]
fn confirmation_lists_the_ranked_choices_and_says_it_is_pending() {
    let t = templates();
    let data = sample_data(MessageKind::ConfirmRegistration);
    let r = t
        .render(MessageKind::ConfirmRegistration, Lang::Fr, &data)
        .unwrap();
    let first = r.text.find("1. Revoir le plan").unwrap();
    let second = r.text.find("2. Trier les collectes").unwrap();
    assert!(first < second);
    assert!(r.text.contains("reste en attente"));
    assert!(r.text.contains("Ce lien est valable 48 heures."));
    assert!(
        r.html
            .contains("href=\"https://declic.example.org/confirm/Yt6pR2mQ9s\"")
    );
}

#[test]
fn the_confidentiality_note_shows_only_when_set() {
    let t = templates();
    let mut data = sample_data(MessageKind::SeatConfirmed);
    let with = t
        .render(MessageKind::SeatConfirmed, Lang::Fr, &data)
        .unwrap();
    assert!(with.text.contains("À noter : Les chiffres"));
    assert!(with.text.contains("invite.ics"));
    data["mission"]["confidentiality_note"] = json!("");
    let without = t
        .render(MessageKind::SeatConfirmed, Lang::Fr, &data)
        .unwrap();
    assert!(!without.text.contains("À noter"));
    assert!(!without.html.contains("À noter"));
}

#[test]
fn per_message_values_appear() {
    let t = templates();
    let cases = [
        (MessageKind::Waitlisted, "n° 3 sur la liste d’attente"),
        (
            MessageKind::SeatOffered,
            "https://declic.example.org/claim/Hn4cV8bLs0",
        ),
        (MessageKind::SeatOffered, "avant le 20 mars 2025 à 12 h 00"),
        (MessageKind::MissionReminder, "demain"),
        (
            MessageKind::DuoInvitation,
            "https://declic.example.org/duo/Qe7uJ5kWz2",
        ),
        (MessageKind::DuoPartnerWaitlisted, "Sofia a répondu"),
        (
            MessageKind::DuoPartnerWaitlisted,
            "/duo/Mv2sT9gPa6/waitlist",
        ),
        (MessageKind::CancellationAck, "annulation"),
    ];
    for (kind, needle) in cases {
        let r = t.render(kind, Lang::Fr, &sample_data(kind)).unwrap();
        assert!(
            r.text.contains(needle),
            "{kind:?} lacks {needle:?}:\n{}",
            r.text
        );
    }
}

#[test]
fn language_codes() {
    assert_eq!(Lang::from_code("fr"), Lang::Fr);
    assert_eq!(Lang::from_code("en"), Lang::En);
    assert_eq!(Lang::from_code("EN-gb"), Lang::En);
    assert_eq!(Lang::from_code("de"), Lang::Fr);
    assert_eq!(Lang::from_code(""), Lang::Fr);
    assert_eq!(Lang::En.as_str(), "en");
    for kind in MessageKind::ALL {
        assert_eq!(MessageKind::from_name(kind.as_str()), Some(kind));
    }
    assert_eq!(MessageKind::from_name("nope"), None);
}
