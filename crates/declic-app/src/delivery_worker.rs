//! The delivery worker: claims due deliveries, renders each message in the
//! recipient's language, sends it (mail with a one-click unsubscribe link, RFC 8058)
//! and records the outcomes; then marks finished the dispatches with nothing left.
//! The scheduler calls [`deliver_due`] on every tick; several instances may do so at
//! once (the claim keeps them apart).
//!
//! Up to `[delivery] mail_concurrency` mails are in flight at once (each on its own
//! pooled SMTP connection), paced by `mail_per_second` when set, while the next
//! batch is claimed and finished outcomes are written a batch per transaction.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::Duration;
use declic_config::DeliveryConfig;
use declic_messaging::templates::{Lang as MailLang, MessageKind, Rendered};
use declic_messaging::webhooks::{PayloadError, PostTemplate, WebhookPlatform};
use declic_messaging::{OutgoingMail, SendError};
use declic_planning::Channel;
use declic_storage::dispatches::{ClaimedDelivery, Outcome, RetryPolicy};
use declic_storage::{OrgId, StorageError};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::{Value, json};

use crate::texts;
use tokio::task::JoinSet;

use crate::{App, AppCtx};

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
    /// Held by the scheduler's worker while it runs: one worker per process, so a
    /// tick that comes while the previous one still sends skips its turn instead of
    /// competing for the same SMTP connections (rows would wait in two queues, and
    /// could outlive their lease).
    pub worker: tokio::sync::Mutex<()>,
    /// One campaign mail per SMTP connection between its last check and its send:
    /// the others wait before their check, so a pause stops sending within one
    /// mail per connection.
    send_gate: tokio::sync::Semaphore,
}

impl DeliverySettings {
    /// From `[delivery]` (values already checked to be at least 1) and the number of
    /// SMTP connections.
    pub fn new(c: &DeliveryConfig, connections: u32) -> Self {
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
            worker: tokio::sync::Mutex::new(()),
            send_gate: tokio::sync::Semaphore::new(
                usize::try_from(connections.max(1)).unwrap_or(1),
            ),
        }
    }
}

fn secs(s: u64) -> Duration {
    Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 1000))
}

/// What the messages of one dispatch share, looked up once per worker call.
struct Shared {
    channel: String,
    kind: MessageKind,
    catalog: Arc<declic_storage::CampaignCatalog>,
    /// The campaign's link tagged for the channel, without the language.
    campaign_url: String,
    /// The organisation's own wording of the message, French and English, when it
    /// wrote one (the campaign's own first).
    custom: [Option<declic_messaging::templates::CompiledCustom>; 2],
    /// The organisation's own Slack or Teams post template (the campaign's own first),
    /// in the organisation's language, for a channel dispatch.
    post: Option<declic_messaging::webhooks::PostTemplate>,
    /// What the message says to everyone, French and English.
    base: [Value; 2],
    /// What evaluation and share-back messages need beyond the campaign.
    extra: Extra,
}

/// The part of a dispatch's context that depends on its kind of message.
enum Extra {
    /// A campaign message: nothing more.
    Campaign,
    /// An evaluation wave: each recipient's invitation (for their own link).
    Survey {
        by_employee: HashMap<i64, SurveyInvitation>,
        by_email: HashMap<String, SurveyInvitation>,
        /// Whether volunteers' and associations' answers are kept anonymous.
        anonymous: [bool; 2],
    },
    /// "What your mission changed": HR's note, figures and quotes.
    Share(Value),
}

type SurveyInvitation = declic_storage::entity::survey_invitation::Model;

impl Shared {
    fn render(&self, state: &App, lang: MailLang, data: &Value) -> Result<Rendered, String> {
        match &self.custom[lang_index(lang)] {
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

async fn shared(state: &App, d: &ClaimedDelivery) -> Result<Shared, StorageError> {
    let org = OrgId(d.organization_id);
    let dispatch = state.store.dispatch_row(org, d.dispatch_id).await?;
    let mut shared = shared_for(
        state,
        org,
        dispatch.campaign_id,
        dispatch.step_kind.as_deref(),
        dispatch.channel,
        None,
    )
    .await?;
    shared.extra = match shared.kind {
        MessageKind::EvaluationInvitation | MessageKind::EvaluationReminder => {
            let wave = dispatch
                .step_kind
                .as_deref()
                .map(|k| k.trim_end_matches("_reminder"))
                .and_then(declic_evaluation::Wave::from_step_kind)
                .ok_or(StorageError::NotFound("wave"))?;
            let mut by_employee = HashMap::new();
            let mut by_email = HashMap::new();
            for i in state
                .store
                .wave_invitations(org, dispatch.campaign_id, wave)
                .await?
            {
                match (i.employee_id, i.email.clone()) {
                    (Some(id), _) => {
                        by_employee.insert(id, i);
                    }
                    (None, Some(email)) => {
                        by_email.insert(email, i);
                    }
                    _ => {}
                }
            }
            let mut anonymous = [false; 2];
            for (slot, audience) in anonymous.iter_mut().zip(declic_evaluation::Audience::ALL) {
                *slot = state.store.questionnaire(org, audience).await?.anonymous;
            }
            Extra::Survey {
                by_employee,
                by_email,
                anonymous,
            }
        }
        MessageKind::ImpactSummary => {
            Extra::Share(state.store.share_back_content(dispatch.id).await?)
        }
        _ => Extra::Campaign,
    };
    Ok(shared)
}

async fn shared_for(
    state: &App,
    org: OrgId,
    campaign_id: i64,
    step: Option<&str>,
    channel: String,
    draft: Option<&Draft>,
) -> Result<Shared, StorageError> {
    let mut catalog = state.store.campaign_catalog(org, campaign_id).await?;
    if let Some(d) = draft {
        let c = &mut Arc::make_mut(&mut catalog).campaign;
        for (field, text) in [
            (&mut c.title, &d.title),
            (&mut c.key_message, &d.key_message),
            (&mut c.why_it_matters, &d.why_it_matters),
        ] {
            if let Some(t) = text {
                field.clone_from(t);
            }
        }
    }
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
        *slot = crate::wording::own_mail(state, org, Some(campaign_id), kind, lang).await?;
    }
    if let Some((lang, source)) = draft.and_then(|d| d.template.as_ref()) {
        let slot = &mut custom[usize::from(*lang == MailLang::En)];
        *slot = Some(
            declic_messaging::templates::CompiledCustom::check(kind, *lang, source).map_err(
                |problems| {
                    let text = problems
                        .iter()
                        .map(|p| format!("{}: {}", p.part, p.message))
                        .collect::<Vec<_>>()
                        .join("; ");
                    StorageError::invalid("template", text)
                },
            )?,
        );
    }
    let post = match tagged {
        Channel::Slack => Some(WebhookPlatform::Slack),
        Channel::Teams => Some(WebhookPlatform::Teams),
        _ => None,
    };
    let post = match post {
        Some(platform) => {
            let lang = org_lang(&catalog);
            crate::wording::own_post(state, org, campaign_id, platform, lang).await?
        }
        None => None,
    };
    let campaign_url = format!("{}/c/{}", crate::links::base_url(state), link.code);
    let base = MailLang::ALL.map(|lang| campaign_base(&catalog, &campaign_url, lang));
    Ok(Shared {
        channel,
        kind,
        catalog,
        campaign_url,
        custom,
        post,
        base,
        extra: Extra::Campaign,
    })
}

/// The payload of a Slack or Teams post of this dispatch: the organisation's own
/// template when it wrote one, else the built-in one.
fn post_payload(shared: &Shared, platform: WebhookPlatform) -> Result<Value, PayloadError> {
    let message = webhook_message(shared);
    if let Some(own) = shared.post.as_ref().filter(|p| p.platform() == platform) {
        match own.render(&message) {
            Ok(payload) => return Ok(payload),
            // Checked with every step and far-fetched data when saved; should real data
            // still break it, the channel gets the built-in post rather than nothing.
            Err(PayloadError::Template(e)) => tracing::warn!(
                platform = platform.as_str(),
                error = e,
                "own post template failed: the built-in post is used"
            ),
            Err(e) => return Err(e),
        }
    }
    PostTemplate::builtin(platform, message.lang)?.render(&message)
}

/// Campaign texts being edited and not saved yet: the console previews them as HR types.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub title: Option<String>,
    pub key_message: Option<String>,
    pub why_it_matters: Option<String>,
    /// The message's own wording in one language, being written.
    pub template: Option<(MailLang, declic_messaging::templates::CustomTemplate)>,
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
    state: &App,
    org: OrgId,
    campaign_id: i64,
    step: &str,
    channel: &str,
    employee_id: Option<i64>,
    lang: Option<MailLang>,
) -> Result<Preview, StorageError> {
    preview_draft(
        state,
        org,
        campaign_id,
        step,
        channel,
        employee_id,
        lang,
        None,
    )
    .await
}

/// [`preview`] with unsaved campaign texts.
#[expect(
    clippy::too_many_arguments,
    reason = "the preview's parameters, one each"
)]
pub async fn preview_draft(
    state: &App,
    org: OrgId,
    campaign_id: i64,
    step: &str,
    channel: &str,
    employee_id: Option<i64>,
    lang: Option<MailLang>,
    draft: Option<&Draft>,
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
    let shared = shared_for(
        state,
        org,
        campaign_id,
        Some(step),
        channel.to_owned(),
        draft,
    )
    .await?;
    if channel != "mail" {
        // A channel post: the payload exactly as it would be posted.
        let message = webhook_message(&shared);
        let platform = if channel == "teams" {
            WebhookPlatform::Teams
        } else {
            WebhookPlatform::Slack
        };
        let payload = post_payload(&shared, platform)
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
    let placeholder = format!("{}/u/preview", crate::links::base_url(state));
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

fn recipient_lang(shared: &Shared, language: Option<&str>) -> MailLang {
    match language {
        Some("en") => MailLang::En,
        Some("fr") => MailLang::Fr,
        _ => org_lang(&shared.catalog),
    }
}

/// The organisation's language: that of channel posts and of people without one.
fn org_lang(catalog: &declic_storage::CampaignCatalog) -> MailLang {
    if catalog.organization.default_language == "en" {
        MailLang::En
    } else {
        MailLang::Fr
    }
}

/// Sends one batch of due deliveries; returns how many were tried (0: nothing due).
pub async fn deliver_due(state: &AppCtx) -> Result<usize, StorageError> {
    deliver_for(state, std::time::Duration::ZERO).await
}

/// Sends due deliveries until none is due or `budget` has passed; returns how many
/// were tried. One stream, not a sequence of batches: up to `mail_concurrency`
/// mails (and `webhook_concurrency` posts) are in flight; the next batch is
/// claimed while fewer than a batch are waiting, and finished outcomes are written
/// while the sends go on (all those finished since the last write, in one
/// transaction). A send's slot is free again only once its outcome is written, so
/// what was sent and not recorded never exceeds the concurrency: after a crash, at
/// most `mail_concurrency` mails go twice. Rows claimed and not sent yet keep a
/// short lease that this worker renews while it holds them; a dead worker's rows
/// are claimed again within a lease. Right before each send the dispatch (paused:
/// the row goes back to the queue; cancelled) and the recipient (left, erased,
/// opted out) are read again.
pub async fn deliver_for(
    state: &AppCtx,
    budget: std::time::Duration,
) -> Result<usize, StorageError> {
    let settings = &state.delivery;
    let started = std::time::Instant::now();
    let batch = usize::try_from(settings.batch).unwrap_or(usize::MAX);
    // Each dispatch's context (link, catalogue, custom templates) is loaded once per
    // call; a context that failed to load is not kept, the next call tries again.
    let mut contexts: HashMap<i64, Arc<Shared>> = HashMap::new();
    let mut mails: VecDeque<(ClaimedDelivery, Option<Person>)> = VecDeque::new();
    let mut posts: VecDeque<ClaimedDelivery> = VecDeque::new();
    let mut outcomes: Vec<(ClaimedDelivery, Outcome)> = Vec::new();
    let mut mail_sends: JoinSet<(ClaimedDelivery, Outcome)> = JoinSet::new();
    let mut post_sends: JoinSet<(ClaimedDelivery, Outcome)> = JoinSet::new();
    let mut claiming: Option<Pending<Result<Claimed, StorageError>>> =
        Some(Box::pin(claim(state.clone())));
    let mut recording: Option<Pending<Result<(), StorageError>>> = None;
    // Outcomes being written, and every row this worker holds (for its lease).
    let mut recording_len = 0;
    let mut recording_ids: Vec<i64> = Vec::new();
    let mut held: std::collections::HashSet<i64> = std::collections::HashSet::new();
    let mut renew = tokio::time::interval(lease_renewal(settings.lease));
    let mut renewing: Option<tokio::task::JoinHandle<()>> = None;
    renew.tick().await;
    let mut exhausted = false;
    let mut tried = 0;
    loop {
        // Start what may start: a slot is taken from the send until its outcome is
        // written, so a crash re-sends at most `mail_concurrency` mails.
        while mail_sends.len() + outcomes.len() + recording_len < settings.mail_concurrency
            && let Some((d, person)) = mails.pop_front()
        {
            let Some(shared) = context(state, &mut contexts, &d).await else {
                outcomes.push((d, Outcome::Temporary("dispatch not loaded".into())));
                continue;
            };
            let Some(person) = person else {
                outcomes.push((d, Outcome::Permanent("recipient no longer exists".into())));
                continue;
            };
            let state = state.clone();
            mail_sends.spawn(async move {
                if let Some(pace) = &state.delivery.mail_pace {
                    pace.until_ready().await;
                }
                let Ok(_gate) = state.delivery.send_gate.acquire().await else {
                    return (d, Outcome::Requeue);
                };
                if let Some(stop) = before_send(&state, &d, shared.kind).await {
                    return (d, stop);
                }
                let outcome = match deliver(&state, &d, &shared, person).await {
                    Ok(()) => Outcome::Sent,
                    Err(SendError::Temporary(e)) => Outcome::Temporary(e),
                    Err(SendError::Permanent(e)) => Outcome::Permanent(e),
                };
                (d, outcome)
            });
        }
        while post_sends.len() + outcomes.len() + recording_len
            < settings.webhook_concurrency + settings.mail_concurrency
            && let Some(d) = posts.pop_front()
        {
            let Some(shared) = context(state, &mut contexts, &d).await else {
                outcomes.push((d, Outcome::Temporary("dispatch not loaded".into())));
                continue;
            };
            let state = state.clone();
            // The webhook sender paces each webhook itself.
            post_sends.spawn(async move {
                if let Some(stop) = before_send(&state, &d, shared.kind).await {
                    return (d, stop);
                }
                let outcome = post(&state, &d, &shared).await;
                (d, outcome)
            });
        }
        let waiting = mails.len() + posts.len();
        if claiming.is_none() && !exhausted && waiting < batch {
            if started.elapsed() < budget {
                claiming = Some(Box::pin(claim(state.clone())));
            } else {
                exhausted = true;
            }
        }
        let idle =
            mail_sends.is_empty() && post_sends.is_empty() && waiting == 0 && claiming.is_none();
        if recording.is_none() && !outcomes.is_empty() {
            let done = std::mem::take(&mut outcomes);
            let state = state.clone();
            recording_len = done.len();
            recording_ids = done.iter().map(|(d, _)| d.id).collect();
            recording = Some(Box::pin(async move {
                let t = std::time::Instant::now();
                let r = state
                    .store
                    .record_deliveries(&done, &state.delivery.policy)
                    .await;
                tracing::debug!(
                    recorded = done.len(),
                    record_ms = t.elapsed().as_millis(),
                    "record"
                );
                r
            }));
        }
        if idle && recording.is_none() && outcomes.is_empty() {
            break;
        }
        // Wait for the next thing to happen.
        tokio::select! {
            Some(done) = mail_sends.join_next(), if !mail_sends.is_empty() => {
                collect(done, &mut outcomes);
            },
            Some(done) = post_sends.join_next(), if !post_sends.is_empty() => {
                collect(done, &mut outcomes);
            },
            got = async { claiming.as_mut().expect("claim running").await }, if claiming.is_some() => {
                claiming = None;
                let got = got?;
                if got.deliveries.is_empty() {
                    exhausted = true;
                }
                tried += got.deliveries.len();
                held.extend(got.deliveries.iter().map(|d| d.id));
                for d in got.deliveries {
                    if d.webhook_id.is_some() {
                        posts.push_back(d);
                    } else {
                        // A person of the directory, or an address outside it (an
                        // association's contact, asked to evaluate a mission).
                        let person = match d.employee_id {
                            Some(id) => got.people.get(&id).cloned(),
                            None => Some((String::new(), None)),
                        };
                        mails.push_back((d, person));
                    }
                }
            },
            r = async { recording.as_mut().expect("record running").await }, if recording.is_some() => {
                recording = None;
                recording_len = 0;
                for id in recording_ids.drain(..) {
                    held.remove(&id);
                }
                r?;
            },
            _ = renew.tick() => {
                // Beside the loop, never inside it: the write waits for the one SQLite
                // writer, which the outcomes being recorded may hold, and those only
                // finish while this loop polls them.
                if renewing.as_ref().is_none_or(tokio::task::JoinHandle::is_finished) {
                    let ids: Vec<i64> = held.iter().copied().collect();
                    let state = state.clone();
                    renewing = Some(tokio::spawn(async move {
                        if let Err(e) = state.store.renew_delivery_leases(&ids, state.delivery.lease).await {
                            // The rows come back when the lease ends: sent once more at worst.
                            tracing::warn!(error = %e, "delivery leases not renewed");
                        }
                    }));
                }
            },
        }
    }
    state.store.finish_dispatches().await?;
    Ok(tried)
}

/// How often a worker renews the leases of the rows it holds: a third of the lease.
fn lease_renewal(lease: Duration) -> std::time::Duration {
    (lease / 3)
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(1))
        .max(std::time::Duration::from_millis(100))
}

/// Reads again, right before a send, what may have changed since the claim: the
/// dispatch paused (back to the queue) or cancelled, the person gone, erased or
/// opted out (withheld). `None`: send.
async fn before_send(state: &App, d: &ClaimedDelivery, kind: MessageKind) -> Option<Outcome> {
    use declic_messaging::policy::{Decision, decide};
    let check = match state
        .store
        .delivery_check(d.dispatch_id, d.employee_id)
        .await
    {
        Ok(c) => c,
        Err(e) => return Some(Outcome::Temporary(e.to_string())),
    };
    match check.dispatch_status.as_str() {
        declic_storage::dispatches::status::PAUSED => return Some(Outcome::Requeue),
        declic_storage::dispatches::status::SENDING => {}
        _ => return Some(Outcome::Withheld("the dispatch was cancelled".into())),
    }
    if d.webhook_id.is_some() {
        return None;
    }
    let facts = crate::outbox::facts(None, check.person, check.opted_out);
    match decide(kind, &facts) {
        Decision::Send => None,
        Decision::Expired => Some(Outcome::Withheld("its link lapsed".into())),
        Decision::Withheld(why) => Some(Outcome::Withheld(why.to_owned())),
    }
}

/// A database call running beside the sends.
type Pending<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

/// A claimed batch and the first name and language of its mail recipients.
struct Claimed {
    deliveries: Vec<ClaimedDelivery>,
    people: HashMap<i64, Person>,
}

/// A mail recipient's first name and language.
type Person = (String, Option<String>);

async fn claim(state: AppCtx) -> Result<Claimed, StorageError> {
    let settings = &state.delivery;
    let t = std::time::Instant::now();
    let deliveries = state
        .store
        .claim_deliveries(settings.batch, settings.lease)
        .await?;
    let claim_ms = t.elapsed().as_millis();
    let ids: Vec<i64> = deliveries.iter().filter_map(|d| d.employee_id).collect();
    let people = state.store.recipients_brief(&ids).await?;
    tracing::debug!(
        claimed = deliveries.len(),
        claim_ms,
        people_ms = t.elapsed().as_millis() - claim_ms,
        "claim"
    );
    Ok(Claimed { deliveries, people })
}

/// The context of a delivery's dispatch, loaded on first use.
async fn context(
    state: &App,
    contexts: &mut HashMap<i64, Arc<Shared>>,
    d: &ClaimedDelivery,
) -> Option<Arc<Shared>> {
    if let Some(s) = contexts.get(&d.dispatch_id) {
        return Some(Arc::clone(s));
    }
    match shared(state, d).await {
        Ok(s) => {
            let s = Arc::new(s);
            contexts.insert(d.dispatch_id, Arc::clone(&s));
            Some(s)
        }
        Err(e) => {
            // The store failing is the database's problem, not the recipient's: retry later.
            tracing::warn!(dispatch = d.dispatch_id, error = %e, "could not load a dispatch");
            None
        }
    }
}

/// Keeps a finished send's outcome. A send task that panicked leaves its row
/// claimed: it is tried again when the lease ends.
fn collect(
    done: Result<(ClaimedDelivery, Outcome), tokio::task::JoinError>,
    outcomes: &mut Vec<(ClaimedDelivery, Outcome)>,
) {
    match done {
        Ok(o) => outcomes.push(o),
        Err(e) => tracing::error!(error = %e, "a delivery task failed"),
    }
}

/// What a campaign message says to everyone in one language: the contract of
/// [`declic_messaging::templates::sample_data`] for campaign messages, but for the
/// recipient's first name and unsubscribe link (see [`campaign_data`]).
fn campaign_base(
    catalog: &declic_storage::CampaignCatalog,
    campaign_url: &str,
    lang: MailLang,
) -> Value {
    let missions: Vec<Value> = catalog
        .missions
        .iter()
        .filter(|(m, _)| m.status == "published")
        .map(|(m, a)| texts::mission_json(lang, m, &a.name))
        .collect();
    json!({
        "organization_name": catalog.organization.name,
        "campaign_title": catalog.campaign.title,
        "key_message": catalog.campaign.key_message,
        "campaign_url": format!("{campaign_url}?lang={}", lang.as_str()),
        "deadline_text": catalog
            .campaign
            .registration_closes
            .map(|d| texts::date(lang, d))
            .unwrap_or_default(),
        "missions": missions,
    })
}

/// What a campaign message says to one person.
fn campaign_data(shared: &Shared, first_name: &str, lang: MailLang, unsubscribe: &str) -> Value {
    let mut data = shared.base[lang_index(lang)].clone();
    if let Value::Object(map) = &mut data {
        map.insert("first_name".into(), Value::from(first_name));
        map.insert("manage_url".into(), Value::from(unsubscribe));
    }
    data
}

fn lang_index(lang: MailLang) -> usize {
    match lang {
        MailLang::Fr => 0,
        MailLang::En => 1,
    }
}

/// One delivery: the campaign's message with the mail-tagged link.
async fn deliver(
    state: &App,
    d: &ClaimedDelivery,
    shared: &Shared,
    (first_name, language): (String, Option<String>),
) -> Result<(), SendError> {
    let org = OrgId(d.organization_id);
    // Employees get an unsubscribe link; an association's contact is not in the
    // directory and has none.
    let unsubscribe = d
        .employee_id
        .map(|id| crate::links::unsubscribe_url(state, org, id, &shared.channel));
    let (lang, data) = match &shared.extra {
        Extra::Campaign => {
            let lang = recipient_lang(shared, language.as_deref());
            let data = campaign_data(
                shared,
                &first_name,
                lang,
                unsubscribe.as_deref().unwrap_or_default(),
            );
            (lang, data)
        }
        Extra::Survey {
            by_employee,
            by_email,
            anonymous,
        } => {
            let invitation = match d.employee_id {
                Some(id) => by_employee.get(&id),
                None => by_email.get(&d.recipient),
            }
            .ok_or_else(|| {
                SendError::Permanent("no survey invitation for this recipient".into())
            })?;
            let lang = MailLang::from_code(&invitation.language);
            let for_association = invitation.employee_id.is_none();
            let survey_url = format!(
                "{}?lang={}",
                crate::links::survey_url(
                    state,
                    invitation.id,
                    invitation.wave,
                    invitation.closes_at
                ),
                lang.as_str()
            );
            let wave = declic_evaluation::Wave::from_number(invitation.wave)
                .unwrap_or(declic_evaluation::Wave::Hot);
            let data = json!({
                "first_name": first_name,
                "organization_name": shared.catalog.organization.name,
                "campaign_title": shared.catalog.campaign.title,
                "wave_text": wave.label(lang.as_str()),
                "survey_url": survey_url,
                "closes_text": texts::date(lang, invitation.closes_at.date_naive()),
                "manage_url": unsubscribe.clone().unwrap_or_default(),
                "for_association": for_association,
                "anonymous": anonymous[usize::from(for_association)],
            });
            (lang, data)
        }
        Extra::Share(content) => {
            let lang = recipient_lang(shared, language.as_deref());
            let code = lang.as_str();
            let figures: Vec<Value> = content["figures"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .map(|x| json!({"label": x["label"][code], "value": x["value"]}))
                        .collect()
                })
                .unwrap_or_default();
            let data = json!({
                "first_name": first_name,
                "organization_name": shared.catalog.organization.name,
                "campaign_title": shared.catalog.campaign.title,
                "manage_url": unsubscribe.clone().unwrap_or_default(),
                "note": content["note"][code].as_str().unwrap_or_default(),
                "figures": figures,
                "quotes": content["quotes"].clone(),
            });
            (lang, data)
        }
    };
    let rendered = shared
        .render(state, lang, &data)
        .map_err(SendError::Permanent)?;
    let mut mail = OutgoingMail {
        to: d.recipient.clone(),
        to_name: Some(first_name).filter(|n| !n.is_empty()),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attachments: vec![],
        // Over http the header has no one-click part (RFC 8058 wants https).
        list_unsubscribe: unsubscribe,
    };
    crate::privacy::with_notice_link(state, &mut mail, &shared.catalog.organization.slug, lang);
    crate::notify::send(state, &mail).await.map(|_| ())
}

/// What a Slack or Teams post says: the campaign's title, key message, sign-up
/// deadline and a button to the channel-tagged link, in the organisation's language.
fn webhook_message(shared: &Shared) -> declic_messaging::WebhookMessage {
    let catalog = &shared.catalog;
    let lang = recipient_lang(shared, None);
    let mut message = declic_messaging::WebhookMessage::new(
        lang,
        declic_messaging::webhooks::step_title(shared.kind, lang, &catalog.campaign.title),
        catalog.campaign.key_message.clone(),
        format!("{}?lang={}", shared.campaign_url, lang.as_str()),
    );
    if let Some(closes) = catalog.campaign.registration_closes {
        let day = texts::date(lang, closes);
        message = message
            .with_context(match lang {
                MailLang::Fr => format!("Inscriptions jusqu’au {day}"),
                MailLang::En => format!("Sign up by {day}"),
            })
            .with_deadline(day);
    }
    // The missions as the mails list them, in the post's language.
    let missions = shared.base[lang_index(lang)]["missions"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|m| serde_json::from_value(m.clone()).ok())
                .collect()
        })
        .unwrap_or_default();
    message
        .with_campaign(
            catalog.organization.name.clone(),
            catalog.campaign.title.clone(),
        )
        .with_missions(missions)
        .with_step(shared.kind)
}

/// One Slack or Teams post: the campaign's title, key message and a button to the
/// channel-tagged link, in the organisation's language.
async fn post(state: &App, d: &ClaimedDelivery, shared: &Shared) -> Outcome {
    use declic_messaging::{WebhookOutcome, WebhookUrl};
    let org = OrgId(d.organization_id);
    let Some(webhook) = d.webhook_id else {
        return Outcome::Permanent("no webhook".into());
    };
    let (platform, sealed) = match state.store.webhook_secret(org, webhook).await {
        Ok(Some(found)) => found,
        Ok(None) => return Outcome::Permanent("the webhook was deactivated".into()),
        Err(e) => return Outcome::Temporary(e.to_string()),
    };
    let Some(url) = state
        .signer
        .open(&sealed)
        .and_then(|u| WebhookUrl::parse(&u).ok())
    else {
        return Outcome::Permanent(
            "the webhook URL cannot be read (was the secret key changed?): add it again".into(),
        );
    };
    let platform = if platform == "teams" {
        WebhookPlatform::Teams
    } else {
        WebhookPlatform::Slack
    };
    let payload = match post_payload(shared, platform) {
        Ok(p) => p,
        Err(e) => return Outcome::Permanent(format!("{}: {e}", e.code())),
    };
    match state.webhooks.send_payload(platform, &url, &payload).await {
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
