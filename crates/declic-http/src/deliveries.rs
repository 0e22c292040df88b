//! The delivery worker: claims due deliveries, renders each message in the
//! recipient's language, sends it (mail with a one-click unsubscribe link, RFC 8058)
//! and records the outcomes; then marks finished the dispatches with nothing left.
//! The scheduler calls [`deliver_due`] on every tick; several instances may do so at
//! once (the claim keeps them apart).
//!
//! Within a batch, up to `[delivery] mail_concurrency` mails are in flight at once
//! (each on its own pooled SMTP connection), paced by `mail_per_second` when set;
//! the outcomes of a batch are written in one transaction.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::Duration;
use declic_config::DeliveryConfig;
use declic_messaging::templates::{Lang as MailLang, MessageKind, Rendered};
use declic_messaging::{OutgoingMail, SendError};
use declic_planning::Channel;
use declic_storage::dispatches::{ClaimedDelivery, Outcome, RetryPolicy};
use declic_storage::{OrgId, StorageError};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::{Value, json};

use crate::public::texts;
use tokio::task::JoinSet;

use crate::AppState;

/// The worker's settings, from `[delivery]`, and its pace, shared by every batch
/// of this process.
pub struct DeliverySettings {
    /// Deliveries claimed at a time.
    pub batch: u64,
    /// How long a claimed delivery is reserved for this worker.
    pub lease: Duration,
    /// How temporary failures are retried.
    pub policy: RetryPolicy,
    mail_concurrency: usize,
    webhook_concurrency: usize,
    mail_pace: Option<DefaultDirectRateLimiter>,
}

impl DeliverySettings {
    /// From `[delivery]` (values already checked to be at least 1).
    pub fn new(c: &DeliveryConfig) -> Self {
        Self {
            batch: u64::from(c.batch_size.max(1)),
            lease: Duration::seconds(i64::try_from(c.lease_secs).unwrap_or(i64::MAX / 1000)),
            policy: RetryPolicy {
                max_attempts: i32::try_from(c.max_attempts.max(1)).unwrap_or(i32::MAX),
                first_delay: secs(c.retry_first_secs),
                max_delay: secs(c.retry_max_secs),
            },
            mail_concurrency: usize::try_from(c.mail_concurrency.max(1)).unwrap_or(1),
            webhook_concurrency: usize::try_from(c.webhook_concurrency.max(1)).unwrap_or(1),
            mail_pace: NonZeroU32::new(c.mail_per_second)
                .map(|n| RateLimiter::direct(Quota::per_second(n).allow_burst(NonZeroU32::MIN))),
        }
    }
}

fn secs(s: u64) -> Duration {
    Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 1000))
}

/// What the messages of one dispatch share, looked up once per batch.
struct Shared {
    channel: String,
    kind: MessageKind,
    catalog: Arc<declic_storage::CampaignCatalog>,
    /// The campaign's link tagged for the channel, without the language.
    campaign_url: String,
    /// The organisation's own wording of the message, French and English, when it
    /// wrote one (the campaign's own first).
    custom: [Option<declic_messaging::templates::CompiledCustom>; 2],
}

impl Shared {
    fn render(&self, state: &AppState, lang: MailLang, data: &Value) -> Result<Rendered, String> {
        let custom = match lang {
            MailLang::Fr => &self.custom[0],
            MailLang::En => &self.custom[1],
        };
        match custom {
            Some(c) => c
                .render(data)
                .map_err(|e| format!("{}: {}", e.part, e.message)),
            None => state
                .notifier
                .templates()
                .render(self.kind, lang, data)
                .map_err(|e| e.to_string()),
        }
    }
}

async fn shared(state: &AppState, d: &ClaimedDelivery) -> Result<Shared, StorageError> {
    let org = OrgId(d.organization_id);
    let dispatch = state.store.dispatch_row(org, d.dispatch_id).await?;
    shared_for(
        state,
        org,
        dispatch.campaign_id,
        dispatch.step_kind.as_deref(),
        dispatch.channel,
    )
    .await
}

async fn shared_for(
    state: &AppState,
    org: OrgId,
    campaign_id: i64,
    step: Option<&str>,
    channel: String,
) -> Result<Shared, StorageError> {
    let catalog = state.store.campaign_catalog(org, campaign_id).await?;
    let tagged = match channel.as_str() {
        "slack" => Channel::Slack,
        "teams" => Channel::Teams,
        _ => Channel::Mail,
    };
    let link = state
        .store
        .ensure_link(org, campaign_id, tagged, None, None)
        .await?;
    let kind = MessageKind::for_step(step);
    let mut custom = [None, None];
    for (slot, lang) in custom.iter_mut().zip(MailLang::ALL) {
        let Some(t) = state
            .store
            .message_template_for(org, campaign_id, kind.as_str(), lang.as_str())
            .await?
        else {
            continue;
        };
        let source = declic_messaging::templates::CustomTemplate {
            subject: t.subject,
            text: t.text,
            html: t.html,
        };
        match declic_messaging::templates::CompiledCustom::check(kind, lang, &source) {
            Ok(c) => *slot = Some(c),
            // Checked when saved; only a change of Declic's own contract can get here.
            Err(e) => tracing::warn!(
                template = t.id,
                problems = ?e,
                "custom template no longer valid: the built-in message is used"
            ),
        }
    }
    Ok(Shared {
        channel,
        kind,
        catalog,
        campaign_url: format!("{}/c/{}", crate::public::base_url(state), link.code),
        custom,
    })
}

/// A campaign message as one person (or a sample person) would get it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// `mail`, `slack` or `teams`.
    pub channel: String,
    /// The message: `campaign_announcement`, `campaign_reminder`, `campaign_last_call`,
    /// or `channel_post` for Slack and Teams.
    pub message: String,
    /// `fr` or `en`.
    pub language: String,
    /// The audience the step would reach now (active, in the campaign's filter, not
    /// opted out; for reminders, not registered); 0 for a channel post.
    pub audience: u64,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// For Slack and Teams: the JSON posted to the webhook (Block Kit, Adaptive Card).
    pub payload: Option<Value>,
}

/// Renders the message of a step (`launch`, `reminder`, `last_call`) for a
/// recipient of the organisation, or for a sample person. The unsubscribe link is
/// a placeholder: a preview must not carry a working one.
pub async fn preview(
    state: &AppState,
    org: OrgId,
    campaign_id: i64,
    step: &str,
    channel: &str,
    employee_id: Option<i64>,
    lang: Option<MailLang>,
) -> Result<Preview, StorageError> {
    if !declic_storage::dispatches::STEP_KINDS.contains(&step) {
        return Err(StorageError::invalid(
            "step",
            "use launch, reminder or last_call",
        ));
    }
    if !declic_storage::dispatches::CHANNELS.contains(&channel) {
        return Err(StorageError::invalid(
            "channel",
            "unknown channel: use mail, slack or teams",
        ));
    }
    let shared = shared_for(state, org, campaign_id, Some(step), channel.to_owned()).await?;
    if channel != "mail" {
        // A channel post: the payload exactly as it would be posted.
        let message = webhook_message(&shared);
        let payload = if channel == "teams" {
            declic_messaging::webhooks::teams::payload(&message)
        } else {
            declic_messaging::webhooks::slack::payload(&message)
        }
        .map_err(|e| StorageError::invalid("campaign", e.to_string()))?;
        return Ok(Preview {
            channel: channel.to_owned(),
            message: "channel_post".to_owned(),
            language: message.lang.as_str().to_owned(),
            audience: 0,
            subject: message.title.clone(),
            text: message.body.clone(),
            html: String::new(),
            payload: Some(payload),
        });
    }
    let (first_name, language) = match employee_id {
        Some(id) => {
            let e = state.store.employee(org, id).await?;
            (e.first_name, e.language)
        }
        None => ("Camille".to_owned(), None),
    };
    let lang = lang.unwrap_or_else(|| recipient_lang(&shared, language.as_deref()));
    let placeholder = format!("{}/u/preview", crate::public::base_url(state));
    let data = campaign_data(&shared, &first_name, lang, &placeholder);
    let rendered = shared
        .render(state, lang, &data)
        .map_err(|e| StorageError::invalid("template", e))?;
    let audience = state
        .store
        .message_audience_size(org, campaign_id, channel, step != "launch")
        .await?;
    Ok(Preview {
        channel: channel.to_owned(),
        message: shared.kind.as_str().to_owned(),
        language: lang.as_str().to_owned(),
        audience,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        payload: None,
    })
}

/// The pages' language type for the mail's (dates and mission texts come from there).
fn page_lang(lang: MailLang) -> crate::pages::Lang {
    match lang {
        MailLang::En => crate::pages::Lang::En,
        MailLang::Fr => crate::pages::Lang::Fr,
    }
}

fn recipient_lang(shared: &Shared, language: Option<&str>) -> MailLang {
    match language {
        Some("en") => MailLang::En,
        Some("fr") => MailLang::Fr,
        _ if shared.catalog.organization.default_language == "en" => MailLang::En,
        _ => MailLang::Fr,
    }
}

/// Sends one batch of due deliveries; returns how many were tried (0: nothing due).
pub async fn deliver_due(state: &AppState) -> Result<usize, StorageError> {
    deliver_for(state, std::time::Duration::ZERO).await
}

/// Sends due deliveries batch after batch until none is due or `budget` has
/// passed; returns how many were tried. While a batch goes out, the previous
/// batch's outcomes are written and the next batch is claimed, so the database's
/// round trips overlap the mail's. A crash loses nothing: at most the batch being
/// sent and the one being recorded go out again once their lease ends.
pub async fn deliver_for(
    state: &AppState,
    budget: std::time::Duration,
) -> Result<usize, StorageError> {
    let settings = &state.delivery;
    let started = std::time::Instant::now();
    let mut claimed = state
        .store
        .claim_deliveries(settings.batch, settings.lease)
        .await?;
    let mut previous: Vec<(ClaimedDelivery, Outcome)> = Vec::new();
    // Each dispatch's context (link, catalogue, custom templates) is loaded once per
    // call, not once per batch; a call lasts at most `budget` plus one batch.
    let mut contexts: HashMap<i64, Arc<Shared>> = HashMap::new();
    let mut tried = 0;
    while !claimed.is_empty() {
        tried += claimed.len();
        let more = started.elapsed() < budget;
        let batch_started = std::time::Instant::now();
        let (sent, next) = tokio::join!(send_batch(state, &mut contexts, claimed), async {
            state
                .store
                .record_deliveries(&previous, &settings.policy)
                .await?;
            if more {
                state
                    .store
                    .claim_deliveries(settings.batch, settings.lease)
                    .await
            } else {
                Ok(Vec::new())
            }
        });
        previous = sent?;
        claimed = next?;
        tracing::debug!(
            sent = previous.len(),
            batch_ms = batch_started.elapsed().as_millis(),
            "delivery batch"
        );
    }
    state
        .store
        .record_deliveries(&previous, &settings.policy)
        .await?;
    state.store.finish_dispatches().await?;
    Ok(tried)
}

/// Sends a claimed batch, `mail_concurrency` at a time; returns every outcome.
async fn send_batch(
    state: &AppState,
    contexts: &mut HashMap<i64, Arc<Shared>>,
    claimed: Vec<ClaimedDelivery>,
) -> Result<Vec<(ClaimedDelivery, Outcome)>, StorageError> {
    let settings = &state.delivery;
    // A context that failed to load is not kept: the next batch tries again.
    let mut failed: HashMap<i64, String> = HashMap::new();
    for d in &claimed {
        if !contexts.contains_key(&d.dispatch_id) && !failed.contains_key(&d.dispatch_id) {
            match shared(state, d).await {
                Ok(s) => {
                    contexts.insert(d.dispatch_id, Arc::new(s));
                }
                Err(e) => {
                    failed.insert(d.dispatch_id, e.to_string());
                }
            }
        }
    }
    let ids: Vec<i64> = claimed.iter().filter_map(|d| d.employee_id).collect();
    let people = state.store.recipients_brief(&ids).await?;
    let mut outcomes = Vec::with_capacity(claimed.len());
    let mut in_flight: JoinSet<(ClaimedDelivery, Outcome)> = JoinSet::new();
    for d in claimed {
        let Some(shared) = contexts.get(&d.dispatch_id).map(Arc::clone) else {
            // The store failing is the database's problem, not the recipient's: retry later.
            let e = failed
                .get(&d.dispatch_id)
                .cloned()
                .unwrap_or_else(|| "dispatch not loaded".into());
            outcomes.push((d, Outcome::Temporary(e)));
            continue;
        };
        if d.webhook_id.is_some() {
            // A channel post: the webhook sender paces each webhook itself.
            while in_flight.len() >= settings.webhook_concurrency {
                collect(in_flight.join_next().await, &mut outcomes);
            }
            let state = state.clone();
            in_flight.spawn(async move {
                let outcome = post(&state, &d, &shared).await;
                (d, outcome)
            });
            continue;
        }
        let Some(person) = d.employee_id.and_then(|id| people.get(&id).cloned()) else {
            outcomes.push((d, Outcome::Permanent("recipient no longer exists".into())));
            continue;
        };
        while in_flight.len() >= settings.mail_concurrency {
            collect(in_flight.join_next().await, &mut outcomes);
        }
        if let Some(pace) = &settings.mail_pace {
            pace.until_ready().await;
        }
        let state = state.clone();
        in_flight.spawn(async move {
            let outcome = match deliver(&state, &d, &shared, person).await {
                Ok(()) => Outcome::Sent,
                Err(SendError::Temporary(e)) => Outcome::Temporary(e),
                Err(SendError::Permanent(e)) => Outcome::Permanent(e),
            };
            (d, outcome)
        });
    }
    while let Some(done) = in_flight.join_next().await {
        collect(Some(done), &mut outcomes);
    }
    Ok(outcomes)
}

/// Keeps a finished send's outcome. A send task that panicked leaves its row
/// claimed: it is tried again when the lease ends.
fn collect(
    done: Option<Result<(ClaimedDelivery, Outcome), tokio::task::JoinError>>,
    outcomes: &mut Vec<(ClaimedDelivery, Outcome)>,
) {
    match done {
        Some(Ok(o)) => outcomes.push(o),
        Some(Err(e)) => tracing::error!(error = %e, "a delivery task failed"),
        None => {}
    }
}

/// What a campaign message says to one person: the contract of
/// [`declic_messaging::templates::sample_data`] for campaign messages.
fn campaign_data(shared: &Shared, first_name: &str, lang: MailLang, unsubscribe: &str) -> Value {
    let catalog = &shared.catalog;
    let page_lang = page_lang(lang);
    let missions: Vec<Value> = catalog
        .missions
        .iter()
        .filter(|(m, _)| m.status == "published")
        .map(|(m, a)| texts::mission_json(page_lang, m, &a.name))
        .collect();
    json!({
        "first_name": first_name,
        "organization_name": catalog.organization.name,
        "campaign_title": catalog.campaign.title,
        "key_message": catalog.campaign.key_message,
        "campaign_url": format!("{}?lang={}", shared.campaign_url, lang.as_str()),
        "manage_url": unsubscribe,
        "deadline_text": catalog
            .campaign
            .registration_closes
            .map(|d| texts::date(page_lang, d))
            .unwrap_or_default(),
        "missions": missions,
    })
}

/// One delivery: the campaign's message with the mail-tagged link.
async fn deliver(
    state: &AppState,
    d: &ClaimedDelivery,
    shared: &Shared,
    (first_name, language): (String, Option<String>),
) -> Result<(), SendError> {
    let org = OrgId(d.organization_id);
    let lang = recipient_lang(shared, language.as_deref());
    let employee_id = d.employee_id.unwrap_or_default();
    let unsubscribe = crate::unsubscribe_url(state, org, employee_id, &shared.channel);
    let data = campaign_data(shared, &first_name, lang, &unsubscribe);
    let rendered = shared
        .render(state, lang, &data)
        .map_err(SendError::Permanent)?;
    let mail = OutgoingMail {
        to: d.recipient.clone(),
        to_name: Some(first_name).filter(|n| !n.is_empty()),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attachments: vec![],
        // RFC 8058 asks for https; a local http set-up keeps the link in the footer only.
        list_unsubscribe: Some(unsubscribe).filter(|u| u.starts_with("https://")),
    };
    state.notifier.mailer.send(&mail).await.map(|_| ())
}

/// What a Slack or Teams post says: the campaign's title, key message, sign-up
/// deadline and a button to the channel-tagged link, in the organisation's language.
fn webhook_message(shared: &Shared) -> declic_messaging::WebhookMessage {
    let catalog = &shared.catalog;
    let lang = recipient_lang(shared, None);
    let page_lang = page_lang(lang);
    let mut message = declic_messaging::WebhookMessage::new(
        lang,
        catalog.campaign.title.clone(),
        catalog.campaign.key_message.clone(),
        format!("{}?lang={}", shared.campaign_url, lang.as_str()),
    );
    if let Some(closes) = catalog.campaign.registration_closes {
        let day = texts::date(page_lang, closes);
        message = message.with_context(match lang {
            MailLang::Fr => format!("Inscriptions jusqu’au {day}"),
            MailLang::En => format!("Sign up by {day}"),
        });
    }
    message
}

/// One Slack or Teams post: the campaign's title, key message and a button to the
/// channel-tagged link, in the organisation's language.
async fn post(state: &AppState, d: &ClaimedDelivery, shared: &Shared) -> Outcome {
    use declic_messaging::{WebhookOutcome, WebhookPlatform, WebhookUrl};
    let org = OrgId(d.organization_id);
    let Some(webhook) = d.webhook_id else {
        return Outcome::Permanent("no webhook".into());
    };
    let (platform, sealed) = match state.store.webhook_secret(org, webhook).await {
        Ok(Some(found)) => found,
        Ok(None) => return Outcome::Permanent("the webhook was deactivated".into()),
        Err(e) => return Outcome::Temporary(e.to_string()),
    };
    let Some(url) = crate::sealed::open(state, &sealed).and_then(|u| WebhookUrl::parse(&u).ok())
    else {
        return Outcome::Permanent(
            "the webhook URL cannot be read (was the secret key changed?): add it again".into(),
        );
    };
    let message = webhook_message(shared);
    let platform = if platform == "teams" {
        WebhookPlatform::Teams
    } else {
        WebhookPlatform::Slack
    };
    match state.webhooks.send(platform, &url, &message).await {
        WebhookOutcome::Sent => Outcome::Sent,
        WebhookOutcome::Temporary {
            reason,
            retry_after: Some(wait),
        } => Outcome::Deferred(
            reason,
            Duration::from_std(wait).unwrap_or_else(|_| Duration::minutes(5)),
        ),
        WebhookOutcome::Temporary { reason, .. } => Outcome::Temporary(reason),
        WebhookOutcome::Permanent { code, reason } => {
            Outcome::Permanent(format!("{code}: {reason}"))
        }
    }
}
