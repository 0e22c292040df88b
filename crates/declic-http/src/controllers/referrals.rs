//! Attendance sheets and the organisation's referral graph: figures, leaderboard, exports.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use declic_referral::{
    AmbassadorFigures, CampaignFigures, CampaignId, Leaderboard, PersonId, Viewer,
};
use declic_storage::referrals::{AttendanceMark, ReferralData, SourceShare};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Id, JsonBody, QueryParams, RequestId};

/// Who came to a mission.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceSheet {
    pub marks: Vec<AttendanceMark>,
}

/// How many lines were recorded.
#[derive(Serialize, ToSchema)]
pub struct AttendanceRecorded {
    pub marked: u64,
}

/// Narrow the graph to one campaign.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GraphQuery {
    pub campaign_id: Option<i64>,
    /// `json` (default), `csv`, `graphml` or `dot`.
    pub format: Option<String>,
}

/// Narrow the figures to one campaign, or size the leaderboard.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FiguresQuery {
    pub campaign_id: Option<i64>,
    /// Leaderboard length (default 10, at most 100).
    pub limit: Option<usize>,
}

/// One ambassador's figures, with their first name.
#[derive(Serialize, ToSchema)]
pub struct AmbassadorRow {
    pub employee_id: i64,
    pub first_name: Option<String>,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub figures: AmbassadorFigures,
}

/// The organisation's referral figures.
#[derive(Serialize, ToSchema)]
pub struct ReferralFigures {
    pub ambassadors: Vec<AmbassadorRow>,
    /// Per campaign: recruits, active ambassadors, viral coefficient (recruits per
    /// active ambassador), first-time volunteers, generations.
    #[schema(value_type = Vec<Object>)]
    pub campaigns: Vec<CampaignFigures>,
    /// Per campaign: the share of registrations by source (channel, poster site).
    pub sources: Vec<SourceShare>,
}

/// Marks who came to a mission (seated people only); feeds the referral figures and evaluations.
#[utoipa::path(post, path = "/api/v1/missions/{id}/attendance", tag = "referrals", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AttendanceSheet,
    responses((status = 200, body = AttendanceRecorded), (status = 422, body = crate::Problem)))]
pub async fn mark_attendance(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(b): JsonBody<AttendanceSheet>,
) -> ApiResult<Json<AttendanceRecorded>> {
    auth.require_manage()?;
    let marked = state
        .store
        .mark_attendance(auth.org(), id, &b.marks, &auth.actor(&rid))
        .await?;
    Ok(Json(AttendanceRecorded { marked }))
}

async fn campaign_filter(
    state: &AppState,
    auth: &Auth,
    id: Option<i64>,
) -> ApiResult<Option<CampaignId>> {
    match id {
        Some(id) => {
            // Another organisation's campaign is simply not found.
            state.store.campaign(auth.org(), id).await?;
            Ok(Some(CampaignId(id)))
        }
        None => Ok(None),
    }
}

fn label(data: &ReferralData) -> impl Fn(PersonId) -> Option<String> + '_ {
    |p| data.first_names.get(&p).cloned()
}

/// Every ambassador's figures (direct recruits, reach, depth, conversion…) and each campaign's.
#[utoipa::path(get, path = "/api/v1/referrals/figures", tag = "referrals", security(("bearer" = [])), params(FiguresQuery),
    responses((status = 200, body = ReferralFigures)))]
pub async fn figures(
    State(state): State<AppState>,
    auth: Auth,
    QueryParams(q): QueryParams<FiguresQuery>,
) -> ApiResult<Json<ReferralFigures>> {
    let campaign = campaign_filter(&state, &auth, q.campaign_id).await?;
    let data = state.store.referral_data(auth.org()).await?;
    let mut ambassadors: Vec<AmbassadorRow> = data
        .figures()
        .iter()
        .map(|f| AmbassadorRow {
            employee_id: f.person.0,
            first_name: data.first_names.get(&f.person).cloned(),
            figures: f.clone(),
        })
        .collect();
    ambassadors.sort_by_key(|a| {
        (
            std::cmp::Reverse(a.figures.direct_recruits),
            std::cmp::Reverse(a.figures.reach),
            a.employee_id,
        )
    });
    let campaigns = match campaign {
        Some(c) => vec![data.graph.figures_of_campaign(c)],
        None => data.graph.campaign_figures(),
    };
    let sources = state
        .store
        .registration_sources(auth.org(), q.campaign_id)
        .await?;
    Ok(Json(ReferralFigures {
        ambassadors,
        campaigns,
        sources,
    }))
}

/// The top ambassadors as HR sees them (everyone, with their leaderboard opt-in).
#[utoipa::path(get, path = "/api/v1/referrals/leaderboard", tag = "referrals", security(("bearer" = [])), params(FiguresQuery),
    responses((status = 200, body = Object)))]
pub async fn leaderboard(
    State(state): State<AppState>,
    auth: Auth,
    QueryParams(q): QueryParams<FiguresQuery>,
) -> ApiResult<Json<Leaderboard>> {
    if q.campaign_id.is_some() {
        return Err(ApiError::field(
            "campaign_id",
            "the leaderboard covers all campaigns",
        ));
    }
    let limit = q.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::field("limit", "give 1 to 100"));
    }
    let data = state.store.referral_data(auth.org()).await?;
    Ok(Json(declic_referral::leaderboard(
        data.figures(),
        Viewer::Hr,
        limit,
    )))
}

fn text(content_type: &'static str, file: String, body: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The graph as JSON, CSV, GraphML or DOT; people appear under pseudonyms unless
/// they are ambassadors or agreed to be shown, erased people always under pseudonyms.
#[utoipa::path(get, path = "/api/v1/referrals/graph", tag = "referrals", security(("bearer" = [])), params(GraphQuery),
    responses((status = 200, content_type = "application/json", body = String), (status = 422, body = crate::Problem)))]
pub async fn graph(
    State(state): State<AppState>,
    auth: Auth,
    QueryParams(q): QueryParams<GraphQuery>,
) -> ApiResult<Response> {
    let campaign = campaign_filter(&state, &auth, q.campaign_id).await?;
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv" | "graphml" | "dot") {
        return Err(ApiError::field("format", "one of json, csv, graphml, dot"));
    }
    let data = state.store.referral_data(auth.org()).await?;
    let g = &data.graph;
    let labels = label(&data);
    Ok(match format {
        "csv" => text(
            "text/csv; charset=utf-8",
            "referrals.csv".into(),
            g.to_csv(campaign, labels),
        ),
        "graphml" => text(
            "application/graphml+xml",
            "referrals.graphml".into(),
            g.to_graphml(campaign, labels),
        ),
        "dot" => text(
            "text/vnd.graphviz; charset=utf-8",
            "referrals.dot".into(),
            g.to_dot(campaign, labels),
        ),
        _ => text(
            "application/json",
            "referrals.json".into(),
            g.to_json(campaign, labels),
        ),
    })
}

/// A campaign's referral graph drawn as SVG, generations top to bottom, for the HR report.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/referrals.svg", tag = "referrals", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = crate::Problem)))]
pub async fn campaign_svg(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
) -> ApiResult<Response> {
    let svg = declic_app::referrals::campaign_svg(&state, &auth.caller(&rid), id).await?;
    Ok(svg_response(svg))
}

/// The graph drawing as a private response.
pub(crate) fn svg_response(svg: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            // The drawing holds first names: keep it out of shared caches.
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        svg,
    )
        .into_response()
}
