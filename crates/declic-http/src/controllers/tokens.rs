//! API tokens: everyone manages their own; owners see and revoke all.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use declic_storage::admins::ApiToken;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Id, JsonBody, RequestId};

/// A token to create for the caller.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    /// Days of validity, 1 to 3650. Default from configuration.
    pub valid_days: Option<u32>,
}

/// A created token; `token` is shown only this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub meta: ApiToken,
    pub token: String,
}

/// Tokens: the caller's own, or all for owners.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", security(("bearer" = [])), responses((status = 200, body = Vec<ApiToken>)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<ApiToken>>> {
    let only = (!auth.0.role.is_owner()).then_some(auth.0.admin_id);
    Ok(Json(state.store.api_tokens(auth.org(), only).await?))
}

/// Creates a token for the caller.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", security(("bearer" = [])), request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = crate::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(new): JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let days = new
        .valid_days
        .unwrap_or(state.config.security.api_token_days);
    // A token that never expires is the operator's decision (`declic token create
    // --days 0`), not something any signed-in viewer can mint.
    if days == 0 || days > declic_storage::admins::MAX_TOKEN_DAYS {
        return Err(crate::ApiError::field(
            "valid_days",
            format!(
                "between 1 and {} days (a token that never expires is created with the CLI)",
                declic_storage::admins::MAX_TOKEN_DAYS
            ),
        ));
    }
    let (meta, token) = state
        .store
        .create_api_token(
            auth.org(),
            auth.0.admin_id,
            &new.name,
            days,
            &auth.actor(&rid),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { meta, token })))
}

/// Revokes a token (one's own, or any for owners).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ApiToken), (status = 404, body = crate::Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
) -> ApiResult<Json<ApiToken>> {
    let only = (!auth.0.role.is_owner()).then_some(auth.0.admin_id);
    Ok(Json(
        state
            .store
            .revoke_api_token(auth.org(), id, only, &auth.actor(&rid))
            .await?,
    ))
}
