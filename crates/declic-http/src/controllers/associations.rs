//! Partner associations and their eligibility checklist.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use declic_app::catalogue as uc;
use declic_storage::associations::Association;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Id, JsonBody, RequestId};

pub use declic_app::catalogue::AssociationBody;

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
    let a = uc::create_association(&state, &auth.caller(&rid), b).await?;
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
    Ok(Json(
        uc::update_association(&state, &auth.caller(&rid), id, b).await?,
    ))
}
