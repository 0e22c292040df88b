//! Missions and the skills list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDateTime;
use declic_planning::{MissionFormat, SkillKind, WorkMode};
use declic_storage::missions::{Mission, MissionInput, Skill};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Id, JsonBody, RequestId};

/// A mission, in full (used for create and replace).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MissionBody {
    pub association_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub format: MissionFormat,
    pub work_mode: WorkMode,
    pub place: Option<String>,
    pub online_link: Option<String>,
    /// Local date-time in `time_zone`, e.g. `2027-03-18T09:00:00`.
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    /// IANA time zone, default `Europe/Paris`.
    #[serde(default = "paris")]
    pub time_zone: String,
    pub capacity: i64,
    /// `fr` or `en`, default `fr`.
    #[serde(default = "fr")]
    pub language: String,
    /// What volunteers must keep confidential about the association.
    #[serde(default)]
    pub confidentiality_note: String,
    #[serde(default)]
    pub skill_ids: Vec<i64>,
}

fn paris() -> String {
    "Europe/Paris".to_owned()
}

fn fr() -> String {
    "fr".to_owned()
}

impl From<MissionBody> for MissionInput {
    fn from(b: MissionBody) -> Self {
        Self {
            association_id: b.association_id,
            title: b.title,
            description: b.description,
            format: b.format,
            work_mode: b.work_mode,
            place: b.place,
            online_link: b.online_link,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            time_zone: b.time_zone,
            capacity: b.capacity,
            language: b.language,
            confidentiality_note: b.confidentiality_note,
            skill_ids: b.skill_ids,
        }
    }
}

/// A skill to add to the list.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSkill {
    pub kind: SkillKind,
    pub label_en: String,
    pub label_fr: String,
}

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
    auth.require_manage()?;
    let s = state
        .store
        .create_skill(
            auth.org(),
            b.kind,
            &b.label_en,
            &b.label_fr,
            &auth.actor(&rid),
        )
        .await?;
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
    auth.require_manage()?;
    let m = state
        .store
        .create_mission(auth.org(), b.into(), &auth.actor(&rid))
        .await?;
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
    auth.require_manage()?;
    Ok(Json(
        state
            .store
            .update_mission(auth.org(), id, b.into(), &auth.actor(&rid))
            .await?,
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
    auth.require_manage()?;
    Ok(Json(
        state
            .store
            .publish_mission(auth.org(), id, &auth.actor(&rid))
            .await?,
    ))
}
