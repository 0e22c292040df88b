//! Dispatches: send a campaign's announcement to its audience, follow, pause, resume, cancel.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use declic_storage::dispatches::{DeliveryRecord, Dispatch};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Id, JsonBody, QueryParams, RequestId};

pub use declic_app::dispatches::{ActionBody, NewDispatch};

/// Which message to preview, for whom.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    /// `launch` (default), `reminder` or `last_call`.
    pub step: Option<String>,
    /// `mail` (default).
    pub channel: Option<String>,
    /// A recipient of the organisation; default: a sample person.
    pub employee_id: Option<i64>,
    /// `fr` or `en`; default: the recipient's language.
    pub lang: Option<String>,
}

/// Freezes the audience (minus opt-outs) and queues one delivery per person; the
/// worker sends them in the background.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/dispatches", tag = "dispatches", security(("bearer" = [])), params(("id" = i64, Path)), request_body = NewDispatch,
    responses((status = 201, body = Dispatch), (status = 422, body = crate::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(b): JsonBody<NewDispatch>,
) -> ApiResult<(StatusCode, Json<Dispatch>)> {
    let d = declic_app::dispatches::send(&state, &auth.caller(&rid), id, b).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// A step's message as one recipient (or a sample person) would get it, with the
/// audience it would reach now. The unsubscribe link in it is a placeholder.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/preview", tag = "dispatches", security(("bearer" = [])), params(("id" = i64, Path), PreviewQuery),
    responses((status = 200, body = declic_app::delivery_worker::Preview), (status = 404, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn preview(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    QueryParams(q): QueryParams<PreviewQuery>,
) -> ApiResult<Json<declic_app::delivery_worker::Preview>> {
    let lang = match q.lang.as_deref() {
        None => None,
        Some("fr") => Some(declic_messaging::Lang::Fr),
        Some("en") => Some(declic_messaging::Lang::En),
        Some(_) => return Err(crate::ApiError::field("lang", "use fr or en")),
    };
    Ok(Json(
        declic_app::delivery_worker::preview(
            &state,
            auth.org(),
            id,
            q.step.as_deref().unwrap_or("launch"),
            q.channel.as_deref().unwrap_or("mail"),
            q.employee_id,
            lang,
        )
        .await?,
    ))
}

/// A dispatch with its deliveries counted by state.
#[utoipa::path(get, path = "/api/v1/dispatches/{id}", tag = "dispatches", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Dispatch), (status = 404, body = crate::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<Dispatch>> {
    Ok(Json(state.store.dispatch(auth.org(), id).await?))
}

/// Pauses, resumes or cancels a dispatch.
#[utoipa::path(post, path = "/api/v1/dispatches/{id}/action", tag = "dispatches", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ActionBody,
    responses((status = 200, body = Dispatch), (status = 422, body = crate::Problem)))]
pub async fn action(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(b): JsonBody<ActionBody>,
) -> ApiResult<Json<Dispatch>> {
    Ok(Json(
        declic_app::dispatches::act(&state, &auth.caller(&rid), id, b.action).await?,
    ))
}

/// Every message sent (or tried) to an employee, newest first: for support.
#[utoipa::path(get, path = "/api/v1/employees/{id}/deliveries", tag = "dispatches", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DeliveryRecord>), (status = 404, body = crate::Problem)))]
pub async fn of_employee(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<Vec<DeliveryRecord>>> {
    let mut records = state.store.deliveries_of(auth.org(), id).await?;
    for r in &mut records {
        if r.message.is_none() {
            let kind = declic_messaging::MessageKind::for_step(r.step_kind.as_deref());
            r.message = Some(if r.channel == "mail" {
                kind.as_str().to_owned()
            } else {
                "channel_post".to_owned()
            });
        }
    }
    Ok(Json(records))
}
