//! HR's side of ambassadors: invite people who volunteered before, list them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use declic_storage::ambassadors::Ambassador;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Id, JsonBody, RequestId};

pub use declic_app::ambassadors::Invitation;

/// Invites an employee who volunteered before; they opt in from the mail. Inviting
/// again sends nothing; someone who opted out is not invited again.
#[utoipa::path(post, path = "/api/v1/ambassadors", tag = "referrals", security(("bearer" = [])), request_body = Invitation,
    responses((status = 201, body = Ambassador), (status = 200, body = Ambassador), (status = 422, body = crate::Problem)))]
pub async fn invite(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(b): JsonBody<Invitation>,
) -> ApiResult<(StatusCode, Json<Ambassador>)> {
    let (a, new) = declic_app::ambassadors::invite(&state, &auth.caller(&rid), b).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(a)))
}

/// The organisation's ambassadors with their status and leaderboard choice.
#[utoipa::path(get, path = "/api/v1/ambassadors", tag = "referrals", security(("bearer" = [])),
    responses((status = 200, body = Vec<Ambassador>)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Ambassador>>> {
    Ok(Json(state.store.ambassadors(auth.org()).await?))
}

/// One ambassador.
#[utoipa::path(get, path = "/api/v1/ambassadors/{id}", tag = "referrals", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Ambassador), (status = 404, body = crate::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<Ambassador>> {
    Ok(Json(state.store.ambassador(auth.org(), id).await?))
}
