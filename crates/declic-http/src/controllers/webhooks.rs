//! The organisation's Slack and Teams webhooks: add, list (masked), deactivate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use declic_storage::webhooks::Webhook;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Id, JsonBody, RequestId};

/// A new webhook.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// How HR tells it apart, e.g. `Slack #paris-engagement`.
    pub name: String,
    /// `slack` (incoming webhook) or `teams` (a Workflows webhook).
    pub platform: String,
    /// The webhook URL: a secret, stored sealed and never shown again.
    pub url: String,
}

/// Adds a webhook; campaign steps then also post to it.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])), request_body = NewWebhook,
    responses((status = 201, body = Webhook), (status = 422, body = crate::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(b): JsonBody<NewWebhook>,
) -> ApiResult<(StatusCode, Json<Webhook>)> {
    let w =
        declic_app::webhooks::add(&state, &auth.caller(&rid), &b.name, &b.platform, &b.url).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

/// The organisation's webhooks, URLs masked.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = Vec<Webhook>)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Webhook>>> {
    Ok(Json(state.store.webhooks_of(auth.org()).await?))
}

/// Stops posting to a webhook.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Webhook), (status = 404, body = crate::Problem)))]
pub async fn deactivate(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
) -> ApiResult<Json<Webhook>> {
    auth.require_manage()?;
    Ok(Json(
        state
            .store
            .deactivate_webhook(auth.org(), id, &auth.actor(&rid))
            .await?,
    ))
}
