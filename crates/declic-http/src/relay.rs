//! The mail relay's health, fed by every send of both lanes of the delivery worker
//! and stored when it changes (`declic_storage::relay_health`), so the dispatch
//! pages and the dashboard say "the mail server is not answering" instead of a
//! dispatch that sits at "sending" with no error.

use std::time::Duration;

use declic_messaging::SendError;
use declic_messaging::mail::health::{RelayHealth, Sample};
use serde_json::{Value, json};

use crate::AppState;
use crate::pages::{Lang, text};

/// The tracker of one process.
#[derive(Default)]
pub struct Relay(std::sync::Mutex<RelayHealth>);

/// Notes a send's time and result; stores the relay's state when it changed.
pub async fn observe<T>(state: &AppState, took: Duration, result: &Result<T, SendError>) {
    let sample = Sample {
        took,
        relay_error: match result {
            Err(SendError::Temporary(e)) => Some(e.clone()),
            Ok(_) | Err(SendError::Permanent(_)) => None,
        },
    };
    let change = state
        .relay
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .record(sample);
    if let Some(c) = change
        && let Err(e) = state
            .store
            .set_relay_health("mail", c.state.as_str(), c.last_error)
            .await
    {
        tracing::warn!(error = %e, "relay health not stored");
    }
}

/// A sentence for the console when the relay is slow or failing; `None` when well.
pub async fn banner(state: &AppState, lang: Lang) -> Option<Value> {
    let h = state.store.relay_health("mail").await.ok()??;
    if h.state == "ok" {
        return None;
    }
    let since = h.since.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut line = text(lang, &format!("relay_{}", h.state)).replace("{since}", &since);
    if let Some(e) = &h.last_error {
        line.push_str(" — ");
        line.push_str(&text(lang, "relay_last_error").replace("{error}", e));
    }
    Some(json!({"state": h.state, "text": line}))
}
