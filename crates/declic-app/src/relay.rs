//! The mail relay's health, fed by every send of both lanes of the delivery worker
//! and stored when it changes (`declic_storage::relay_health`), so the dispatch
//! pages and the dashboard say "the mail server is not answering" instead of a
//! dispatch that sits at "sending" with no error.

use std::time::Duration;

use declic_messaging::SendError;
use declic_messaging::mail::health::{RelayHealth, Sample};

use crate::App;

/// The tracker of one process. An async lock held while a change is stored, so two
/// sends finishing together cannot store their states in the wrong order.
#[derive(Default)]
pub struct Relay(tokio::sync::Mutex<RelayHealth>);

/// Notes a send's time and result; stores the relay's state when it changed.
pub async fn observe<T>(state: &App, took: Duration, result: &Result<T, SendError>) {
    let sample = Sample {
        took,
        relay_error: match result {
            Err(SendError::Temporary(e)) => Some(e.clone()),
            Ok(_) | Err(SendError::Permanent(_)) => None,
        },
    };
    let mut tracker = state.relay.0.lock().await;
    if let Some(c) = tracker.record(sample)
        && let Err(e) = state
            .store
            .set_relay_health("mail", c.state.as_str(), c.last_error)
            .await
    {
        tracing::warn!(error = %e, "relay health not stored");
    }
}
