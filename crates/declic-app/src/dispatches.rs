//! Dispatch use cases: send a step's message (or an announcement) to a campaign's
//! audience, pause, resume or cancel it, queue its failures again.

use declic_storage::dispatches::{Dispatch, DispatchAction};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::App;
use crate::caller::{AppResult, Caller};

fn default_channel() -> String {
    "mail".into()
}

/// What to send.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDispatch {
    /// `mail` (the only per-person channel; Slack and Teams posts go to channels).
    #[serde(default = "default_channel")]
    pub channel: String,
    /// The calendar step whose message to send now: `launch`, `reminder` or
    /// `last_call` (the two last leave out the registered). The campaign's next step
    /// of that kind is then marked done, so it does not go out twice.
    #[serde(default)]
    pub step: Option<String>,
    /// Without a step: leave out people already registered for the campaign.
    #[serde(default)]
    pub exclude_registered: bool,
}

/// A pause, resume or cancel.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    pub action: DispatchAction,
}

/// Freezes the audience (minus opt-outs) and queues one delivery per person; the
/// delivery worker sends them.
pub async fn send(
    app: &App,
    caller: &Caller,
    campaign_id: i64,
    b: NewDispatch,
) -> AppResult<Dispatch> {
    caller.require_manage()?;
    let org = caller.org();
    Ok(match &b.step {
        Some(step) => {
            app.store
                .dispatch_step_now(org, campaign_id, &b.channel, step, caller.actor())
                .await?
        }
        None => {
            app.store
                .create_dispatch(
                    org,
                    campaign_id,
                    &b.channel,
                    b.exclude_registered,
                    caller.actor(),
                )
                .await?
        }
    })
}

/// Pauses, resumes or cancels a dispatch.
pub async fn act(
    app: &App,
    caller: &Caller,
    id: i64,
    action: DispatchAction,
) -> AppResult<Dispatch> {
    caller.require_manage()?;
    Ok(app
        .store
        .dispatch_action(caller.org(), id, action, caller.actor())
        .await?)
}

/// Queues a dispatch's failed deliveries again (reopens it when it had finished).
pub async fn retry_failed(app: &App, caller: &Caller, id: i64) -> AppResult<()> {
    caller.require_manage()?;
    app.store
        .retry_failed(caller.org(), id, caller.actor())
        .await?;
    Ok(())
}
