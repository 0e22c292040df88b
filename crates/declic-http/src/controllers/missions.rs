//! Missions and the skills list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use declic_app::catalogue as uc;
use declic_storage::missions::{Mission, Skill};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Id, JsonBody, RequestId};

pub use declic_app::catalogue::{MissionBody, NewSkill};

/// The skills list (job skills and soft skills).
#[utoipa::path(get, path = "/api/v1/skills", tag = "missions", security(("bearer" = [])), responses((status = 200, body = Vec<Skill>)))]
pub async fn skills(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Skill>>> {
    Ok(Json(state.store.skills(auth.org()).await?))
}

/// Adds a skill.
#[utoipa::path(post, path = "/api/v1/skills", tag = "missions", security(("bearer" = [])), request_body = NewSkill,
    responses((status = 201, body = Skill), (status = 409, body = crate::Problem)))]
pub async fn create_skill(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(b): JsonBody<NewSkill>,
) -> ApiResult<(StatusCode, Json<Skill>)> {
    let s = uc::create_skill(&state, &auth.caller(&rid), b).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// All missions.
#[utoipa::path(get, path = "/api/v1/missions", tag = "missions", security(("bearer" = [])), responses((status = 200, body = Vec<Mission>)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Mission>>> {
    Ok(Json(state.store.missions(auth.org()).await?))
}

/// One mission.
#[utoipa::path(get, path = "/api/v1/missions/{id}", tag = "missions", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Mission), (status = 404, body = crate::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<Mission>> {
    Ok(Json(state.store.mission(auth.org(), id).await?))
}

/// Creates a draft mission.
#[utoipa::path(post, path = "/api/v1/missions", tag = "missions", security(("bearer" = [])), request_body = MissionBody,
    responses((status = 201, body = Mission), (status = 422, body = crate::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(b): JsonBody<MissionBody>,
) -> ApiResult<(StatusCode, Json<Mission>)> {
    let m = uc::create_mission(&state, &auth.caller(&rid), b).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Replaces a mission.
#[utoipa::path(put, path = "/api/v1/missions/{id}", tag = "missions", security(("bearer" = [])), params(("id" = i64, Path)), request_body = MissionBody,
    responses((status = 200, body = Mission), (status = 404, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn replace(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(b): JsonBody<MissionBody>,
) -> ApiResult<Json<Mission>> {
    Ok(Json(
        uc::replace_mission(&state, &auth.caller(&rid), id, b).await?,
    ))
}

/// Publishes a mission; refused while its association is not eligible.
#[utoipa::path(post, path = "/api/v1/missions/{id}/publish", tag = "missions", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Mission), (status = 422, body = crate::Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
) -> ApiResult<Json<Mission>> {
    Ok(Json(
        uc::publish_mission(&state, &auth.caller(&rid), id).await?,
    ))
}
