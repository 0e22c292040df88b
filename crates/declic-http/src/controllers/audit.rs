//! The audit log (owners only: it names admins).

use axum::Json;
use axum::extract::State;
use declic_storage::audit::AuditEntry;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, QueryParams};

/// Paging through the log.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// At most this many entries (1–500, default 100).
    pub limit: Option<u64>,
    /// Entries older than this id.
    pub before_id: Option<i64>,
}

/// Newest entries first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = crate::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    QueryParams(q): QueryParams<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    auth.require_owner()?;
    Ok(Json(
        state
            .store
            .audit_log(auth.org(), q.limit.unwrap_or(100), q.before_id)
            .await?,
    ))
}
