//! Campaign links per channel, and the organiser's view of registrations.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use declic_planning::Channel;
use declic_storage::links::CampaignLink;
use declic_storage::registrations::RegistrationRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Id, JsonBody, QueryParams, RequestId};

/// A link and the address to share.
#[derive(Serialize, ToSchema)]
pub struct LinkWithUrl {
    #[serde(flatten)]
    pub link: CampaignLink,
    pub url: String,
}

/// A link to create (or fetch, when it exists) for a channel.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    pub channel: Channel,
    /// For posters: one link per site.
    pub site: Option<String>,
    /// For ambassador links: the ambassador's work email.
    pub ambassador_email: Option<String>,
}

/// Filter registrations by mission.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RegistrationQuery {
    pub mission_id: Option<i64>,
}

pub use declic_app::registrations::MoveBody;

fn with_url(state: &AppState, link: CampaignLink) -> LinkWithUrl {
    let url = format!(
        "{}/c/{}",
        state.config.server.public_url.trim_end_matches('/'),
        link.code
    );
    LinkWithUrl { link, url }
}

/// The campaign's links, one per channel variant, with visit counts; the direct link always exists.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/links", tag = "registrations", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LinkWithUrl>), (status = 404, body = crate::Problem)))]
pub async fn links(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> ApiResult<Json<Vec<LinkWithUrl>>> {
    state
        .store
        .ensure_link(auth.org(), id, Channel::Direct, None, None)
        .await?;
    let links = state.store.campaign_links(auth.org(), id).await?;
    Ok(Json(
        links.into_iter().map(|l| with_url(&state, l)).collect(),
    ))
}

/// Creates (or returns) the tagged link of a channel: mail, slack, teams, poster per site, event, ambassador.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/links", tag = "registrations", security(("bearer" = [])), params(("id" = i64, Path)), request_body = NewLink,
    responses((status = 200, body = LinkWithUrl), (status = 422, body = crate::Problem)))]
pub async fn create_link(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    JsonBody(b): JsonBody<NewLink>,
) -> ApiResult<Json<LinkWithUrl>> {
    auth.require_manage()?;
    let ambassador = match b.ambassador_email.as_deref() {
        Some(email) => {
            let id = state
                .store
                .employee_by_email(auth.org(), email)
                .await
                .map_err(|_| ApiError::field("ambassador_email", "no employee with this email"))?
                .id;
            // Links credit only people who said yes to being an ambassador.
            if state
                .store
                .active_ambassador_of(auth.org(), id)
                .await?
                .is_none()
            {
                return Err(ApiError::field(
                    "ambassador_email",
                    "this person has not accepted to be an ambassador",
                ));
            }
            Some(id)
        }
        None => None,
    };
    let link = state
        .store
        .ensure_link(auth.org(), id, b.channel, b.site.as_deref(), ambassador)
        .await?;
    Ok(Json(with_url(&state, link)))
}

/// Registrations of a campaign with status, source and mission choices.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/registrations", tag = "registrations", security(("bearer" = [])), params(("id" = i64, Path), RegistrationQuery),
    responses((status = 200, body = Vec<RegistrationRow>)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Id(id): Id,
    QueryParams(q): QueryParams<RegistrationQuery>,
) -> ApiResult<Json<Vec<RegistrationRow>>> {
    Ok(Json(
        state
            .store
            .campaign_registrations(auth.org(), id, q.mission_id)
            .await?,
    ))
}

/// The same as CSV, one line per mission choice (for spreadsheets).
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/registrations.csv", tag = "registrations", security(("bearer" = [])), params(("id" = i64, Path), RegistrationQuery),
    responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export_csv(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    QueryParams(q): QueryParams<RegistrationQuery>,
) -> ApiResult<Response> {
    let body =
        declic_app::registrations::export_csv(&state, &auth.caller(&rid), id, q.mission_id).await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"registrations.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// An organiser moves someone (seat, waitlist, cancel), with a reason kept in the audit log.
#[utoipa::path(post, path = "/api/v1/registration-choices/{id}/move", tag = "registrations", security(("bearer" = [])), params(("id" = i64, Path)), request_body = MoveBody,
    responses((status = 200, body = Vec<RegistrationRow>), (status = 404, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn move_choice(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(b): JsonBody<MoveBody>,
) -> ApiResult<StatusCode> {
    declic_app::registrations::move_choice(&state, &auth.caller(&rid), id, b).await?;
    Ok(StatusCode::NO_CONTENT)
}
