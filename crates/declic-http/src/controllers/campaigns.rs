//! Campaigns: create from the default plan, edit, move through the lifecycle, check the calendar.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use declic_planning::{CalendarWarning, CampaignStatus};
use declic_storage::campaigns::{Audience, Campaign, CampaignChanges, Step, default_steps};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Id, JsonBody, QueryParams, RequestId};

/// Distinguishes an absent field (keep) from `null` (clear).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A campaign to create, or changes to one (absent fields are kept).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    pub title: Option<String>,
    /// Number of volunteers sought.
    pub goal: Option<i64>,
    pub audience: Option<Audience>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub registration_opens: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub registration_closes: Option<Option<NaiveDate>>,
    pub key_message: Option<String>,
    pub why_it_matters: Option<String>,
    pub mission_ids: Option<Vec<i64>>,
    /// The calendar, replacing the current one.
    pub steps: Option<Vec<Step>>,
    /// Build the calendar from the default plan around this mission date
    /// (D-28 teaser … D+120 evaluation). Ignored when `steps` is given.
    pub plan_from_mission_date: Option<NaiveDate>,
}

impl CampaignBody {
    fn into_changes(self) -> CampaignChanges {
        let steps = self
            .steps
            .or_else(|| self.plan_from_mission_date.map(default_steps));
        CampaignChanges {
            title: self.title,
            goal: self.goal,
            audience: self.audience,
            registration_opens: self.registration_opens,
            registration_closes: self.registration_closes,
            key_message: self.key_message,
            why_it_matters: self.why_it_matters,
            mission_ids: self.mission_ids,
            steps,
        }
    }
}

/// The target of a lifecycle move.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: CampaignStatus,
}

/// For the default plan.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PlanQuery {
    pub mission_date: NaiveDate,
}

/// For the calendar check.
#[derive(Deserialize, IntoParams)]
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
    auth.require_manage()?;
    if b.title.is_none() {
        return Err(ApiError::field("title", "a campaign needs a title"));
    }
    let c = state
        .store
        .create_campaign(auth.org(), b.into_changes(), &auth.actor(&rid))
        .await?;
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
    auth.require_manage()?;
    Ok(Json(
        state
            .store
            .update_campaign(auth.org(), id, b.into_changes(), &auth.actor(&rid))
            .await?,
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
    auth.require_manage()?;
    let campaign = state
        .store
        .transition_campaign(auth.org(), id, b.status, &auth.actor(&rid))
        .await?;
    if campaign.status == CampaignStatus::Live {
        // Every live campaign has its public link from the start.
        state
            .store
            .ensure_link(auth.org(), id, declic_planning::Channel::Direct, None, None)
            .await?;
    }
    Ok(Json(campaign))
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
