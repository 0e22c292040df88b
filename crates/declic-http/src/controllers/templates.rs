//! An organisation's own wording: any mail an employee or an ambassador receives
//! (campaign messages, registration mails, evaluations…) and the Slack and Teams posts
//! (`slack_post`, `teams_post`), for all its campaigns or for one, in French and
//! English. A template is checked when it is saved (see
//! `declic_messaging::templates::CompiledCustom` and `declic_messaging::webhooks::PostTemplate`),
//! so nothing fails when the messages go out.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use declic_app::templates as uc;
pub use declic_app::templates::{TemplateBody, TemplateInForce};
use declic_storage::message_templates::MessageTemplate;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, QueryParams, RequestId};

/// Which campaign, when not the whole organisation.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ScopeQuery {
    pub campaign_id: Option<i64>,
}

/// Saves a template after checking it against the message's variables and a sample
/// recipient (or post); a refused template changes nothing stored.
#[utoipa::path(put, path = "/api/v1/templates/{message}/{lang}", tag = "templates", security(("bearer" = [])),
    params(("message" = String, Path), ("lang" = String, Path), ScopeQuery), request_body = TemplateBody,
    responses((status = 200, body = MessageTemplate), (status = 422, body = crate::Problem)))]
pub async fn save(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Path((message, lang)): Path<(String, String)>,
    QueryParams(q): QueryParams<ScopeQuery>,
    JsonBody(b): JsonBody<TemplateBody>,
) -> ApiResult<(StatusCode, Json<MessageTemplate>)> {
    let saved = uc::save(
        &state,
        &auth.caller(&rid),
        &message,
        &lang,
        q.campaign_id,
        b,
    )
    .await?;
    Ok((StatusCode::OK, Json(saved)))
}

/// The template a message is sent with now (the campaign's own, the organisation's or
/// the built-in one), with the variables it may use: the starting point of a new one.
#[utoipa::path(get, path = "/api/v1/templates/{message}/{lang}", tag = "templates", security(("bearer" = [])),
    params(("message" = String, Path), ("lang" = String, Path), ScopeQuery),
    responses((status = 200, body = TemplateInForce), (status = 422, body = crate::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Path((message, lang)): Path<(String, String)>,
    QueryParams(q): QueryParams<ScopeQuery>,
) -> ApiResult<Json<TemplateInForce>> {
    Ok(Json(
        uc::show(&state, &auth.caller(&rid), &message, &lang, q.campaign_id).await?,
    ))
}

/// The organisation's own templates (with `campaign_id`: that campaign's and the
/// organisation-wide ones).
#[utoipa::path(get, path = "/api/v1/templates", tag = "templates", security(("bearer" = [])), params(ScopeQuery),
    responses((status = 200, body = Vec<MessageTemplate>)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    QueryParams(q): QueryParams<ScopeQuery>,
) -> ApiResult<Json<Vec<MessageTemplate>>> {
    Ok(Json(
        state
            .store
            .message_templates(auth.org(), q.campaign_id)
            .await?,
    ))
}

/// Removes a template: the message goes back to the built-in one (or to the
/// organisation's, for a campaign's own).
#[utoipa::path(delete, path = "/api/v1/templates/{message}/{lang}", tag = "templates", security(("bearer" = [])),
    params(("message" = String, Path), ("lang" = String, Path), ScopeQuery),
    responses((status = 204), (status = 404, body = crate::Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Path((message, lang)): Path<(String, String)>,
    QueryParams(q): QueryParams<ScopeQuery>,
) -> ApiResult<StatusCode> {
    uc::delete(&state, &auth.caller(&rid), &message, &lang, q.campaign_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
