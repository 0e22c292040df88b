//! Realistic data for each message: the data contract by example, for tests and previews.
//!
//! Every message gets `first_name` (may be empty), `organization_name`, `campaign_title` and
//! `manage_url`; all but `confirm_registration` get a `mission` object. Texts arrive already
//! written out in the message's language: `expires_text` is a duration ("valable 48 heures" /
//! "valid for 48 hours"), `claim_deadline_text` a date and time without a preposition
//! ("avant le {{claim_deadline_text}}" / "by {{claim_deadline_text}}").

use serde_json::{Value, json};

use super::{Lang, MessageKind};

/// Sample data for `kind`, in French (the default language).
pub fn sample_data(kind: MessageKind) -> Value {
    sample_data_for(kind, Lang::Fr)
}

/// Sample data for `kind` with dates and mission details written in `lang`.
pub fn sample_data_for(kind: MessageKind, lang: Lang) -> Value {
    let mut data = json!({
        "first_name": "Élodie",
        "organization_name": "Groupe Hélios",
        "campaign_title": match lang {
            Lang::Fr => "Semaine de l'engagement 2025",
            Lang::En => "Engagement Week 2025",
        },
        "manage_url": "https://declic.example.org/me/8Zq3kW1xPv",
    });
    let extra = match kind {
        MessageKind::ConfirmRegistration => json!({
            "confirm_url": "https://declic.example.org/confirm/Yt6pR2mQ9s",
            "expires_text": text(lang, "48 heures", "48 hours"),
            "missions": [mission(lang, 0), mission(lang, 1)],
        }),
        // `ambassador_first_name`: in every mail about a registration, the colleague
        // whose link brought the person (empty when none).
        MessageKind::SeatConfirmed | MessageKind::MissionReminder => {
            json!({ "mission": mission(lang, 0) })
        }
        // `seated`: the person holds a seat (else a seat is offered to them).
        MessageKind::MissionChanged => json!({
            "mission": mission(lang, 0),
            "seated": true,
            "changes_text": text(lang, "nouvel horaire, nouveau lieu", "new time, new place"),
        }),
        // `by_organiser`: HR cancelled the place (not the person).
        MessageKind::CancellationAck => {
            json!({ "mission": mission(lang, 0), "by_organiser": false })
        }
        MessageKind::Waitlisted => json!({ "mission": mission(lang, 0), "position": 3 }),
        MessageKind::SeatOffered => json!({
            "mission": mission(lang, 0),
            "claim_url": "https://declic.example.org/claim/Hn4cV8bLs0",
            "claim_deadline_text": text(lang, "20 mars 2025 à 12 h 00", "20 March 2025, 12:00 pm"),
        }),
        MessageKind::DuoInvitation => json!({
            "inviter_first_name": "Karim",
            "mission": mission(lang, 1),
            "register_url": "https://declic.example.org/duo/Qe7uJ5kWz2",
        }),
        MessageKind::DuoPartnerWaitlisted => json!({
            "partner_first_name": "Sofia",
            "mission": mission(lang, 1),
            "waitlist_together_url": "https://declic.example.org/duo/Mv2sT9gPa6/waitlist",
        }),
        // `manage_url` is the one-click unsubscribe link here; `deadline_text` is the
        // last day of sign-ups (empty when the campaign has none), `missions` the
        // campaign's published missions.
        MessageKind::CampaignAnnouncement
        | MessageKind::CampaignReminder
        | MessageKind::CampaignLastCall => json!({
            "manage_url": "https://declic.example.org/u/1-42-mail-0f3a",
            "key_message": text(lang, "Deux heures de vos compétences peuvent changer l’année d’une association.",
                "Two hours of your skills can change a charity's year."),
            "campaign_url": "https://declic.example.org/c/k3m9x2pq7ar4",
            "deadline_text": text(lang, "vendredi 21 mars 2025", "Friday 21 March 2025"),
            "missions": [mission(lang, 0), mission(lang, 1)],
        }),
        // `survey_url` is the person's signed link to the wave; `manage_url` the
        // one-click unsubscribe link, empty for association contacts (not employees).
        MessageKind::EvaluationInvitation | MessageKind::EvaluationReminder => json!({
            "manage_url": "https://declic.example.org/u/1-42-mail-0f3a",
            "survey_url": "https://declic.example.org/s/17-1767225600-3f9a0c",
            "wave_text": text(lang, "à chaud", "right after"),
            "closes_text": text(lang, "vendredi 18 avril 2025", "Friday 18 April 2025"),
            "for_association": false,
            "anonymous": false,
        }),
        // Figures and quotes HR chose (figures only from groups of five or more).
        MessageKind::ImpactSummary => json!({
            "manage_url": "https://declic.example.org/u/1-42-mail-0f3a",
            "note": text(lang, "L'épicerie a revu sa trésorerie avec vos conseils.",
                "The grocery reworked its cash flow with your advice."),
            "figures": [
                {"label": text(lang, "Bénévoles plus heureux au travail", "Volunteers happier at work"), "value": "78 %"},
                {"label": text(lang, "Associations ayant mis en place des recommandations", "Associations that put recommendations in place"), "value": "5 / 6"},
            ],
            "quotes": [text(lang, "Nous avons enfin un tableau de bord clair.", "We finally have a clear dashboard.")],
        }),
        // Ambassador mails are about no campaign; `manage_url` is the ambassador page.
        MessageKind::AmbassadorInvitation => {
            return json!({
                "first_name": "Élodie",
                "organization_name": "Groupe Hélios",
                "manage_url": "https://declic.example.org/a/sign-in",
            });
        }
        // Console accounts: `manage_url` is the console's sign-in page.
        MessageKind::AdminPasswordReset => {
            return json!({
                "organization_name": "Groupe Hélios",
                "manage_url": "https://declic.example.org/console/sign-in",
                "reset_url": "https://declic.example.org/sign-in/dcs_Xw3kP9",
                "expires_text": text(lang, "30 minutes", "30 minutes"),
            });
        }
        MessageKind::DomainProof => {
            return json!({
                "organization_name": "Groupe Hélios",
                "domain": "helios-energie.fr",
                "manage_url": "https://declic.example.org/console/sign-in",
                "confirm_url": "https://declic.example.org/domain-proof/ddp_Xw3kP9",
                "expires_text": text(lang, "48 heures", "48 hours"),
            });
        }
        MessageKind::AmbassadorSignIn => {
            return json!({
                "first_name": "Élodie",
                "organization_name": "Groupe Hélios",
                "manage_url": "https://declic.example.org/a/sign-in",
                "sign_in_url": "https://declic.example.org/a/login/dal_Xw3kP9",
                "expires_text": text(lang, "30 minutes", "30 minutes"),
            });
        }
    };
    if let (Value::Object(base), Value::Object(extra)) = (&mut data, extra) {
        base.extend(extra);
        if matches!(
            kind,
            MessageKind::ConfirmRegistration
                | MessageKind::SeatConfirmed
                | MessageKind::Waitlisted
                | MessageKind::SeatOffered
                | MessageKind::CancellationAck
                | MessageKind::MissionReminder
                | MessageKind::MissionChanged
                | MessageKind::DuoPartnerWaitlisted
        ) {
            base.insert("ambassador_first_name".into(), Value::from("Karim"));
        }
    }
    data
}

fn text(lang: Lang, fr: &str, en: &str) -> Value {
    Value::from(match lang {
        Lang::Fr => fr,
        Lang::En => en,
    })
}

/// Two missions: a skills-based one with a confidentiality note, and a hands-on one without.
pub(crate) fn mission(lang: Lang, which: usize) -> Value {
    if which == 0 {
        json!({
            "title": text(lang, "Revoir le plan de trésorerie d'une épicerie solidaire",
                "Review the cash-flow plan of a community grocery"),
            "association_name": "Épicerie Solidaire du Faubourg",
            "dates_text": text(lang, "jeudi 27 mars 2025, 9 h 30 – 12 h 30",
                "Thursday 27 March 2025, 9:30 am – 12:30 pm"),
            "place_text": "12 rue des Vinaigriers, 75010 Paris",
            "format_text": text(lang, "Mécénat de compétences, sur place", "Skills-based, on site"),
            "confidentiality_note": text(lang,
                "Les chiffres de l'association sont confidentiels : merci de ne pas les partager.",
                "The association's figures are confidential: please do not share them."),
        })
    } else {
        json!({
            "title": text(lang, "Trier les collectes de la Banque alimentaire",
                "Sort donations at the Food Bank"),
            "association_name": "Banque Alimentaire de Paris",
            "dates_text": text(lang, "mardi 1er avril 2025, 14 h 00 – 17 h 00",
                "Tuesday 1 April 2025, 2:00 pm – 5:00 pm"),
            "place_text": "Entrepôt de Rungis, 94150 Rungis",
            "format_text": text(lang, "Bénévolat en équipe", "Team volunteering"),
            "confidentiality_note": "",
        })
    }
}
