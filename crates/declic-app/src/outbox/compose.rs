//! The mail of a queued message, composed when it is sent: in the person's
//! language, in the organisation's own wording when it wrote one (checked when
//! saved, and again here), with the links it exists to give and, for a seat, its
//! calendar invitation. Composing late means the mail says what is true when it
//! leaves (the mission's current time and place, the person's current name).

use std::sync::Arc;

use declic_messaging::templates::{Lang, MessageKind, Rendered};
use declic_messaging::{Attachment, IcsEvent, IcsMethod, OutgoingMail, ics};
use declic_storage::entity::message;
use declic_storage::registrations::RegistrationView;
use declic_storage::{CampaignCatalog, OrgId, StorageError};
use serde_json::{Value, json};

use crate::App;
use crate::links::{base_url, duo_param, manage_token};
use crate::texts;

/// Why a message could not be composed.
#[derive(Debug)]
pub enum ComposeError {
    /// The database did not answer: try again later.
    Storage(StorageError),
    /// The message cannot be built, now or later (a row it needs is gone, its link
    /// cannot be opened): reported, never retried.
    Broken(String),
}

impl From<StorageError> for ComposeError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => {
                ComposeError::Broken(format!("{what} no longer exists"))
            }
            other => ComposeError::Storage(other),
        }
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

    fn with(&self, extra: Value) -> Value {
        let mut data = self.base();
        if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
            d.extend(e);
        }
        data
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

async fn context(state: &App, registration_id: i64) -> Result<Ctx, ComposeError> {
    let reg = state.store.registration_view(registration_id).await?;
    let catalog = state
        .store
        .campaign_catalog(OrgId(reg.organization_id), reg.campaign_id)
        .await?;
    let manage_url = format!(
        "{}/me/{}?lang={}",
        base_url(state),
        manage_token(state, reg.id, &reg.manage_nonce),
        reg.language
    );
    let lang = page_lang(&reg.language);
    let ambassador_first_name = state
        .store
        .referrer_first_name(reg.id)
        .await?
        .unwrap_or_default();
    Ok(Ctx {
        reg,
        lang,
        catalog,
        manage_url,
        ambassador_first_name,
    })
}

fn page_lang(code: &str) -> Lang {
    if code == "en" { Lang::En } else { Lang::Fr }
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
    state: &App,
    scope: Option<Scope>,
    kind: MessageKind,
    lang: Lang,
    data: &Value,
) -> Result<Rendered, ComposeError> {
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
            Err(e) => return Err(ComposeError::Storage(e)),
        }
    }
    state
        .notifier
        .templates()
        .render(kind, lang, data)
        .map_err(|e| ComposeError::Broken(e.to_string()))
}

fn organizer(config: &declic_config::Config) -> (String, Option<String>) {
    let from = config.mail.from.trim();
    match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if b > a => (
            from[a + 1..b].to_owned(),
            Some(from[..a].trim().trim_matches('"').to_owned()).filter(|n| !n.is_empty()),
        ),
        _ => (from.to_owned(), None),
    }
}

async fn calendar(
    state: &App,
    ctx: &Ctx,
    to: &str,
    mission_id: i64,
    method: IcsMethod,
) -> Result<Vec<Attachment>, ComposeError> {
    let Some((m, assoc)) = ctx.catalog.mission(mission_id) else {
        return Ok(vec![]);
    };
    let assoc = &assoc.name;
    let (organizer_email, organizer_name) = organizer(&state.config);
    // Stored per seat and strictly increasing, so calendars apply every invitation,
    // update and cancellation in order; never below the minutes since 2024 that
    // numbered the invitations sent before it was stored.
    let minutes = (chrono::Utc::now().timestamp() - 1_704_067_200).max(0) / 60;
    let sequence = state
        .store
        .next_ics_sequence(ctx.reg.id, mission_id, minutes)
        .await?;
    let sequence = u32::try_from(sequence).unwrap_or(u32::MAX);
    let event = IcsEvent {
        uid: format!(
            "declic-registration-{}-mission-{}@{}",
            ctx.reg.id, mission_id, state.config.mail.message_id_domain
        ),
        sequence,
        method,
        summary: m.title.clone(),
        // Not the personal page's link: an invitation is often forwarded, and that link
        // is enough to cancel the seat.
        description: format!("{assoc}\n{}", ctx.catalog.campaign.title),
        location: Some(texts::place(ctx.lang, m)),
        url: m.online_link.clone(),
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        time_zone: m.time_zone.clone(),
        organizer_email,
        organizer_name,
        attendee_email: to.to_owned(),
        attendee_name: Some(ctx.reg.first_name.clone()).filter(|n| !n.is_empty()),
        stamp: chrono::Utc::now(),
    };
    Ok(match ics(&event) {
        Ok(text) => vec![Attachment::calendar(text, method)],
        Err(e) => {
            tracing::warn!(error = %e, "calendar invitation not built");
            vec![]
        }
    })
}

/// What changed in a mission, as the mail says it.
fn change_text(lang: Lang, change: &str) -> &'static str {
    match (change, lang) {
        ("time", Lang::Fr) => "nouvel horaire",
        ("time", Lang::En) => "new time",
        ("place", Lang::Fr) => "nouveau lieu",
        ("place", Lang::En) => "new place",
        (_, Lang::Fr) => "nouveau format",
        (_, Lang::En) => "new format",
    }
}

/// A link's token, opened from the message's parameters.
fn token(state: &App, params: &Value) -> Result<String, ComposeError> {
    params["token"]
        .as_str()
        .and_then(|sealed| state.signer.open(sealed))
        .ok_or_else(|| {
            ComposeError::Broken("the link cannot be opened (was the secret key changed?)".into())
        })
}

fn mission_param(params: &Value) -> Result<i64, ComposeError> {
    params["mission_id"]
        .as_i64()
        .ok_or_else(|| ComposeError::Broken("no mission".into()))
}

/// The mail of a queued message, to `to` (the address to use now).
pub async fn compose(
    state: &App,
    row: &message::Model,
    to: &str,
) -> Result<OutgoingMail, ComposeError> {
    let kind = MessageKind::from_name(&row.kind)
        .ok_or_else(|| ComposeError::Broken(format!("unknown message {}", row.kind)))?;
    let params: Value = serde_json::from_str(&row.params).unwrap_or(Value::Null);
    // The organisation's slug comes with what each mail reads anyway (for the link to
    // its information notice), never from a query of its own.
    let (scope, lang, name, data, attachments, slug) = match kind {
        MessageKind::AmbassadorInvitation
        | MessageKind::AmbassadorSignIn
        | MessageKind::AdminPasswordReset => {
            let organization = state.store.organization(OrgId(row.organization_id)).await?;
            let (scope, lang, name, data) =
                account_mail(state, kind, row, &params, &organization.name).await?;
            (scope, lang, name, data, vec![], organization.slug)
        }
        MessageKind::DomainProof => {
            let lang = page_lang(&row.language);
            let code = lang.as_str();
            let base = base_url(state);
            let org = state.store.organization(OrgId(row.organization_id)).await?;
            let organization = org.name;
            let hours = crate::domains::PROOF_VALID_HOURS;
            let data = json!({
                "organization_name": organization,
                "domain": params["domain"].as_str().unwrap_or_default(),
                "manage_url": format!("{base}/console/sign-in?lang={code}"),
                "confirm_url": format!("{base}/domain-proof/{}?lang={code}", token(state, &params)?),
                "expires_text": match lang {
                    Lang::Fr => format!("{hours} heures"),
                    Lang::En => format!("{hours} hours"),
                },
            });
            // Declic's own mail, never an organisation's wording.
            (None, lang, None, data, vec![], org.slug)
        }
        MessageKind::DuoInvitation => {
            let ctx = context(state, reg_id(row)?).await?;
            let mission = mission_param(&params)?;
            let link_code = params["link_code"].as_str().unwrap_or_default();
            let url = format!(
                "{}/c/{link_code}?mission={mission}&duo={}&lang={}",
                base_url(state),
                duo_param(state, ctx.reg.id),
                ctx.reg.language
            );
            let data = json!({
                "first_name": "",
                "organization_name": ctx.catalog.organization.name,
                "campaign_title": ctx.catalog.campaign.title,
                "manage_url": url,
                "inviter_first_name": ctx.reg.first_name,
                "mission": ctx.mission(mission),
                "register_url": url,
            });
            let slug = ctx.catalog.organization.slug.clone();
            (Some(ctx.scope()), ctx.lang, None, data, vec![], slug)
        }
        _ => {
            let ctx = context(state, reg_id(row)?).await?;
            let (data, attachments) =
                registration_mail(state, kind, &ctx, row, &params, to).await?;
            let name = Some(ctx.reg.first_name.clone());
            let slug = ctx.catalog.organization.slug.clone();
            (Some(ctx.scope()), ctx.lang, name, data, attachments, slug)
        }
    };
    let rendered = render(state, scope, kind, lang, &data).await?;
    let mut mail = OutgoingMail {
        to: to.to_owned(),
        to_name: name.filter(|n| !n.is_empty()),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attachments,
        list_unsubscribe: None,
    };
    crate::privacy::with_notice_link(state, &mut mail, &slug, lang);
    Ok(mail)
}

fn reg_id(row: &message::Model) -> Result<i64, ComposeError> {
    row.registration_id
        .ok_or_else(|| ComposeError::Broken("no registration".into()))
}

/// The mails about a person's own registration.
async fn registration_mail(
    state: &App,
    kind: MessageKind,
    ctx: &Ctx,
    row: &message::Model,
    params: &Value,
    to: &str,
) -> Result<(Value, Vec<Attachment>), ComposeError> {
    Ok(match kind {
        MessageKind::ConfirmRegistration => {
            let token = token(state, params)?;
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
            (
                ctx.with(
                    json!({"confirm_url": url, "expires_text": expires, "missions": missions}),
                ),
                vec![],
            )
        }
        MessageKind::SeatConfirmed => {
            let m = mission_param(params)?;
            (
                ctx.with(json!({"mission": ctx.mission(m)})),
                calendar(state, ctx, to, m, IcsMethod::Request).await?,
            )
        }
        MessageKind::CancellationAck => {
            let m = mission_param(params)?;
            let by_organiser = params["by_organiser"].as_bool().unwrap_or(false);
            // Only a seat had an invitation to take back.
            let attachments = if params["calendar"].as_bool().unwrap_or(true) {
                calendar(state, ctx, to, m, IcsMethod::Cancel).await?
            } else {
                vec![]
            };
            (
                ctx.with(json!({"mission": ctx.mission(m), "by_organiser": by_organiser})),
                attachments,
            )
        }
        MessageKind::Waitlisted => {
            let m = mission_param(params)?;
            let position = params["position"].as_u64().unwrap_or(1);
            (
                ctx.with(json!({"mission": ctx.mission(m), "position": position})),
                vec![],
            )
        }
        MessageKind::SeatOffered => {
            let m = mission_param(params)?;
            let expires = row
                .expires_at
                .ok_or_else(|| ComposeError::Broken("an offer without a deadline".into()))?;
            let deadline = format!(
                "{} {}",
                texts::date(ctx.lang, expires.date_naive()),
                expires.format("%H:%M UTC")
            );
            (
                ctx.with(json!({"mission": ctx.mission(m), "claim_url": ctx.manage_url, "claim_deadline_text": deadline})),
                vec![],
            )
        }
        MessageKind::MissionReminder => {
            let m = mission_param(params)?;
            (ctx.with(json!({"mission": ctx.mission(m)})), vec![])
        }
        MessageKind::MissionChanged => {
            let m = mission_param(params)?;
            let seated = params["seated"].as_bool().unwrap_or(false);
            let changes: Vec<String> = params["changes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(|c| change_text(ctx.lang, c).to_owned())
                .collect();
            let attachments = if seated {
                calendar(state, ctx, to, m, IcsMethod::Request).await?
            } else {
                vec![]
            };
            (
                ctx.with(json!({"mission": ctx.mission(m), "seated": seated, "changes_text": changes.join(", ")})),
                attachments,
            )
        }
        MessageKind::DuoPartnerWaitlisted => {
            let m = mission_param(params)?;
            let partner = match params["partner_registration_id"].as_i64() {
                Some(id) => state.store.registration_view(id).await?.first_name,
                None => String::new(),
            };
            (
                ctx.with(json!({"partner_first_name": partner, "mission": ctx.mission(m), "waitlist_together_url": ctx.manage_url})),
                vec![],
            )
        }
        other => {
            return Err(ComposeError::Broken(format!(
                "{} is not a message about a registration",
                other.as_str()
            )));
        }
    })
}

/// The mails about a person's account: the ambassador's invitation and sign-in
/// link, the console's password reset.
async fn account_mail(
    state: &App,
    kind: MessageKind,
    row: &message::Model,
    params: &Value,
    organization: &str,
) -> Result<(Option<Scope>, Lang, Option<String>, Value), ComposeError> {
    let org = OrgId(row.organization_id);
    let lang = page_lang(&row.language);
    let code = lang.as_str();
    let base = base_url(state);
    let scope = Some(Scope {
        org,
        campaign: None,
    });
    if kind == MessageKind::AdminPasswordReset {
        let token = token(state, params)?;
        let minutes = state.config.security.sign_in_link_minutes;
        let data = json!({
            "organization_name": organization,
            "manage_url": format!("{base}/console/sign-in?lang={code}"),
            "reset_url": format!("{base}/sign-in/{token}?lang={code}"),
            "expires_text": format!("{minutes} minutes"),
        });
        // The console's own mail: never an organisation's wording.
        return Ok((None, lang, None, data));
    }
    let first_name = match row.employee_id {
        Some(id) => state.store.employee(org, id).await?.first_name,
        None => String::new(),
    };
    let mut data = json!({
        "first_name": first_name,
        "organization_name": organization,
        "manage_url": format!("{base}/a/sign-in?lang={code}"),
    });
    if kind == MessageKind::AmbassadorSignIn {
        let token = token(state, params)?;
        let minutes = state.config.registration.ambassador_link_minutes;
        data["sign_in_url"] = Value::from(format!("{base}/a/login/{token}?lang={code}"));
        data["expires_text"] = Value::from(format!("{minutes} minutes"));
    }
    Ok((scope, lang, Some(first_name), data))
}
