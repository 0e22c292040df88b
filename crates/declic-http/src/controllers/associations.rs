//! Partner associations and their eligibility checklist.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use declic_planning::EligibilityCriteria;
use declic_storage::associations::{Association, AssociationChanges, Contact};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Id, JsonBody, RequestId};

/// An association to create, or changes to one (absent fields are kept).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssociationBody {
    pub name: Option<String>,
    pub description: Option<String>,
    pub contacts: Option<Vec<Contact>>,
    pub eligibility: Option<EligibilityCriteria>,
}

impl From<AssociationBody> for AssociationChanges {
    fn from(b: AssociationBody) -> Self {
        Self {
            name: b.name,
            description: b.description,
            contacts: b.contacts,
            eligibility: b.eligibility,
        }
    }
}

/// All associations.
#[utoipa::path(get, path = "/api/v1/associations", tag = "associations", security(("bearer" = [])), responses((status = 200, body = Vec<Association>)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Association>>> {
    Ok(Json(state.store.associations(auth.org()).await?))
}

/// One association with its eligibility verdict.
#[utoipa::path(get, path = "/api/v1/associations/{id}", tag = "associations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Association), (status = 404, body = crate::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<Association>> {
    Ok(Json(state.store.association(auth.org(), id).await?))
}

/// Creates an association.
#[utoipa::path(post, path = "/api/v1/associations", tag = "associations", security(("bearer" = [])), request_body = AssociationBody,
    responses((status = 201, body = Association), (status = 409, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(b): JsonBody<AssociationBody>,
) -> ApiResult<(StatusCode, Json<Association>)> {
    auth.require_manage()?;
    let a = state
        .store
        .create_association(auth.org(), b.into(), &auth.actor(&rid))
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Changes an association.
#[utoipa::path(patch, path = "/api/v1/associations/{id}", tag = "associations", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AssociationBody,
    responses((status = 200, body = Association), (status = 404, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(b): JsonBody<AssociationBody>,
) -> ApiResult<Json<Association>> {
    auth.require_manage()?;
    Ok(Json(
        state
            .store
            .update_association(auth.org(), id, b.into(), &auth.actor(&rid))
            .await?,
    ))
}
