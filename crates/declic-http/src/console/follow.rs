//! Following a campaign: its mailings, its registrations, its posters, the
//! ambassadors and their graph, and the impact report.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use declic_storage::dispatches::status as dispatch_status;
use serde::Deserialize;
use serde_json::{Value, json};

use super::dashboard::date_text;
use super::{Console, Done, Failure, Fields, api_body, done, notice};
use crate::AppState;
use crate::controllers::{
    evaluations as report_api, posters as poster_api, referrals as referral_api,
    registrations as registration_api,
};
use crate::error::ApiError;
use crate::extract::{Id, QueryParams};
use crate::pages::text;

/// `GET /console/campaigns/{id}/dispatches`: progress per step and channel, failures.
pub async fn dispatches(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    let lang = c.lang;
    let campaign = state
        .store
        .campaign(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let mut rows = vec![];
    for d in state.store.dispatches_of(c.org(), Some(id)).await? {
        let count = |k: &str| d.counts.get(k).copied().unwrap_or(0);
        let done_count = count("sent") + count("failed") + count("cancelled");
        let failed = count("failed");
        let failures = if failed > 0 {
            state.store.failed_deliveries(c.org(), d.id, 20).await?
        } else {
            vec![]
        };
        rows.push(json!({
            "id": d.id,
            "step": d.step_kind.as_deref().map(|s| text(lang, &format!("message_{s}"))).unwrap_or_else(|| text(lang, "message_manual")),
            "channel": text(lang, &format!("channel_{}", d.channel)),
            "status": d.status, "status_text": text(lang, &format!("dispatch_{}", d.status)),
            "total": d.total, "sent": count("sent"), "failed": failed, "waiting": count("queued") + count("retrying") + count("sending"),
            "progress": if d.total > 0 { done_count * 100 / d.total } else { 100 },
            "sending": d.status == dispatch_status::SENDING, "paused": d.status == dispatch_status::PAUSED,
            "failures": failures.iter().map(|f| json!({"recipient": f.recipient, "error": f.last_error, "attempts": f.attempts})).collect::<Vec<_>>(),
            "created": date_text(lang, d.created_at.date_naive()),
        }));
    }
    let live = rows.iter().any(|r| r["sending"] == json!(true));
    let relay = crate::console::relay_banner(&state, lang).await;
    Ok(c.page(
        &state,
        "console_dispatches",
        "campaigns",
        json!({"title": campaign.title, "campaign": {"id": id, "title": campaign.title},
               "dispatches": rows, "live": live, "notice": notice(lang, q.done.as_deref()),
               "relay": relay}),
    ))
}

/// `POST /console/dispatches/{id}`: pause, resume, cancel, retry failures, or send a step now.
pub async fn dispatch_action(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let d = state
        .store
        .dispatch(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let back = format!("/console/campaigns/{}/dispatches", d.campaign_id);
    let action = f.get("action");
    if action == "retry" {
        declic_app::dispatches::retry_failed(&state, &c.caller(), id)
            .await
            .map_err(|e| c.fail(e))?;
        return Ok(done(&back, "retried"));
    }
    let b: declic_app::dispatches::ActionBody =
        api_body(&json!({"action": action})).map_err(|e| c.fail(e))?;
    declic_app::dispatches::act(&state, &c.caller(), id, b.action)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(done(&back, &format!("dispatch_{action}")))
}

/// `POST /console/campaigns/{id}/dispatches`: sends a step's message now.
pub async fn send_step(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let b: declic_app::dispatches::NewDispatch =
        api_body(&json!({"step": f.get("step"), "channel": f.get("channel")}))
            .map_err(|e| c.fail(e))?;
    declic_app::dispatches::send(&state, &c.caller(), id, b)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(done(&format!("/console/campaigns/{id}/dispatches"), "sent"))
}

/// `GET /console/campaigns/{id}/registrations`: per mission, seats then the waitlist in order.
pub async fn registrations(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    let lang = c.lang;
    let campaign = state
        .store
        .campaign(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let rows = state
        .store
        .campaign_registrations(c.org(), id, None)
        .await?;
    let missions: HashMap<i64, _> = state
        .store
        .missions(c.org())
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut per_mission: Vec<Value> = vec![];
    for mid in &campaign.mission_ids {
        let Some(m) = missions.get(mid) else { continue };
        let mut people: Vec<(u64, Value)> = vec![];
        for r in &rows {
            for ch in r.choices.iter().filter(|ch| ch.mission_id == *mid) {
                let order = match ch.status.as_str() {
                    "seated" | "offered" => 0,
                    "waitlisted" => 1 + ch.position.unwrap_or(0),
                    _ => u64::MAX,
                };
                people.push((order, json!({
                    "choice_id": ch.choice_id, "name": format!("{} {}", r.first_name, r.last_name),
                    "email": r.email, "status": ch.status, "status_text": text(lang, &format!("choice_{}", ch.status)),
                    "position": ch.position, "rank": ch.rank, "confirmed": r.confirmed_at.is_some(),
                    "channel": r.source_channel, "attended": ch.attended,
                })));
            }
        }
        people.sort_by_key(|(o, _)| *o);
        let seated = people.iter().filter(|(o, _)| *o == 0).count();
        let waiting = people
            .iter()
            .filter(|(o, _)| *o > 0 && *o < u64::MAX)
            .count();
        per_mission.push(json!({
            "id": m.id, "title": m.title, "capacity": m.capacity, "seated": seated, "waiting": waiting,
            "dates": date_text(lang, m.starts_at.date()),
            "people": people.into_iter().map(|(_, p)| p).collect::<Vec<_>>(),
        }));
    }
    Ok(c.page(
        &state,
        "console_registrations",
        "campaigns",
        json!({"title": campaign.title, "campaign": {"id": id, "title": campaign.title},
               "missions": per_mission, "total": rows.len(), "notice": notice(lang, q.done.as_deref())}),
    ))
}

/// `POST /console/registration-choices/{id}/move` (`action`, `reason`, `campaign_id`).
pub async fn move_choice(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let campaign: i64 = f.get("campaign_id").parse().unwrap_or(0);
    let back = format!("/console/campaigns/{campaign}/registrations");
    let attempt = async {
        let b: declic_app::registrations::MoveBody =
            api_body(&json!({"action": f.get("action"), "reason": f.get("reason")}))?;
        Ok::<_, ApiError>(declic_app::registrations::move_choice(&state, &c.caller(), id, b).await?)
    };
    match attempt.await {
        Ok(_) => Ok(done(&back, "moved")),
        Err(e) => Err(c.fail(e)),
    }
}

/// `GET /console/campaigns/{id}/registrations.csv`.
pub async fn registrations_csv(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    q: QueryParams<registration_api::RegistrationQuery>,
) -> Result<Response, Failure> {
    let body = declic_app::registrations::export_csv(&state, &c.caller(), id, q.0.mission_id)
        .await
        .map_err(|e| c.fail(e))?;
    Ok((
        axum::http::StatusCode::OK,
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"registrations.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /console/campaigns/{id}/posters`: choose size, language and site, preview, download.
pub async fn posters(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
) -> Result<Response, Failure> {
    let campaign = state
        .store
        .campaign(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let (_, sites) = state.store.directory_facets(c.org()).await?;
    Ok(c.page(
        &state,
        "console_posters",
        "campaigns",
        json!({"title": campaign.title, "campaign": {"id": id, "title": campaign.title}, "sites": sites}),
    ))
}

/// `GET /console/campaigns/{id}/posters.pdf`.
pub async fn poster_pdf(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    q: QueryParams<poster_api::PosterQuery>,
) -> Result<Response, Failure> {
    let printed =
        declic_app::posters::posters_pdf(&state, &c.caller(), id, poster_api::poster_request(q.0))
            .await
            .map_err(|e| c.fail(e))?;
    Ok(poster_api::download(printed))
}

/// `GET /console/campaigns/{id}/posters.zip`.
pub async fn posters_zip(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    q: QueryParams<poster_api::PosterQuery>,
) -> Result<Response, Failure> {
    let printed =
        declic_app::posters::posters_zip(&state, &c.caller(), id, poster_api::poster_request(q.0))
            .await
            .map_err(|e| c.fail(e))?;
    Ok(poster_api::download(printed))
}

/// `GET /console/campaigns/{id}/flyers.pdf`.
pub async fn flyers_pdf(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    q: QueryParams<poster_api::FlyerQuery>,
) -> Result<Response, Failure> {
    let printed =
        declic_app::posters::flyers_pdf(&state, &c.caller(), id, poster_api::flyer_request(q.0))
            .await
            .map_err(|e| c.fail(e))?;
    Ok(poster_api::download(printed))
}

/// `?campaign_id=` on the ambassadors page (for the graph drawing).
#[derive(Deserialize, Default)]
pub struct GraphChoice {
    campaign_id: Option<i64>,
    done: Option<String>,
}

/// `GET /console/ambassadors`: list, opt-in status, leaderboard, the graph drawing.
pub async fn ambassadors(
    State(state): State<AppState>,
    c: Console,
    Query(q): Query<GraphChoice>,
) -> Result<Response, Failure> {
    let lang = c.lang;
    let list = state.store.ambassadors(c.org()).await?;
    let names: HashMap<i64, &str> = list
        .iter()
        .map(|a| (a.employee_id, a.first_name.as_str()))
        .collect();
    let data = state.store.referral_data(c.org()).await?;
    let figures: HashMap<i64, (u32, u32)> = data
        .figures()
        .iter()
        .map(|f| (f.person.0, (f.direct_recruits, f.reach)))
        .collect();
    let board = declic_referral::leaderboard(data.figures(), declic_referral::Viewer::Hr, 10);
    let board: Vec<Value> = board
        .top
        .iter()
        .map(|e| {
            let name = e
                .person
                .filter(|_| e.leaderboard_opt_in)
                .and_then(|p| names.get(&p.0).copied())
                .map_or_else(|| text(lang, "anonymous"), str::to_owned);
            json!({"rank": e.rank, "name": name, "direct_recruits": e.direct_recruits, "reach": e.reach})
        })
        .collect();
    let rows: Vec<Value> = list
        .iter()
        .map(|a| {
            let (direct, reach) = figures.get(&a.employee_id).copied().unwrap_or((0, 0));
            json!({"first_name": a.first_name, "email": a.email, "status": a.status,
                   "status_text": text(lang, &format!("ambassador_{}", a.status)),
                   "leaderboard_opt_in": a.leaderboard_opt_in, "direct_recruits": direct, "reach": reach,
                   "invited": date_text(lang, a.invited_at.date_naive())})
        })
        .collect();
    let campaigns = state.store.campaigns(c.org()).await?;
    let chosen = q.campaign_id.or_else(|| campaigns.first().map(|k| k.id));
    let choices: Vec<Value> = campaigns
        .iter()
        .map(|k| json!({"id": k.id, "title": k.title, "selected": Some(k.id) == chosen}))
        .collect();
    Ok(c.page(
        &state,
        "console_ambassadors",
        "ambassadors",
        json!({"ambassadors": rows, "leaderboard": board, "campaigns": choices, "graph_campaign": chosen,
               "notice": notice(lang, q.done.as_deref())}),
    ))
}

/// `POST /console/ambassadors`: invites someone who volunteered before.
pub async fn invite(
    State(state): State<AppState>,
    c: Console,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let b: declic_app::ambassadors::Invitation = api_body(
        &json!({"email": f.get("email"), "past_volunteer": f.get("past_volunteer") == "on"}),
    )
    .map_err(|e| c.fail(e))?;
    declic_app::ambassadors::invite(&state, &c.caller(), b)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(done("/console/ambassadors", "invited"))
}

/// `GET /console/campaigns/{id}/referrals.svg`: the graph drawing.
pub async fn graph_svg(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
) -> Result<Response, Failure> {
    let svg = declic_app::referrals::campaign_svg(&state, &c.caller(), id)
        .await
        .map_err(|e| c.fail(e))?;
    Ok(referral_api::svg_response(svg))
}

/// `GET /console/reports`: the campaigns' and the year's impact reports.
pub async fn reports(State(state): State<AppState>, c: Console) -> Result<Response, Failure> {
    let campaigns = state.store.campaigns(c.org()).await?;
    let mut years: Vec<i32> = campaigns
        .iter()
        .map(|k| chrono::Datelike::year(&k.created_at))
        .collect();
    years.sort_unstable();
    years.dedup();
    years.reverse();
    let rows: Vec<Value> = campaigns
        .iter()
        .map(|k| json!({"id": k.id, "title": k.title, "status_text": super::dashboard::status_text(c.lang, k.status)}))
        .collect();
    Ok(c.page(
        &state,
        "console_reports",
        "reports",
        json!({"campaigns": rows, "years": years}),
    ))
}

/// `GET /console/campaigns/{id}/report`: the report in any format (HTML by default).
pub async fn campaign_report(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    QueryParams(mut q): QueryParams<report_api::ReportQuery>,
) -> Result<Response, Failure> {
    q.format.get_or_insert_with(|| "html".into());
    q.lang.get_or_insert_with(|| c.lang.as_str().into());
    let report = declic_app::reports::campaign_report(&state, &c.caller(), id)
        .await
        .map_err(|e| c.fail(e))?;
    report_api::respond(&report, &q, &format!("report-campaign-{id}"))
        .await
        .map_err(|e| c.fail(e))
}

/// `GET /console/reports/{year}`.
pub async fn year_report(
    State(state): State<AppState>,
    c: Console,
    Path(year): Path<String>,
    QueryParams(mut q): QueryParams<report_api::ReportQuery>,
) -> Result<Response, Failure> {
    q.format.get_or_insert_with(|| "html".into());
    q.lang.get_or_insert_with(|| c.lang.as_str().into());
    let report = declic_app::reports::year_report(&state, &c.caller(), &year)
        .await
        .map_err(|e| c.fail(e))?;
    report_api::respond(&report, &q, &format!("report-{year}"))
        .await
        .map_err(|e| c.fail(e))
}
