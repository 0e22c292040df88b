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

/// Sends up to `batch` due deliveries; returns how many were tried.
pub async fn deliver_due(state: &AppState, batch: u64) -> Result<usize, StorageError> {
    let claimed = state
        .store
        .claim_deliveries(batch, Duration::minutes(LEASE_MINUTES))
        .await?;
    let policy = RetryPolicy::default();
    for d in &claimed {
        let outcome = match deliver(state, d).await {
            Ok(()) => Outcome::Sent,
            Err(SendError::Temporary(e)) => Outcome::Temporary(e),
            Err(SendError::Permanent(e)) => Outcome::Permanent(e),
        };
        state.store.record_delivery(d, &outcome, &policy).await?;
    }
    state.store.finish_dispatches().await?;
    Ok(claimed.len())
}

/// One delivery: the campaign's announcement with the mail-tagged link.
async fn deliver(state: &AppState, d: &ClaimedDelivery) -> Result<(), SendError> {
    let org = OrgId(d.organization_id);
    // The store failing is the database's problem, not the recipient's: retry later.
    let temporary = |e: StorageError| SendError::Temporary(e.to_string());
    let dispatch = state
        .store
        .dispatch(org, d.dispatch_id)
        .await
        .map_err(temporary)?;
    let person = state
        .store
        .employee(org, d.employee_id)
        .await
        .map_err(temporary)?;
    let catalog = state
        .store
        .campaign_catalog(org, dispatch.campaign_id)
        .await
        .map_err(temporary)?;
    let link = state
        .store
        .ensure_link(org, dispatch.campaign_id, Channel::Mail, None, None)
        .await
        .map_err(temporary)?;
    let lang = match person.language.as_deref() {
        Some("en") => MailLang::En,
        Some("fr") => MailLang::Fr,
        _ if catalog.organization.default_language == "en" => MailLang::En,
        _ => MailLang::Fr,
    };
    let unsubscribe = crate::unsubscribe_url(state, org, d.employee_id, &dispatch.channel);
    let data = json!({
        "first_name": person.first_name,
        "organization_name": catalog.organization.name,
        "campaign_title": catalog.campaign.title,
        "key_message": catalog.campaign.key_message,
        "campaign_url": format!("{}/c/{}?lang={}", crate::public::base_url(state), link.code, lang.as_str()),
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
