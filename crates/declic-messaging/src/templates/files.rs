//! The template sources under `templates/mail/`, compiled into the binary so that it runs
//! from any working directory.

use super::MessageKind;

/// One message's six files, in the order French, English.
pub(super) struct MessageFiles {
    pub(super) subject: [&'static str; 2],
    pub(super) text: [&'static str; 2],
    pub(super) html: [&'static str; 2],
}

/// A partial: its registered name and source.
pub(super) type Partial = (&'static str, &'static str);

// Paths are relative to this file: crates/declic-messaging/src/templates/.
macro_rules! mail_dir {
    ($($part:literal),+) => {
        concat!("../../../../templates/mail/", $($part),+)
    };
}

macro_rules! message_files {
    ($dir:literal) => {
        MessageFiles {
            subject: [
                include_str!(mail_dir!($dir, "/subject.fr.hbs")),
                include_str!(mail_dir!($dir, "/subject.en.hbs")),
            ],
            text: [
                include_str!(mail_dir!($dir, "/text.fr.hbs")),
                include_str!(mail_dir!($dir, "/text.en.hbs")),
            ],
            html: [
                include_str!(mail_dir!($dir, "/html.fr.hbs")),
                include_str!(mail_dir!($dir, "/html.en.hbs")),
            ],
        }
    };
}

/// The files of one message; the folder name is [`MessageKind::as_str`].
pub(super) fn message(kind: MessageKind) -> MessageFiles {
    match kind {
        MessageKind::ConfirmRegistration => message_files!("confirm_registration"),
        MessageKind::SeatConfirmed => message_files!("seat_confirmed"),
        MessageKind::Waitlisted => message_files!("waitlisted"),
        MessageKind::SeatOffered => message_files!("seat_offered"),
        MessageKind::CancellationAck => message_files!("cancellation_ack"),
        MessageKind::MissionReminder => message_files!("mission_reminder"),
        MessageKind::MissionChanged => message_files!("mission_changed"),
        MessageKind::DuoInvitation => message_files!("duo_invitation"),
        MessageKind::DuoPartnerWaitlisted => message_files!("duo_partner_waitlisted"),
        MessageKind::AmbassadorInvitation => message_files!("ambassador_invitation"),
        MessageKind::AmbassadorSignIn => message_files!("ambassador_sign_in"),
        MessageKind::CampaignAnnouncement => message_files!("campaign_announcement"),
        MessageKind::CampaignReminder => message_files!("campaign_reminder"),
        MessageKind::CampaignLastCall => message_files!("campaign_last_call"),
        MessageKind::EvaluationInvitation => message_files!("evaluation_invitation"),
        MessageKind::EvaluationReminder => message_files!("evaluation_reminder"),
        MessageKind::ImpactSummary => message_files!("impact_summary"),
        MessageKind::AdminPasswordReset => message_files!("admin_password_reset"),
        MessageKind::DomainProof => message_files!("domain_proof"),
    }
}

/// Partials of the plain-text registry (subjects and text bodies, no escaping).
pub(super) const TEXT_PARTIALS: &[Partial] = &[
    (
        "greeting_fr",
        include_str!(mail_dir!("partials/greeting.fr.hbs")),
    ),
    (
        "greeting_en",
        include_str!(mail_dir!("partials/greeting.en.hbs")),
    ),
    (
        "mission_fr",
        include_str!(mail_dir!("partials/mission.fr.text.hbs")),
    ),
    (
        "mission_en",
        include_str!(mail_dir!("partials/mission.en.text.hbs")),
    ),
    (
        "footer_fr",
        include_str!(mail_dir!("partials/footer.fr.text.hbs")),
    ),
    (
        "footer_en",
        include_str!(mail_dir!("partials/footer.en.text.hbs")),
    ),
];

/// Partials of the HTML registry (escaped).
pub(super) const HTML_PARTIALS: &[Partial] = &[
    (
        "greeting_fr",
        include_str!(mail_dir!("partials/greeting.fr.hbs")),
    ),
    (
        "greeting_en",
        include_str!(mail_dir!("partials/greeting.en.hbs")),
    ),
    (
        "mission_fr",
        include_str!(mail_dir!("partials/mission.fr.html.hbs")),
    ),
    (
        "mission_en",
        include_str!(mail_dir!("partials/mission.en.html.hbs")),
    ),
    (
        "layout_fr",
        include_str!(mail_dir!("partials/layout.fr.html.hbs")),
    ),
    (
        "layout_en",
        include_str!(mail_dir!("partials/layout.en.html.hbs")),
    ),
    (
        "button",
        include_str!(mail_dir!("partials/button.html.hbs")),
    ),
];
