//! Liveness, readiness, the OpenAPI document and not-found answers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiError;

/// The health answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, body = Health), (status = 503, body = crate::Problem)))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::Unavailable
    })?;
    Ok(Json(Health { status: "ready" }))
}

/// The OpenAPI 3 document.
pub async fn openapi_json() -> impl IntoResponse {
    Json(crate::openapi_document())
}

/// Unknown API route.
pub async fn api_not_found() -> ApiError {
    ApiError::NotFound("route")
}

/// Unknown page.
pub async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "Not found / Page introuvable")
}
