//! Custom campaign messages: an organisation rewrites the announcement, the reminder or
//! the last call, for all its campaigns or for one, in French and English. A template is
//! checked when it is saved (see `declic_messaging::templates::CompiledCustom`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use declic_messaging::templates::{CompiledCustom, CustomTemplate, Lang, MessageKind};
use declic_storage::message_templates::MessageTemplate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::{Auth, JsonBody, QueryParams, RequestId};

/// One message's three parts, Handlebars.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// One line; `{{campaign_title}}` and the like are filled in.
    pub subject: String,
    /// The plain-text body. Must contain `{{manage_url}}` (the unsubscribe link).
    pub text: String,
    /// The HTML body; every `{{value}}` is escaped, `{{{…}}}` is refused. Must contain
    /// `{{manage_url}}`.
    pub html: String,
}

/// Which campaign, when not the whole organisation.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ScopeQuery {
    pub campaign_id: Option<i64>,
}

fn message_and_lang(message: &str, lang: &str) -> Result<(MessageKind, Lang), ApiError> {
    let kind = MessageKind::from_name(message)
        .filter(|k| k.is_campaign_message())
        .ok_or_else(|| {
            ApiError::field(
                "message",
                "campaign_announcement, campaign_reminder or campaign_last_call",
            )
        })?;
    let lang = match lang {
        "fr" => Lang::Fr,
        "en" => Lang::En,
        _ => return Err(ApiError::field("lang", "use fr or en")),
    };
    Ok((kind, lang))
}

/// Saves a custom template after checking it against the message's variables and a
/// sample recipient; a refused template changes nothing stored.
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
    auth.require_manage()?;
    let (kind, l) = message_and_lang(&message, &lang)?;
    let custom = CustomTemplate {
        subject: b.subject,
        text: b.text,
        html: b.html,
    };
    if let Err(errors) = CompiledCustom::check(kind, l, &custom) {
        return Err(ApiError::Invalid(
            errors
                .into_iter()
                .map(|e| FieldError {
                    field: e.part.to_owned(),
                    message: e.message,
                })
                .collect(),
        ));
    }
    let saved = state
        .store
        .save_message_template(
            auth.org(),
            q.campaign_id,
            kind.as_str(),
            l.as_str(),
            &custom.subject,
            &custom.text,
            &custom.html,
            &auth.actor(&rid),
        )
        .await?;
    Ok((StatusCode::OK, Json(saved)))
}

/// The organisation's custom templates (with `campaign_id`: that campaign's and the
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

/// Removes a custom template: the message goes back to the built-in one (or to the
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
    auth.require_manage()?;
    let (kind, l) = message_and_lang(&message, &lang)?;
    if state
        .store
        .delete_message_template(
            auth.org(),
            q.campaign_id,
            kind.as_str(),
            l.as_str(),
            &auth.actor(&rid),
        )
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("template"))
    }
}
