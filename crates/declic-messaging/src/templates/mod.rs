//! Message templates: `templates/mail/<message>/{subject,text,html}.{fr,en}.hbs`, Handlebars.
//!
//! Two registries, both strict (a missing key is an error, never a blank): subjects and text
//! bodies are not escaped, HTML bodies are. See [`sample_data`] for the data each message takes.

mod custom;
mod files;
mod sample;

use handlebars::{Handlebars, handlebars_helper};

use crate::oneline::one_line;

pub(crate) use custom::{BODY_SOURCE_MAX, Rules, known_names, syntax_error, walk};
pub use custom::{CompiledCustom, CustomError, CustomTemplate};
pub(crate) use sample::mission as sample_mission;
pub use sample::{sample_data, sample_data_for};

/// Language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// French, the default.
    Fr,
    /// English.
    En,
}

impl Lang {
    /// Both languages.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// From a language code (`fr`, `en`, `en-GB`…); anything else is French.
    pub fn from_code(code: &str) -> Lang {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    /// The two-letter code.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    fn index(self) -> usize {
        match self {
            Lang::Fr => 0,
            Lang::En => 1,
        }
    }
}

/// Which message; the folder under `templates/mail/` is [`MessageKind::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Double opt-in: click to confirm the registration.
    ConfirmRegistration,
    /// A seat is yours; the calendar invitation is attached.
    SeatConfirmed,
    /// The mission is full; you are on the waiting list.
    Waitlisted,
    /// A seat opened up for you; claim it before the deadline.
    SeatOffered,
    /// Your cancellation is recorded.
    CancellationAck,
    /// The mission is tomorrow.
    MissionReminder,
    /// HR changed the mission's time, place or format; the updated invitation is attached.
    MissionChanged,
    /// A colleague invites you to do a mission together.
    DuoInvitation,
    /// To the inviter: your colleague got no seat; join the waiting list together?
    DuoPartnerWaitlisted,
    /// HR invites someone who volunteered before to become an ambassador.
    AmbassadorInvitation,
    /// The single-use link that opens an ambassador's page.
    AmbassadorSignIn,
    /// A campaign's announcement to its audience, with a one-click unsubscribe link.
    CampaignAnnouncement,
    /// The calendar's reminder, to those not registered yet.
    CampaignReminder,
    /// The calendar's last call before sign-ups close, to those not registered yet.
    CampaignLastCall,
    /// An evaluation wave's survey, to a volunteer or an association's contact.
    EvaluationInvitation,
    /// The one reminder of a wave, to those who have not answered.
    EvaluationReminder,
    /// HR's account to volunteers of what their mission changed.
    ImpactSummary,
    /// The single-use link to choose a new console password (and lift a lockout).
    AdminPasswordReset,
    /// The link that proves an organisation receives mail at a domain, sent to an
    /// address of that domain an owner named.
    DomainProof,
}

impl MessageKind {
    /// Every message.
    pub const ALL: [MessageKind; 19] = [
        MessageKind::ConfirmRegistration,
        MessageKind::SeatConfirmed,
        MessageKind::Waitlisted,
        MessageKind::SeatOffered,
        MessageKind::CancellationAck,
        MessageKind::MissionReminder,
        MessageKind::MissionChanged,
        MessageKind::DuoInvitation,
        MessageKind::DuoPartnerWaitlisted,
        MessageKind::AmbassadorInvitation,
        MessageKind::AmbassadorSignIn,
        MessageKind::CampaignAnnouncement,
        MessageKind::CampaignReminder,
        MessageKind::CampaignLastCall,
        MessageKind::EvaluationInvitation,
        MessageKind::EvaluationReminder,
        MessageKind::ImpactSummary,
        MessageKind::AdminPasswordReset,
        MessageKind::DomainProof,
    ];

    /// The folder name, snake_case.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::ConfirmRegistration => "confirm_registration",
            MessageKind::SeatConfirmed => "seat_confirmed",
            MessageKind::Waitlisted => "waitlisted",
            MessageKind::SeatOffered => "seat_offered",
            MessageKind::CancellationAck => "cancellation_ack",
            MessageKind::MissionReminder => "mission_reminder",
            MessageKind::MissionChanged => "mission_changed",
            MessageKind::DuoInvitation => "duo_invitation",
            MessageKind::DuoPartnerWaitlisted => "duo_partner_waitlisted",
            MessageKind::AmbassadorInvitation => "ambassador_invitation",
            MessageKind::AmbassadorSignIn => "ambassador_sign_in",
            MessageKind::CampaignAnnouncement => "campaign_announcement",
            MessageKind::CampaignReminder => "campaign_reminder",
            MessageKind::CampaignLastCall => "campaign_last_call",
            MessageKind::EvaluationInvitation => "evaluation_invitation",
            MessageKind::EvaluationReminder => "evaluation_reminder",
            MessageKind::ImpactSummary => "impact_summary",
            MessageKind::AdminPasswordReset => "admin_password_reset",
            MessageKind::DomainProof => "domain_proof",
        }
    }

    /// The built-in wording of this message in `lang`: the starting point of an
    /// organisation's own (it passes [`CompiledCustom::check`] as it is).
    pub fn builtin(self, lang: Lang) -> CustomTemplate {
        let files = files::message(self);
        let i = lang.index();
        CustomTemplate {
            subject: files.subject[i].to_owned(),
            text: files.text[i].to_owned(),
            html: files.html[i].to_owned(),
        }
    }

    /// The message of a calendar step (`launch`, `reminder`, `last_call`); an
    /// announcement for anything else.
    pub fn for_step(step: Option<&str>) -> MessageKind {
        match step {
            Some("reminder") => MessageKind::CampaignReminder,
            Some("last_call") => MessageKind::CampaignLastCall,
            Some("impact_summary") => MessageKind::ImpactSummary,
            Some(s) if s.starts_with("evaluation_") && s.ends_with("_reminder") => {
                MessageKind::EvaluationReminder
            }
            Some(s) if s.starts_with("evaluation_") => MessageKind::EvaluationInvitation,
            _ => MessageKind::CampaignAnnouncement,
        }
    }

    /// Whether this is a campaign message sent to an audience (with an unsubscribe link).
    pub fn is_campaign_message(self) -> bool {
        matches!(
            self,
            MessageKind::CampaignAnnouncement
                | MessageKind::CampaignReminder
                | MessageKind::CampaignLastCall
        )
    }

    /// Whether an organisation may write its own wording of it: every message but the
    /// console's password reset and the domain proof, which stay Declic's own (they are
    /// about the account, or the claim, that would edit them).
    pub fn is_customizable(self) -> bool {
        !matches!(
            self,
            MessageKind::AdminPasswordReset | MessageKind::DomainProof
        )
    }

    /// Whether the message belongs to a campaign, so that a campaign may have its own
    /// wording of it; ambassador and account mails belong to the organisation.
    pub fn has_campaign(self) -> bool {
        !matches!(
            self,
            MessageKind::AmbassadorInvitation
                | MessageKind::AmbassadorSignIn
                | MessageKind::AdminPasswordReset
                | MessageKind::DomainProof
        )
    }

    /// The links an organisation's wording must keep, in its text and in its HTML: the
    /// one the message exists to give, and the unsubscribe link of mails sent to an
    /// audience. Each with what it is, for the error message.
    pub fn required_links(self) -> &'static [(&'static str, &'static str)] {
        const PAGE: (&str, &str) = ("manage_url", "the link to the person's page");
        const UNSUBSCRIBE: (&str, &str) = ("manage_url", "the unsubscribe link");
        match self {
            MessageKind::ConfirmRegistration => &[("confirm_url", "the confirmation link")],
            MessageKind::SeatConfirmed
            | MessageKind::Waitlisted
            | MessageKind::CancellationAck
            | MessageKind::MissionReminder
            | MessageKind::MissionChanged => &[PAGE],
            MessageKind::SeatOffered => &[("claim_url", "the link to claim the seat")],
            MessageKind::DuoInvitation => &[("register_url", "the sign-up link")],
            MessageKind::DuoPartnerWaitlisted => &[(
                "waitlist_together_url",
                "the link to join the waiting list together",
            )],
            MessageKind::AmbassadorInvitation => &[("manage_url", "the sign-in page's link")],
            MessageKind::AmbassadorSignIn => &[("sign_in_url", "the sign-in link")],
            MessageKind::CampaignAnnouncement
            | MessageKind::CampaignReminder
            | MessageKind::CampaignLastCall
            | MessageKind::ImpactSummary => &[UNSUBSCRIBE],
            MessageKind::EvaluationInvitation | MessageKind::EvaluationReminder => {
                &[("survey_url", "the survey link"), UNSUBSCRIBE]
            }
            MessageKind::AdminPasswordReset => &[("reset_url", "the reset link")],
            MessageKind::DomainProof => &[("confirm_url", "the confirmation link")],
        }
    }

    /// From the folder name.
    pub fn from_name(name: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line, no CR or LF.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// A template does not compile, or the data does not fit it.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// A template file has a syntax error (caught by the tests, so a build bug).
    #[error("template {name} does not compile: {source}")]
    Compile {
        /// Template name, e.g. `seat_confirmed/html.fr`.
        name: String,
        /// Parser error, with line and column.
        #[source]
        source: Box<handlebars::TemplateError>,
    },
    /// Rendering failed, usually a key missing from the data (strict mode).
    #[error("template {name} cannot render: {source}")]
    Render {
        /// Template name.
        name: String,
        /// What is missing or wrong.
        #[source]
        source: Box<handlebars::RenderError>,
    },
}

/// All message templates, compiled once; share it (it is read-only).
#[derive(Debug)]
pub struct MessageTemplates {
    /// Subjects and text bodies: no escaping, these are not HTML.
    plain: Handlebars<'static>,
    /// HTML bodies: every `{{value}}` is escaped.
    html: Handlebars<'static>,
}

// Ranks in lists are shown from 1; `@index` counts from 0.
handlebars_helper!(rank: |index: u64| index + 1);

impl MessageTemplates {
    /// Compiles every template; fails on a syntax error.
    pub fn load() -> Result<Self, TemplateError> {
        let (mut plain, mut html) = base_registries()?;
        for kind in MessageKind::ALL {
            let files = files::message(kind);
            for lang in Lang::ALL {
                let i = lang.index();
                register(
                    &mut plain,
                    &name(kind, "subject", lang),
                    files.subject[i],
                    false,
                )?;
                register(&mut plain, &name(kind, "text", lang), files.text[i], false)?;
                register(&mut html, &name(kind, "html", lang), files.html[i], false)?;
            }
        }
        Ok(Self { plain, html })
    }

    /// Renders one message in one language.
    pub fn render(
        &self,
        message: MessageKind,
        lang: Lang,
        data: &serde_json::Value,
    ) -> Result<Rendered, TemplateError> {
        // One context for the three parts (`render` would copy the data for each).
        let context = handlebars::Context::from(data.clone());
        let render = |registry: &Handlebars<'static>, part: &str| {
            let name = name(message, part, lang);
            registry
                .render_with_context(&name, &context)
                .map_err(|source| TemplateError::Render {
                    name,
                    source: Box::new(source),
                })
        };
        let subject = render(&self.plain, "subject")?;
        Ok(Rendered {
            // The subject is a header: a line break in a value (say, a campaign title) must
            // not reach it.
            subject: one_line(&subject),
            text: render(&self.plain, "text")?,
            html: render(&self.html, "html")?,
        })
    }
}

/// The two registries with their escaping, strict mode, helpers and partials, and no
/// message yet.
fn base_registries() -> Result<(Handlebars<'static>, Handlebars<'static>), TemplateError> {
    let mut plain = Handlebars::new();
    plain.register_escape_fn(handlebars::no_escape);
    let mut html = Handlebars::new();
    for registry in [&mut plain, &mut html] {
        registry.set_strict_mode(true);
        registry.register_helper("rank", Box::new(rank));
    }
    for (name, source) in files::TEXT_PARTIALS {
        register(&mut plain, name, source, true)?;
    }
    for (name, source) in files::HTML_PARTIALS {
        register(&mut html, name, source, true)?;
    }
    Ok((plain, html))
}

fn name(kind: MessageKind, part: &str, lang: Lang) -> String {
    [kind.as_str(), "/", part, ".", lang.as_str()].concat()
}

fn register(
    registry: &mut Handlebars<'static>,
    name: &str,
    source: &str,
    partial: bool,
) -> Result<(), TemplateError> {
    let compile = |source| TemplateError::Compile {
        name: name.to_owned(),
        source: Box::new(source),
    };
    if partial {
        // The trailing newline stays: a partial on a line of its own replaces that whole
        // line, newline included (Handlebars "standalone" rule).
        registry.register_partial(name, source).map_err(compile)
    } else {
        registry
            .register_template_string(name, source)
            .map_err(compile)
    }
}
