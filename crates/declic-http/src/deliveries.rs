//! The delivery worker: claims due deliveries, renders each message in the
//! recipient's language, sends it (mail with a one-click unsubscribe link, RFC 8058)
//! and records the outcome; then marks finished the dispatches with nothing left.
//! The scheduler calls [`deliver_due`] on every tick; several instances may do so at
//! once (the claim keeps them apart).

use chrono::Duration;
use declic_messaging::templates::{Lang as MailLang, MessageKind};
use declic_messaging::{OutgoingMail, SendError};
use declic_planning::Channel;
use declic_storage::dispatches::{ClaimedDelivery, Outcome, RetryPolicy};
use declic_storage::{OrgId, StorageError};
use serde_json::json;

use crate::AppState;

/// How long a claimed delivery is reserved for this worker.
const LEASE_MINUTES: i64 = 5;

/// What the messages of one dispatch share, looked up once per batch.
struct Shared {
    channel: String,
    catalog: std::sync::Arc<declic_storage::CampaignCatalog>,
    /// The campaign's mail-tagged link, without the language.
    campaign_url: String,
}

async fn shared(state: &AppState, d: &ClaimedDelivery) -> Result<Shared, StorageError> {
    let org = OrgId(d.organization_id);
    let dispatch = state.store.dispatch(org, d.dispatch_id).await?;
    let catalog = state
        .store
        .campaign_catalog(org, dispatch.campaign_id)
        .await?;
    let link = state
        .store
        .ensure_link(org, dispatch.campaign_id, Channel::Mail, None, None)
        .await?;
    Ok(Shared {
        channel: dispatch.channel,
        catalog,
        campaign_url: format!("{}/c/{}", crate::public::base_url(state), link.code),
    })
}

/// Sends up to `batch` due deliveries; returns how many were tried.
pub async fn deliver_due(state: &AppState, batch: u64) -> Result<usize, StorageError> {
    let claimed = state
        .store
        .claim_deliveries(batch, Duration::minutes(LEASE_MINUTES))
        .await?;
    let policy = RetryPolicy::default();
    let mut per_dispatch: std::collections::HashMap<i64, Result<Shared, String>> =
        std::collections::HashMap::new();
    for d in &claimed {
        if let std::collections::hash_map::Entry::Vacant(slot) = per_dispatch.entry(d.dispatch_id) {
            slot.insert(shared(state, d).await.map_err(|e| e.to_string()));
        }
        let outcome = match per_dispatch.get(&d.dispatch_id) {
            Some(Ok(s)) => match deliver(state, d, s).await {
                Ok(()) => Outcome::Sent,
                Err(SendError::Temporary(e)) => Outcome::Temporary(e),
                Err(SendError::Permanent(e)) => Outcome::Permanent(e),
            },
            // The store failing is the database's problem, not the recipient's: retry later.
            Some(Err(e)) => Outcome::Temporary(e.clone()),
            None => Outcome::Temporary("dispatch not loaded".into()),
        };
        state.store.record_delivery(d, &outcome, &policy).await?;
    }
    state.store.finish_dispatches().await?;
    Ok(claimed.len())
}
/// One delivery: the campaign's announcement with the mail-tagged link.
async fn deliver(state: &AppState, d: &ClaimedDelivery, shared: &Shared) -> Result<(), SendError> {
    let org = OrgId(d.organization_id);
    let person = state
        .store
        .employee(org, d.employee_id)
        .await
        .map_err(|e| SendError::Temporary(e.to_string()))?;
    let catalog = &shared.catalog;
    let lang = match person.language.as_deref() {
        Some("en") => MailLang::En,
        Some("fr") => MailLang::Fr,
        _ if catalog.organization.default_language == "en" => MailLang::En,
        _ => MailLang::Fr,
    };
    let unsubscribe = crate::unsubscribe_url(state, org, d.employee_id, &shared.channel);
    let data = json!({
        "first_name": person.first_name,
        "organization_name": catalog.organization.name,
        "campaign_title": catalog.campaign.title,
        "key_message": catalog.campaign.key_message,
        "campaign_url": format!("{}?lang={}", shared.campaign_url, lang.as_str()),
        "manage_url": unsubscribe,
    });
    let rendered = state
        .notifier
        .templates()
        .render(MessageKind::CampaignAnnouncement, lang, &data)
        .map_err(|e| SendError::Permanent(e.to_string()))?;
    let mail = OutgoingMail {
        to: d.recipient.clone(),
        to_name: Some(person.first_name.clone()).filter(|n| !n.is_empty()),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attachments: vec![],
        // RFC 8058 asks for https; a local http set-up keeps the link in the footer only.
        list_unsubscribe: Some(unsubscribe).filter(|u| u.starts_with("https://")),
    };
    state.notifier.mailer.send(&mail).await.map(|_| ())
}
