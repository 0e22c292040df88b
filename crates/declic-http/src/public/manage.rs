//! `GET /me/{token}`: the person's own page; POSTs to cancel, claim, decline or wait with a duo partner.
//! The signed token in the URL is the only credential: no password, and no
//! cross-site form can guess it.

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use declic_app::caller::AppError;
use declic_app::registrations::PersonalChange as Change;
use declic_storage::OrgId;
use declic_storage::registrations::{RegistrationView, choice};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{manage_token_ok, parse_manage_token, texts};
use crate::AppState;
use crate::pages::{Lang, message, render, text};

/// `?lang=`.
#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// Which mission a change is about; absent means all (cancel only).
#[derive(Deserialize)]
pub struct MissionForm {
    mission_id: Option<String>,
}

async fn authorise(state: &AppState, token: &str) -> Option<i64> {
    let (id, sig) = parse_manage_token(token)?;
    let nonce = state.store.manage_nonce(id).await.ok()??;
    manage_token_ok(state, id, &nonce, sig).then_some(id)
}

/// The registration behind a signed personal link and the page's language, or the
/// "invalid link" page.
async fn signed_in(
    state: &AppState,
    token: &str,
    q: &LangQuery,
    headers: &HeaderMap,
) -> Result<(i64, Lang), Response> {
    let Some(id) = authorise(state, token).await else {
        return Err(message(
            StatusCode::NOT_FOUND,
            lang_of(q, headers, None),
            "manage_invalid_title",
            "manage_invalid",
        ));
    };
    let reg = state.store.registration_view(id).await.ok();
    Ok((id, lang_of(q, headers, reg.as_ref())))
}

fn lang_of(q: &LangQuery, headers: &HeaderMap, reg: Option<&RegistrationView>) -> Lang {
    if q.lang.is_some() || headers.contains_key(axum::http::header::ACCEPT_LANGUAGE) {
        crate::pages::negotiate(q.lang.as_deref(), headers)
    } else if reg.is_some_and(|r| r.language == "en") {
        Lang::En
    } else {
        Lang::Fr
    }
}

/// The personal page after a change the person asked for: with `notice` when it was
/// made, again with 422 when it broke a rule (the page shows where things stand), or a
/// "try again" page when the service failed.
async fn answer(
    state: &AppState,
    token: &str,
    id: i64,
    lang: Lang,
    done: Result<String, AppError>,
) -> Response {
    match done {
        Ok(notice) => page(state, token, id, lang, Some(notice), StatusCode::OK).await,
        Err(
            AppError::Invalid(_) | AppError::Storage(declic_storage::StorageError::Invalid { .. }),
        ) => {
            page(
                state,
                token,
                id,
                lang,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => {
            tracing::error!(error = %e, "a change from the personal page failed");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "manage_invalid_title",
                "manage_invalid",
            )
        }
    }
}

async fn page(
    state: &AppState,
    token: &str,
    id: i64,
    lang: Lang,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let reg = match state.store.registration_view(id).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "personal page failed");
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "manage_invalid_title",
                "manage_invalid",
            );
        }
    };
    let org = OrgId(reg.organization_id);
    let (Ok(o), Ok(campaign)) = (
        state.store.organization(org).await,
        state.store.campaign(org, reg.campaign_id).await,
    ) else {
        return message(
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            "manage_invalid_title",
            "manage_invalid",
        );
    };
    let missions = state
        .store
        .missions_by_ids(org, &campaign.mission_ids)
        .await
        .unwrap_or_default();
    let partner_waiting = match reg.duo_registration_id {
        Some(p) => state.store.registration_view(p).await.ok().map(|pr| {
            pr.choices
                .iter()
                .filter(|c| c.status == choice::WAITLISTED)
                .map(|c| c.mission_id)
                .collect::<Vec<_>>()
        }),
        None => None,
    }
    .unwrap_or_default();
    let choices: Vec<Value> = reg
        .choices
        .iter()
        .map(|c| {
            let m = missions.iter().find(|m| m.id == c.mission_id);
            // An offer past its deadline is gone, even before the minute job passes it on.
            let lapsed = c.status == choice::OFFERED
                && c.offer_expires_at.is_some_and(|e| e < chrono::Utc::now());
            let status_text = match c.status.as_str() {
                _ if lapsed => text(lang, "status_offer_lapsed"),
                choice::WAITLISTED => text(lang, "status_waitlisted").replace("{n}", &c.position.unwrap_or(1).to_string()),
                choice::OFFERED => text(lang, "status_offered").replace("{date}", &c.offer_expires_at.map(|e| format!("{} {}", texts::date(lang, e.date_naive()), e.format("%H:%M UTC"))).unwrap_or_default()),
                other => text(lang, &format!("status_{other}")),
            };
            json!({
                "mission_id": c.mission_id,
                "rank": c.rank,
                "title": m.map(|m| m.title.clone()).unwrap_or_default(),
                "dates": m.map(|m| texts::dates(lang, m.starts_at, m.ends_at, &m.time_zone)).unwrap_or_default(),
                "place": m.map(|m| texts::place(lang, m)).unwrap_or_default(),
                "status": c.status,
                "status_text": status_text,
                "offered": c.status == choice::OFFERED && !lapsed,
                "can_cancel": !lapsed && matches!(c.status.as_str(), choice::SEATED | choice::WAITLISTED | choice::OFFERED),
                "can_wait_with_partner": c.status == choice::SEATED && partner_waiting.contains(&c.mission_id),
            })
        })
        .collect();
    let other_missions: Vec<Value> = missions
        .iter()
        .filter(|m| m.status == "published")
        .filter(|m| {
            !reg.choices.iter().any(|c| {
                c.mission_id == m.id
                    && matches!(
                        c.status.as_str(),
                        choice::SEATED | choice::WAITLISTED | choice::OFFERED
                    )
            })
        })
        .map(|m| json!({"id": m.id, "title": m.title}))
        .collect();
    let can_cancel_all = reg.choices.iter().any(|c| {
        matches!(
            c.status.as_str(),
            choice::SEATED | choice::WAITLISTED | choice::OFFERED | choice::PENDING
        )
    });
    render(
        status,
        "manage",
        lang,
        json!({
            "title": text(lang, "manage_title"),
            "privacy_url": declic_app::links::privacy_notice_path(&o.slug, lang),
            "organization": o.name,
            "campaign": campaign.title,
            "email": reg.email,
            "notice": notice,
            "pending": reg.status == "pending",
            "choices": choices,
            "token": token,
            "can_cancel_all": can_cancel_all,
        "can_change": reg.status == "confirmed" && !other_missions.is_empty(),
        "other_missions": other_missions,
            "campaign_link": Value::Null,
            "has_referrer": reg.has_referrer,
            "name_shown": reg.show_to_referrer,
        }),
    )
}

/// The personal page.
pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let (id, lang) = match signed_in(&state, &token, &q, &headers).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    page(&state, &token, id, lang, None, StatusCode::OK).await
}

async fn change(
    state: AppState,
    token: String,
    q: LangQuery,
    headers: HeaderMap,
    form: MissionForm,
    what: Change,
) -> Response {
    let (id, lang) = match signed_in(&state, &token, &q, &headers).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let mission = form
        .mission_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse::<i64>);
    let mission = match mission {
        Some(Ok(m)) => Some(m),
        Some(Err(_)) => {
            return page(
                &state,
                &token,
                id,
                lang,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        None => None,
    };
    let result = declic_app::registrations::change_own(&state, id, what, mission).await;
    let done = match result {
        Ok(outcome) => Ok(text(
            lang,
            match what {
                Change::Cancel => "cancelled_notice",
                Change::Claim => "claimed_notice",
                Change::Decline => "declined_notice",
                Change::WaitWithPartner => "waiting_notice",
                Change::Prefer if outcome.seated_mission.is_some() => "changed_notice",
                Change::Prefer => "change_waiting_notice",
            },
        )),
        // A claim that comes too late says so, in the person's language.
        Err(AppError::Storage(declic_storage::StorageError::Invalid { .. }))
            if what == Change::Claim =>
        {
            return page(
                &state,
                &token,
                id,
                lang,
                Some(text(lang, "claim_late")),
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(e) => Err(e),
    };
    answer(&state, &token, id, lang, done).await
}

/// Cancels one mission (`mission_id`) or everything.
pub async fn cancel(
    State(s): State<AppState>,
    Path(t): Path<String>,
    Query(q): Query<LangQuery>,
    h: HeaderMap,
    Form(f): Form<MissionForm>,
) -> Response {
    change(s, t, q, h, f, Change::Cancel).await
}

/// Takes an offered seat.
pub async fn claim(
    State(s): State<AppState>,
    Path(t): Path<String>,
    Query(q): Query<LangQuery>,
    h: HeaderMap,
    Form(f): Form<MissionForm>,
) -> Response {
    change(s, t, q, h, f, Change::Claim).await
}

/// Declines an offered seat.
pub async fn decline(
    State(s): State<AppState>,
    Path(t): Path<String>,
    Query(q): Query<LangQuery>,
    h: HeaderMap,
    Form(f): Form<MissionForm>,
) -> Response {
    change(s, t, q, h, f, Change::Decline).await
}

/// Duo: gives up a seat to wait with the colleague.
pub async fn wait_with_partner(
    State(s): State<AppState>,
    Path(t): Path<String>,
    Query(q): Query<LangQuery>,
    h: HeaderMap,
    Form(f): Form<MissionForm>,
) -> Response {
    change(s, t, q, h, f, Change::WaitWithPartner).await
}

/// Changes to another mission of the campaign (seated if it has room, else waiting for it).
pub async fn prefer(
    State(s): State<AppState>,
    Path(t): Path<String>,
    Query(q): Query<LangQuery>,
    h: HeaderMap,
    Form(f): Form<MissionForm>,
) -> Response {
    change(s, t, q, h, f, Change::Prefer).await
}

/// `show=yes|no`.
#[derive(Deserialize)]
pub struct ShownForm {
    show: Option<String>,
}

/// Lets the ambassador who brought the person see their first name, or takes it back.
pub async fn name_shown(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(f): Form<ShownForm>,
) -> Response {
    let (id, lang) = match signed_in(&state, &token, &q, &headers).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let show = f.show.as_deref() == Some("yes");
    let done = declic_app::registrations::show_name_to_ambassador(&state, id, show)
        .await
        .map(|()| {
            text(
                lang,
                if show {
                    "name_shown_now"
                } else {
                    "name_hidden_now"
                },
            )
        });
    answer(&state, &token, id, lang, done).await
}
