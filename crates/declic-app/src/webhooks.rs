//! An organisation's Slack and Teams webhooks: a URL is a secret (sealed when stored,
//! shown masked) and a place the server will make requests to, so it must be one the
//! deployment's outbound policy allows (`[webhooks]`, see
//! `declic_messaging::webhooks::OutboundPolicy`), checked here and again at every send.

use declic_messaging::WebhookUrl;
use declic_storage::webhooks::Webhook;

use crate::App;
use crate::caller::{AppError, AppResult, Caller};

/// Adds a webhook; campaign steps then also post to it. Managers only.
pub async fn add(
    app: &App,
    caller: &Caller,
    name: &str,
    platform: &str,
    url: &str,
) -> AppResult<Webhook> {
    caller.require_manage()?;
    let url = WebhookUrl::parse(url.trim()).map_err(|e| AppError::field("url", e.to_string()))?;
    app.webhooks
        .policy()
        .check(&url)
        .map_err(|e| AppError::field("url", e.to_string()))?;
    let sealed = app
        .signer
        .seal(url.expose_secret())
        .ok_or_else(|| AppError::field("url", "cannot be stored"))?;
    Ok(app
        .store
        .create_webhook(
            caller.org(),
            name,
            platform,
            &sealed,
            &url.to_string(),
            caller.actor(),
        )
        .await?)
}
