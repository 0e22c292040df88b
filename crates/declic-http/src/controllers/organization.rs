//! The caller's organisation.

use axum::Json;
use axum::extract::State;
use declic_storage::orgs::Organization;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, JsonBody, RequestId};

/// Changes to the organisation; absent fields are kept.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    pub default_language: Option<String>,
    pub domains: Option<Vec<String>>,
}

/// The caller's organisation.
#[utoipa::path(get, path = "/api/v1/organization", tag = "organization", security(("bearer" = [])),
    responses((status = 200, body = Organization), (status = 401, body = crate::Problem)))]
pub async fn show(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Organization>> {
    Ok(Json(state.store.organization(auth.org()).await?))
}

/// Changes the organisation (owners only).
#[utoipa::path(patch, path = "/api/v1/organization", tag = "organization", security(("bearer" = [])), request_body = OrganizationPatch,
    responses((status = 200, body = Organization), (status = 403, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(p): JsonBody<OrganizationPatch>,
) -> ApiResult<Json<Organization>> {
    auth.require_owner()?;
    Ok(Json(
        state
            .store
            .update_organization(
                auth.org(),
                p.name,
                p.default_language,
                p.domains,
                &auth.actor(&rid),
            )
            .await?,
    ))
}
