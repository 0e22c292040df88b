//! Admin accounts (owners manage them; everyone can list).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use declic_storage::admins::{Admin, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Id, JsonBody, RequestId};

/// A new admin account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAdmin {
    pub email: String,
    pub role: Role,
    /// At least 12 characters; when absent, a one-time sign-in link is returned instead.
    pub password: Option<String>,
}

/// The created admin and, without a password, their one-time sign-in link.
#[derive(Serialize, ToSchema)]
pub struct CreatedAdmin {
    pub admin: Admin,
    pub sign_in_link: Option<String>,
}

/// Changes to an admin account.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminPatch {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Checks a password's length and hashes it.
pub fn hash_new_password(password: &str) -> Result<String, ApiError> {
    if password.chars().count() < 12 {
        return Err(ApiError::field("password", "use at least 12 characters"));
    }
    if password.len() > 1024 {
        return Err(ApiError::field("password", "use at most 1024 bytes"));
    }
    declic_storage::hash_password(password).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The organisation's admins.
#[utoipa::path(get, path = "/api/v1/admins", tag = "admins", security(("bearer" = [])), responses((status = 200, body = Vec<Admin>)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Admin>>> {
    Ok(Json(state.store.admins(auth.org()).await?))
}

/// One admin.
#[utoipa::path(get, path = "/api/v1/admins/{id}", tag = "admins", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Admin), (status = 404, body = crate::Problem)))]
pub async fn show(State(state): State<AppState>, auth: Auth, Id(id): Id) -> ApiResult<Json<Admin>> {
    state
        .store
        .admins(auth.org())
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .map(Json)
        .ok_or(ApiError::NotFound("admin"))
}

/// Creates an admin (owners only).
#[utoipa::path(post, path = "/api/v1/admins", tag = "admins", security(("bearer" = [])), request_body = NewAdmin,
    responses((status = 201, body = CreatedAdmin), (status = 409, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(new): JsonBody<NewAdmin>,
) -> ApiResult<(StatusCode, Json<CreatedAdmin>)> {
    auth.require_owner()?;
    let hash = new.password.as_deref().map(hash_new_password).transpose()?;
    let actor = auth.actor(&rid);
    let admin = state
        .store
        .create_admin(auth.org(), &new.email, new.role, hash, &actor)
        .await?;
    let sign_in_link = if admin.has_password {
        None
    } else {
        let minutes = state.config.security.sign_in_link_minutes;
        let token = state
            .store
            .create_sign_in_token(auth.org(), admin.id, minutes, &actor, |_, _| Vec::new())
            .await?;
        Some(format!(
            "{}/sign-in/{token}",
            state.config.server.public_url.trim_end_matches('/')
        ))
    };
    Ok((
        StatusCode::CREATED,
        Json(CreatedAdmin {
            admin,
            sign_in_link,
        }),
    ))
}

/// Changes an admin's role or disables the account (owners only).
#[utoipa::path(patch, path = "/api/v1/admins/{id}", tag = "admins", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AdminPatch,
    responses((status = 200, body = Admin), (status = 422, body = crate::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(p): JsonBody<AdminPatch>,
) -> ApiResult<Json<Admin>> {
    auth.require_owner()?;
    Ok(Json(
        state
            .store
            .update_admin(auth.org(), id, p.role, p.disabled, &auth.actor(&rid))
            .await?,
    ))
}
