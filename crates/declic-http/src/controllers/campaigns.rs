//! Campaigns: create from the default plan, edit, move through the lifecycle, check the calendar.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use declic_planning::CalendarWarning;
use declic_storage::campaigns::{Campaign, Step, default_steps};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, Id, JsonBody, QueryParams, RequestId};

pub use declic_app::campaigns::{CampaignBody, StatusChange};

/// For the default plan.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    pub mission_date: NaiveDate,
}

/// For the calendar check.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CheckQuery {
    /// The day to check from (default: today, UTC).
    pub today: Option<NaiveDate>,
}

/// The calendar check's answer.
#[derive(Serialize, ToSchema)]
pub struct CalendarCheck {
    pub campaign_id: i64,
    pub warnings: Vec<CalendarWarning>,
}

/// All campaigns, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", security(("bearer" = [])), responses((status = 200, body = Vec<Campaign>)))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<Campaign>>> {
    Ok(Json(state.store.campaigns(auth.org()).await?))
}

/// The default plan for a mission date.
#[utoipa::path(get, path = "/api/v1/campaigns/default-plan", tag = "campaigns", security(("bearer" = [])), params(PlanQuery),
    responses((status = 200, body = Vec<Step>)))]
pub async fn default_plan(_auth: Auth, QueryParams(q): QueryParams<PlanQuery>) -> Json<Vec<Step>> {
    Json(default_steps(q.mission_date))
}

/// One campaign.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 404, body = crate::Problem)))]
pub async fn show(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(state.store.campaign(auth.org(), id).await?))
}

/// Creates a draft campaign, optionally from the default plan.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", security(("bearer" = [])), request_body = CampaignBody,
    responses((status = 201, body = Campaign), (status = 422, body = crate::Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    JsonBody(b): JsonBody<CampaignBody>,
) -> ApiResult<(StatusCode, Json<Campaign>)> {
    let c = declic_app::campaigns::create(&state, &auth.caller(&rid), b).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Changes a campaign.
#[utoipa::path(patch, path = "/api/v1/campaigns/{id}", tag = "campaigns", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CampaignBody,
    responses((status = 200, body = Campaign), (status = 422, body = crate::Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(b): JsonBody<CampaignBody>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(
        declic_app::campaigns::update(&state, &auth.caller(&rid), id, b).await?,
    ))
}

/// Moves a campaign through draft → scheduled → live → closed → evaluated.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/status", tag = "campaigns", security(("bearer" = [])), params(("id" = i64, Path)), request_body = StatusChange,
    responses((status = 200, body = Campaign), (status = 409, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn transition(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(b): JsonBody<StatusChange>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(
        declic_app::campaigns::transition(&state, &auth.caller(&rid), id, b.status).await?,
    ))
}

/// Warnings a planner would want about the campaign's calendar.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/calendar-check", tag = "campaigns", security(("bearer" = [])), params(("id" = i64, Path), CheckQuery),
    responses((status = 200, body = CalendarCheck)))]
pub async fn calendar_check(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    QueryParams(q): QueryParams<CheckQuery>,
) -> ApiResult<Json<CalendarCheck>> {
    let today = q.today.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let warnings = state.store.calendar_warnings(auth.org(), id, today).await?;
    Ok(Json(CalendarCheck {
        campaign_id: id,
        warnings,
    }))
}
