//! Mails that follow registration events, composed from the message templates
//! and sent through the configured mailer. A mail that fails is logged; the
//! change it reports is already stored and shown on the person's page.

use std::sync::Arc;

use declic_config::{Config, MailTransport, SmtpTls as CfgTls};
use declic_messaging::templates::{Lang as MailLang, MessageKind, MessageTemplates, Rendered};
use declic_messaging::{
    Attachment, IcsEvent, IcsMethod, Mailer, MailerSettings, OutgoingMail, SmtpTls,
    TransportSettings, ics,
};
use declic_storage::ambassadors::Ambassador;
use declic_storage::registrations::{ConfirmOutcome, DuoNotice, Offer, RegistrationView, choice};
use declic_storage::{CampaignCatalog, OrgId};
use serde_json::{Value, json};

use crate::AppState;
use crate::pages::Lang;
use crate::public::{base_url, duo_param, manage_token, texts};

/// The mailer and the message texts.
pub struct Notifier {
    pub mailer: Mailer,
    templates: MessageTemplates,
}

impl Notifier {
    /// Builds the mailer from `[mail]`: the outbox folder by default, SMTP when configured.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let transport = match config.mail.transport {
            MailTransport::Outbox => TransportSettings::Outbox {
                dir: config.data_dir.join("outbox"),
            },
            MailTransport::Smtp => {
                let s = &config.mail.smtp;
                TransportSettings::Smtp {
                    host: s.host.clone(),
                    port: s.port,
                    tls: match s.tls {
                        CfgTls::Starttls => SmtpTls::Starttls,
                        CfgTls::Tls => SmtpTls::Tls,
                        CfgTls::None => SmtpTls::None,
                    },
                    username: (!s.username.is_empty()).then(|| s.username.clone()),
                    password: (!s.password.is_empty()).then(|| s.password.expose().to_owned()),
                    pool_size: s.pool_size,
                    timeout: std::time::Duration::from_secs(s.timeout_secs),
                }
            }
        };
        let d = &config.mail.dkim;
        let dkim = if d.selector.trim().is_empty() {
            None
        } else {
            let key = std::fs::read_to_string(&d.private_key_file).map_err(|e| {
                format!(
                    "mail.dkim.private_key_file: cannot read {:?}: {e}",
                    d.private_key_file
                )
            })?;
            Some(declic_messaging::DkimSettings {
                domain: d.domain.clone(),
                selector: d.selector.clone(),
                private_key: key,
            })
        };
        let mailer = Mailer::new(MailerSettings {
            from: config.mail.from.clone(),
            message_id_domain: config.mail.message_id_domain.clone(),
            transport,
            dkim,
        })
        .map_err(|e| e.to_string())?;
        let templates = MessageTemplates::load().map_err(|e| e.to_string())?;
        Ok(Self { mailer, templates })
    }

    /// The message templates.
    pub fn templates(&self) -> &MessageTemplates {
        &self.templates
    }
}

/// What the mails about one registration share.
struct Ctx {
    reg: RegistrationView,
    lang: Lang,
    catalog: Arc<CampaignCatalog>,
    manage_url: String,
    /// The colleague whose link brought the person ("" when none).
    ambassador_first_name: String,
}

impl Ctx {
    fn base(&self) -> Value {
        json!({
            "first_name": self.reg.first_name,
            "organization_name": self.catalog.organization.name,
            "campaign_title": self.catalog.campaign.title,
            "manage_url": self.manage_url,
            "ambassador_first_name": self.ambassador_first_name,
        })
    }

    fn scope(&self) -> Scope {
        Scope {
            org: OrgId(self.reg.organization_id),
            campaign: Some(self.reg.campaign_id),
        }
    }

    fn mission(&self, id: i64) -> Value {
        self.catalog
            .mission(id)
            .map(|(m, a)| texts::mission_json(self.lang, m, &a.name))
            .unwrap_or(Value::Null)
    }
}

async fn load(state: &AppState, registration_id: i64) -> Result<Ctx, String> {
    let reg = state
        .store
        .registration_view(registration_id)
        .await
        .map_err(|e| e.to_string())?;
    context(state, reg).await
}

/// The context from a registration in hand; the campaign comes from the store's cache.
async fn context(state: &AppState, reg: RegistrationView) -> Result<Ctx, String> {
    let catalog = state
        .store
        .campaign_catalog(OrgId(reg.organization_id), reg.campaign_id)
        .await
        .map_err(|e| e.to_string())?;
    let manage_url = format!(
        "{}/me/{}?lang={}",
        base_url(state),
        manage_token(state, reg.id, &reg.manage_nonce),
        reg.language
    );
    let lang = if reg.language == "en" {
        Lang::En
    } else {
        Lang::Fr
    };
    let ambassador_first_name = state
        .store
        .referrer_first_name(reg.id)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    Ok(Ctx {
        reg,
        lang,
        catalog,
        manage_url,
        ambassador_first_name,
    })
}

fn mail_lang(lang: Lang) -> MailLang {
    match lang {
        Lang::Fr => MailLang::Fr,
        Lang::En => MailLang::En,
    }
}

/// Whose own wording applies to a mail: the organisation's, and the campaign's when the
/// mail is about one (see `controllers::templates`).
#[derive(Debug, Clone, Copy)]
struct Scope {
    org: OrgId,
    campaign: Option<i64>,
}

/// The mail in the organisation's own wording when it wrote one (checked when saved,
/// and again here), else in the built-in one.
async fn render(
    state: &AppState,
    scope: Option<Scope>,
    kind: MessageKind,
    lang: MailLang,
    data: &Value,
) -> Result<Rendered, String> {
    if let Some(scope) = scope {
        match crate::wording::own_mail(state, scope.org, scope.campaign, kind, lang).await {
            Ok(Some(own)) => match own.render(data) {
                Ok(r) => return Ok(r),
                // The person still gets the message, in the built-in wording.
                Err(e) => tracing::warn!(
                    part = e.part,
                    error = e.message,
                    ?kind,
                    "own wording failed to render: the built-in message is used"
                ),
            },
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, ?kind, "own wording not read: the built-in message is used")
            }
        }
    }
    state
        .notifier
        .templates
        .render(kind, lang, data)
        .map_err(|e| e.to_string())
}

#[expect(clippy::too_many_arguments, reason = "the mail's parts, one each")]
async fn send(
    state: &AppState,
    scope: Option<Scope>,
    to: &str,
    name: Option<&str>,
    kind: MessageKind,
    lang: Lang,
    data: &Value,
    attachments: Vec<Attachment>,
) {
    let rendered = match render(state, scope, kind, mail_lang(lang), data).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, ?kind, "mail template failed");
            return;
        }
    };
    let mail = OutgoingMail {
        to: to.to_owned(),
        to_name: name.filter(|n| !n.is_empty()).map(str::to_owned),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attachments,
        list_unsubscribe: None,
    };
    if let Err(e) = state.notifier.mailer.send(&mail).await {
        // The address is personal data: log the kind and the failure only.
        tracing::warn!(error = %e, ?kind, "mail not sent");
    }
}

async fn send_ctx(
    state: &AppState,
    ctx: &Ctx,
    kind: MessageKind,
    extra: Value,
    attachments: Vec<Attachment>,
) {
    let mut data = ctx.base();
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    send(
        state,
        Some(ctx.scope()),
        &ctx.reg.email,
        Some(&ctx.reg.first_name),
        kind,
        ctx.lang,
        &data,
        attachments,
    )
    .await;
}

fn organizer(config: &Config) -> (String, Option<String>) {
    let from = config.mail.from.trim();
    match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if b > a => (
            from[a + 1..b].to_owned(),
            Some(from[..a].trim().trim_matches('"').to_owned()).filter(|n| !n.is_empty()),
        ),
        _ => (from.to_owned(), None),
    }
}

fn calendar(state: &AppState, ctx: &Ctx, mission_id: i64, method: IcsMethod) -> Vec<Attachment> {
    let Some((m, assoc)) = ctx.catalog.mission(mission_id) else {
        return vec![];
    };
    let assoc = &assoc.name;
    let (organizer_email, organizer_name) = organizer(&state.config);
    // Minutes since 2024: grows with every change, so a later invitation replaces an earlier one.
    let sequence =
        u32::try_from((chrono::Utc::now().timestamp() - 1_704_067_200).max(0) / 60).unwrap_or(0);
    let event = IcsEvent {
        uid: format!(
            "declic-registration-{}-mission-{}@{}",
            ctx.reg.id, mission_id, state.config.mail.message_id_domain
        ),
        sequence,
        method,
        summary: m.title.clone(),
        description: format!(
            "{assoc}\n{}\n{}",
            ctx.catalog.campaign.title, ctx.manage_url
        ),
        location: Some(texts::place(ctx.lang, m)),
        url: m.online_link.clone(),
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        time_zone: m.time_zone.clone(),
        organizer_email,
        organizer_name,
        attendee_email: ctx.reg.email.clone(),
        attendee_name: Some(ctx.reg.first_name.clone()).filter(|n| !n.is_empty()),
        stamp: chrono::Utc::now(),
    };
    match ics(&event) {
        Ok(text) => vec![Attachment::calendar(text, method)],
        Err(e) => {
            tracing::warn!(error = %e, "calendar invitation not built");
            vec![]
        }
    }
}

/// "Confirm your registration", with the ranked missions.
pub async fn confirm_request(state: &AppState, reg: RegistrationView, token: &str) {
    let Ok(ctx) = context(state, reg)
        .await
        .map_err(|e| tracing::error!(error = %e, "mail context"))
    else {
        return;
    };
    let hours = state.config.registration.confirm_link_hours;
    let missions: Vec<Value> = ctx
        .reg
        .choices
        .iter()
        .map(|c| ctx.mission(c.mission_id))
        .collect();
    let expires = match ctx.lang {
        Lang::Fr => format!("{hours} heures"),
        Lang::En => format!("{hours} hours"),
    };
    let url = format!("{}/r/{token}?lang={}", base_url(state), ctx.reg.language);
    send_ctx(
        state,
        &ctx,
        MessageKind::ConfirmRegistration,
        json!({"confirm_url": url, "expires_text": expires, "missions": missions}),
        vec![],
    )
    .await;
}

/// After confirmation: the seat (with a calendar invitation) or the waitlist place.
pub async fn confirmed(state: &AppState, outcome: &ConfirmOutcome) {
    let Ok(ctx) = context(state, outcome.registration.clone())
        .await
        .map_err(|e| tracing::error!(error = %e, "mail context"))
    else {
        return;
    };
    if let Some(seat) = outcome.choices.iter().find(|c| c.status == choice::SEATED) {
        let ics = calendar(state, &ctx, seat.mission_id, IcsMethod::Request);
        send_ctx(
            state,
            &ctx,
            MessageKind::SeatConfirmed,
            json!({"mission": ctx.mission(seat.mission_id)}),
            ics,
        )
        .await;
    } else if let Some(w) = outcome
        .choices
        .iter()
        .find(|c| c.status == choice::WAITLISTED)
    {
        send_ctx(
            state,
            &ctx,
            MessageKind::Waitlisted,
            json!({"mission": ctx.mission(w.mission_id), "position": w.position.unwrap_or(1)}),
            vec![],
        )
        .await;
    }
    if let Some(notice) = &outcome.duo_notice {
        duo_partner_waitlisted(state, notice, &ctx.reg.first_name).await;
    }
}

/// A seat freed up: offered with a claim deadline.
pub async fn offers(state: &AppState, offers: &[Offer]) {
    for o in offers {
        let Ok(ctx) = load(state, o.registration_id)
            .await
            .map_err(|e| tracing::error!(error = %e, "mail context"))
        else {
            continue;
        };
        let deadline = format!(
            "{} {}",
            texts::date(ctx.lang, o.expires_at.date_naive()),
            o.expires_at.format("%H:%M UTC")
        );
        send_ctx(state, &ctx, MessageKind::SeatOffered, json!({"mission": ctx.mission(o.mission_id), "claim_url": ctx.manage_url, "claim_deadline_text": deadline}), vec![]).await;
    }
}

/// A seat given up: acknowledgement with a calendar cancellation.
pub async fn cancelled(state: &AppState, registration_id: i64, missions: &[i64]) {
    let Ok(ctx) = load(state, registration_id)
        .await
        .map_err(|e| tracing::error!(error = %e, "mail context"))
    else {
        return;
    };
    for m in missions {
        let ics = calendar(state, &ctx, *m, IcsMethod::Cancel);
        send_ctx(
            state,
            &ctx,
            MessageKind::CancellationAck,
            json!({"mission": ctx.mission(*m)}),
            ics,
        )
        .await;
    }
}

/// The day before the mission.
pub async fn reminder(state: &AppState, registration_id: i64, mission_id: i64) {
    let Ok(ctx) = load(state, registration_id)
        .await
        .map_err(|e| tracing::error!(error = %e, "mail context"))
    else {
        return;
    };
    send_ctx(
        state,
        &ctx,
        MessageKind::MissionReminder,
        json!({"mission": ctx.mission(mission_id)}),
        vec![],
    )
    .await;
}

/// Invites the colleague named in a sign-up, with a link that pre-fills the mission.
pub async fn duo_invitation(state: &AppState, reg: RegistrationView, link_code: &str) {
    let Ok(ctx) = context(state, reg)
        .await
        .map_err(|e| tracing::error!(error = %e, "mail context"))
    else {
        return;
    };
    let Some(invitee) = ctx.reg.duo_invitee_email.clone() else {
        return;
    };
    let Some(first) = ctx.reg.choices.first() else {
        return;
    };
    let url = format!(
        "{}/c/{link_code}?mission={}&duo={}&lang={}",
        base_url(state),
        first.mission_id,
        duo_param(state, ctx.reg.id),
        ctx.reg.language
    );
    let data = json!({
        "first_name": "",
        "organization_name": ctx.catalog.organization.name,
        "campaign_title": ctx.catalog.campaign.title,
        "manage_url": url,
        "inviter_first_name": ctx.reg.first_name,
        "mission": ctx.mission(first.mission_id),
        "register_url": url,
    });
    send(
        state,
        Some(ctx.scope()),
        &invitee,
        None,
        MessageKind::DuoInvitation,
        ctx.lang,
        &data,
        vec![],
    )
    .await;
}

async fn duo_partner_waitlisted(state: &AppState, notice: &DuoNotice, partner_first_name: &str) {
    let Ok(ctx) = load(state, notice.partner_registration_id)
        .await
        .map_err(|e| tracing::error!(error = %e, "mail context"))
    else {
        return;
    };
    send_ctx(state, &ctx, MessageKind::DuoPartnerWaitlisted, json!({"partner_first_name": partner_first_name, "mission": ctx.mission(notice.mission_id), "waitlist_together_url": ctx.manage_url}), vec![]).await;
}

/// A seat taken from an offer: confirmed with a calendar invitation.
pub async fn seated(state: &AppState, registration_id: i64, mission_id: i64) {
    let Ok(ctx) = load(state, registration_id)
        .await
        .map_err(|e| tracing::error!(error = %e, "mail context"))
    else {
        return;
    };
    let ics = calendar(state, &ctx, mission_id, IcsMethod::Request);
    send_ctx(
        state,
        &ctx,
        MessageKind::SeatConfirmed,
        json!({"mission": ctx.mission(mission_id)}),
        ics,
    )
    .await;
}

/// HR invited someone to become an ambassador: the mail points to the sign-in page.
pub async fn ambassador_invitation(
    state: &AppState,
    org: OrgId,
    a: &Ambassador,
    organization: &str,
) {
    let lang = if a.language == "en" {
        Lang::En
    } else {
        Lang::Fr
    };
    let data = json!({
        "first_name": a.first_name,
        "organization_name": organization,
        "manage_url": format!("{}/a/sign-in?lang={}", base_url(state), a.language),
    });
    send(
        state,
        Some(Scope {
            org,
            campaign: None,
        }),
        &a.email,
        Some(&a.first_name),
        MessageKind::AmbassadorInvitation,
        lang,
        &data,
        vec![],
    )
    .await;
}

/// The single-use link that opens an ambassador's page.
pub async fn ambassador_sign_in(
    state: &AppState,
    org: OrgId,
    a: &Ambassador,
    organization: &str,
    token: &str,
) {
    let lang = if a.language == "en" {
        Lang::En
    } else {
        Lang::Fr
    };
    let minutes = state.config.registration.ambassador_link_minutes;
    let data = json!({
        "first_name": a.first_name,
        "organization_name": organization,
        "manage_url": format!("{}/a/sign-in?lang={}", base_url(state), a.language),
        "sign_in_url": format!("{}/a/login/{token}?lang={}", base_url(state), a.language),
        "expires_text": format!("{minutes} minutes"),
    });
    send(
        state,
        Some(Scope {
            org,
            campaign: None,
        }),
        &a.email,
        Some(&a.first_name),
        MessageKind::AmbassadorSignIn,
        lang,
        &data,
        vec![],
    )
    .await;
}

/// The single-use link to choose a new console password.
pub async fn admin_password_reset(
    state: &AppState,
    email: &str,
    organization: &str,
    token: &str,
    lang: Lang,
) {
    let code = lang.code();
    let minutes = state.config.security.sign_in_link_minutes;
    let data = json!({
        "organization_name": organization,
        "manage_url": format!("{}/console/sign-in?lang={code}", base_url(state)),
        "reset_url": format!("{}/sign-in/{token}?lang={code}", base_url(state)),
        "expires_text": format!("{minutes} minutes"),
    });
    // The console's own mail: never an organisation's wording.
    send(
        state,
        None,
        email,
        None,
        MessageKind::AdminPasswordReset,
        lang,
        &data,
        vec![],
    )
    .await;
}
