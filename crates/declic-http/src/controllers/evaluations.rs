//! Evaluation questionnaires, the impact report (per campaign and per year, as
//! JSON, CSV, an HTML page with SVG charts, or PDF) and the share-back message.
//!
//! Every breakdown of answers is withheld under [`K_ANONYMITY`] answers, in every
//! format; free-text answers appear in the JSON and HTML report (HR only), never in
//! the CSV or PDF exports, which travel further.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use declic_evaluation::{Audience, Questionnaire};
use declic_storage::dispatches::Dispatch;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use declic_app::reports as uc;
pub use declic_app::reports::Report;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Id, JsonBody, QueryParams, RequestId};

fn audience(s: &str) -> Result<Audience, ApiError> {
    Audience::parse(s).ok_or_else(|| ApiError::field("audience", "volunteer or association"))
}

/// The organisation's questionnaire for `volunteer` or `association` (Declic's
/// default until it writes its own).
#[utoipa::path(get, path = "/api/v1/questionnaires/{audience}", tag = "evaluation", security(("bearer" = [])),
    params(("audience" = String, Path)), responses((status = 200, body = Object), (status = 422, body = crate::Problem)))]
pub async fn questionnaire(
    State(state): State<AppState>,
    auth: Auth,
    Path(a): Path<String>,
) -> ApiResult<Json<Questionnaire>> {
    Ok(Json(
        state.store.questionnaire(auth.org(), audience(&a)?).await?,
    ))
}

/// Replaces the questionnaire for an audience: checked first (keys, kinds of the
/// questions the report relies on, wordings in French and English, choices).
#[utoipa::path(put, path = "/api/v1/questionnaires/{audience}", tag = "evaluation", security(("bearer" = [])),
    params(("audience" = String, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 422, body = crate::Problem)))]
pub async fn save_questionnaire(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Path(a): Path<String>,
    JsonBody(q): JsonBody<Questionnaire>,
) -> ApiResult<Json<Questionnaire>> {
    auth.require_manage()?;
    let a = audience(&a)?;
    Ok(Json(
        state
            .store
            .save_questionnaire(auth.org(), a, &q, &auth.actor(&rid))
            .await?,
    ))
}

/// Goes back to Declic's default questionnaire.
#[utoipa::path(delete, path = "/api/v1/questionnaires/{audience}", tag = "evaluation", security(("bearer" = [])),
    params(("audience" = String, Path)), responses((status = 200, body = Object)))]
pub async fn reset_questionnaire(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Path(a): Path<String>,
) -> ApiResult<Json<Questionnaire>> {
    auth.require_manage()?;
    let a = audience(&a)?;
    Ok(Json(
        state
            .store
            .reset_questionnaire(auth.org(), a, &auth.actor(&rid))
            .await?,
    ))
}

/// The report's format and language.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `json` (default), `csv`, `html` or `pdf`.
    pub format: Option<String>,
    /// `fr` (default) or `en`, for HTML, CSV and PDF.
    pub lang: Option<String>,
}

/// The impact report of one campaign.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/report", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path), ReportQuery),
    responses((status = 200, body = Report), (status = 404, body = crate::Problem), (status = 422, body = crate::Problem)))]
pub async fn campaign_report(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Response> {
    let report = uc::campaign_report(&state, &auth.caller(&rid), id).await?;
    respond(&report, &q, &format!("report-campaign-{id}")).await
}

/// The impact report of a year: every campaign created that year, and the trends
/// from one to the next.
#[utoipa::path(get, path = "/api/v1/reports/{year}", tag = "evaluation", security(("bearer" = [])),
    params(("year" = i32, Path), ReportQuery),
    responses((status = 200, body = Report), (status = 422, body = crate::Problem)))]
pub async fn year_report(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Path(year): Path<String>,
    QueryParams(q): QueryParams<ReportQuery>,
) -> ApiResult<Response> {
    let report = uc::year_report(&state, &auth.caller(&rid), &year).await?;
    respond(&report, &q, &format!("report-{year}")).await
}

pub(crate) async fn respond(report: &Report, q: &ReportQuery, file: &str) -> ApiResult<Response> {
    let lang = match q.lang.as_deref() {
        None | Some("fr") => "fr",
        Some("en") => "en",
        Some(_) => return Err(ApiError::field("lang", "fr or en")),
    };
    let attachment = |ct: &'static str, ext: &str, body: Vec<u8>| {
        (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, ct.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}.{ext}\""),
                ),
            ],
            body,
        )
            .into_response()
    };
    match q.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(report).into_response()),
        "csv" => Ok(attachment(
            "text/csv; charset=utf-8",
            "csv",
            uc::csv(report, lang).into_bytes(),
        )),
        "html" => Ok(crate::pages::with_security_headers(
            (StatusCode::OK, axum::response::Html(uc::html(report, lang))).into_response(),
        )),
        "pdf" => {
            let bytes = uc::pdf(report, lang).await?;
            Ok(attachment("application/pdf", "pdf", bytes))
        }
        _ => Err(ApiError::field("format", "one of json, csv, html, pdf")),
    }
}

/// What HR shares with a campaign's volunteers after the mission.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareBack {
    /// A word from HR, in French and English.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub note: Option<declic_evaluation::Label>,
    /// Quotes HR chose (from the free-text answers, or the association's own words).
    #[serde(default)]
    pub quotes: Vec<String>,
}

/// Sends the campaign's attendees "what your mission changed": HR's note, the
/// figures of the campaign's answers (each from at least five answers) and the
/// quotes HR chose.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/share-back", tag = "evaluation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ShareBack,
    responses((status = 201, body = Dispatch), (status = 422, body = crate::Problem)))]
pub async fn share_back(
    State(state): State<AppState>,
    auth: Auth,
    rid: RequestId,
    Id(id): Id,
    JsonBody(b): JsonBody<ShareBack>,
) -> ApiResult<(StatusCode, Json<Dispatch>)> {
    auth.require_manage()?;
    if b.quotes.len() > 5 {
        return Err(ApiError::field("quotes", "at most 5 quotes"));
    }
    for (i, q) in b.quotes.iter().enumerate() {
        if q.trim().is_empty() || q.chars().count() > 500 {
            return Err(ApiError::field(
                format!("quotes[{i}]"),
                "a quote of 1 to 500 characters",
            ));
        }
    }
    if let Some(n) = &b.note {
        for (lang, text) in [("fr", &n.fr), ("en", &n.en)] {
            if text.chars().count() > 1_000 {
                return Err(ApiError::field(
                    format!("note.{lang}"),
                    "at most 1000 characters",
                ));
            }
        }
    }
    let report = uc::campaign_report(&state, &auth.caller(&rid), id).await?;
    let mut figures = Vec::new();
    if let Some(x) = report.campaigns.first() {
        for (value, fr, en) in [
            (
                x.happier_at_work,
                "Bénévoles plus heureux au travail",
                "Volunteers happier at work",
            ),
            (
                x.volunteer_privately,
                "Bénévoles qui veulent s’engager aussi dans leur vie privée",
                "Volunteers who want to volunteer privately too",
            ),
        ] {
            if value.is_some() {
                figures.push(json!({"label": {"fr": fr, "en": en}, "value": uc::pct(value)}));
            }
        }
    }
    // What the associations say they put in place, when enough of them answered.
    for w in report.waves.iter().filter(|w| w.audience == "association") {
        if let Some(q) = w
            .questions
            .iter()
            .find(|q| q.key == "recommendations" && !q.withheld)
        {
            let applied: usize = q
                .distribution
                .iter()
                .filter(|d| d.value != "none")
                .map(|d| d.count)
                .sum();
            figures.push(json!({
                "label": {"fr": "Associations qui ont mis en place des recommandations", "en": "Associations that put recommendations in place"},
                "value": format!("{applied} / {}", q.answered),
            }));
        }
    }
    let content: Value = json!({
        "note": b.note.map(|n| json!({"fr": n.fr, "en": n.en})).unwrap_or(json!({"fr": "", "en": ""})),
        "figures": figures,
        "quotes": b.quotes,
    });
    let d = state
        .store
        .create_share_back(auth.org(), id, &content, &auth.actor(&rid))
        .await?;
    Ok((StatusCode::CREATED, Json(d)))
}
