//! Campaigns in the console: the list, a new campaign from the default plan, and
//! the editor (details, audience, missions, the calendar with its warnings, the
//! messages with a live preview, the lifecycle and the sending switch).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use declic_planning::{CampaignStatus, StepKind};
use declic_storage::campaigns::Campaign;
use declic_storage::dispatches::{DispatchAction, status as dispatch_status};
use serde::Deserialize;
use serde_json::{Value, json};

use super::dashboard::{alerts, date_text, language, status_text};
use super::{Console, Done, Failure, Fields, api_body, done, field_errors, notice};
use declic_app::campaigns as uc;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Id;
use crate::pages::{render, text};

/// `GET /console/campaigns`.
pub async fn list(
    State(state): State<AppState>,
    c: Console,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    let rows = campaign_rows(&state, &c).await?;
    Ok(c.page(
        &state,
        "console_campaigns",
        "campaigns",
        json!({"campaigns": rows, "form": {"title": "", "goal": "10", "mission_date": ""},
               "notice": notice(c.lang, q.done.as_deref())}),
    ))
}

async fn campaign_rows(state: &AppState, c: &Console) -> Result<Vec<Value>, Failure> {
    Ok(state
        .store
        .campaigns(c.org())
        .await?
        .iter()
        .map(|k| {
            json!({"id": k.id, "title": k.title, "status": k.status.as_str(),
                   "status_text": status_text(c.lang, k.status), "goal": k.goal,
                   "first_step": k.steps.iter().map(|s| s.date).min().map(|d| date_text(c.lang, d))})
        })
        .collect())
}

fn number(f: &Fields, name: &str) -> Result<Value, ApiError> {
    let raw = f.get(name);
    raw.parse::<i64>()
        .map(|n| json!(n))
        .map_err(|_| ApiError::field(name, "give a whole number"))
}

fn date_or_null(f: &Fields, name: &str) -> Value {
    f.opt(name).map_or(Value::Null, Value::String)
}

/// `POST /console/campaigns`: a draft with the default plan around the mission date.
pub async fn create(
    State(state): State<AppState>,
    c: Console,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let attempt = async {
        let goal = number(&f, "goal")?;
        if f.get("mission_date").is_empty() {
            return Err(ApiError::field(
                "plan_from_mission_date",
                "give the mission date: the calendar is planned around it",
            ));
        }
        let b: uc::CampaignBody = api_body(&json!({
            "title": f.get("title"), "goal": goal, "plan_from_mission_date": f.get("mission_date"),
        }))?;
        Ok::<_, ApiError>(uc::create(&state, &c.caller(), b).await?)
    };
    match attempt.await {
        Ok(k) => Ok(done(&format!("/console/campaigns/{}", k.id), "created")),
        Err(e) => {
            let Some(errors) = field_errors(c.lang, &e) else {
                return Err(c.fail(e));
            };
            let rows = campaign_rows(&state, &c).await?;
            Ok(c.invalid(
                &state,
                "console_campaigns",
                "campaigns",
                json!({"campaigns": rows, "errors": errors,
                       "form": {"title": f.get("title"), "goal": f.get("goal"), "mission_date": f.get("mission_date")}}),
            ))
        }
    }
}

/// Which preview to show on the editor.
#[derive(Deserialize, Default)]
pub struct EditorQuery {
    pub(super) done: Option<String>,
    pub(super) step: Option<String>,
    pub(super) channel: Option<String>,
    pub(super) message_lang: Option<String>,
}

/// `GET /console/campaigns/{id}`: the editor.
pub async fn show(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    Query(q): Query<EditorQuery>,
) -> Result<Response, Failure> {
    let campaign = state
        .store
        .campaign(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let mut data = editor_data(&state, &c, &campaign, &q).await?;
    data["notice"] = notice(c.lang, q.done.as_deref());
    Ok(c.page(&state, "console_campaign", "campaigns", data))
}

pub(super) async fn editor_data(
    state: &AppState,
    c: &Console,
    k: &Campaign,
    q: &EditorQuery,
) -> Result<Value, Failure> {
    let lang = c.lang;
    let today = Utc::now().date_naive();
    let missions = state.store.missions(c.org()).await?;
    let by_id: HashMap<i64, _> = missions.iter().map(|m| (m.id, m.clone())).collect();
    let (departments, sites) = state.store.directory_facets(c.org()).await?;
    let audience = state
        .store
        .audience_size(c.org(), &k.audience.departments, &k.audience.sites)
        .await?;
    let mut failed = 0;
    let mut sending = false;
    let mut paused = false;
    for d in state.store.dispatches_of(c.org(), Some(k.id)).await? {
        failed += d.counts.get("failed").copied().unwrap_or(0);
        sending |= d.status == dispatch_status::SENDING;
        paused |= d.status == dispatch_status::PAUSED;
    }
    let alerts = alerts(state, c, k, &by_id, failed, today).await?;
    let links = state.store.campaign_links(c.org(), k.id).await?;
    let base = crate::public::base_url(state);
    let direct = links
        .iter()
        .find(|l| l.channel == declic_planning::Channel::Direct && l.site.is_none())
        .map(|l| format!("{base}/c/{}", l.code));
    let steps: Vec<Value> = k
        .steps
        .iter()
        .map(|s| {
            json!({"kind": s.kind.as_str(), "label": s.kind.label(language(lang)), "date": s.date.to_string(),
                   "date_text": date_text(lang, s.date), "note": s.note, "past": s.date < today})
        })
        .collect();
    let preview = super::messages::preview_panel(state, c, k.id, q, None).await;
    let wording = super::messages::wording(state, c, k.id, q).await?;
    let transitions: Vec<Value> = k
        .status
        .allowed_next()
        .iter()
        .map(|s| json!({"status": s.as_str(), "label": text(lang, &format!("to_{}", s.as_str()))}))
        .collect();
    Ok(json!({
        "title": k.title,
        "campaign": {
            "id": k.id, "title": k.title, "goal": k.goal, "key_message": k.key_message,
            "why_it_matters": k.why_it_matters, "status": k.status.as_str(),
            "status_text": status_text(lang, k.status),
            "registration_opens": k.registration_opens.map(|d| d.to_string()),
            "registration_closes": k.registration_closes.map(|d| d.to_string()),
            "live": k.status == CampaignStatus::Live,
        },
        "transitions": transitions,
        "sending": sending, "paused": paused,
        "audience": audience,
        "departments": departments.iter().map(|d| json!({"name": d, "checked": k.audience.departments.contains(d)})).collect::<Vec<_>>(),
        "sites": sites.iter().map(|s| json!({"name": s, "checked": k.audience.sites.contains(s)})).collect::<Vec<_>>(),
        "missions": missions.iter().map(|m| json!({"id": m.id, "title": m.title, "capacity": m.capacity,
            "dates": date_text(lang, m.starts_at.date()), "checked": k.mission_ids.contains(&m.id),
            "published": m.status == "published"})).collect::<Vec<_>>(),
        "steps": steps,
        "step_kinds": StepKind::ALL.iter().map(|s| json!({"kind": s.as_str(), "label": s.label(language(lang))})).collect::<Vec<_>>(),
        "calendar_alerts": alerts.iter().filter(|a| a["kind"] == "calendar").cloned().collect::<Vec<_>>(),
        "alerts": alerts,
        "direct_link": direct,
        "preview": preview,
        "wording": wording,
    }))
}

/// `POST /console/campaigns/{id}`: details, audience and missions.
pub async fn update(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let attempt = async {
        let goal = number(&f, "goal")?;
        let missions: Vec<i64> = f
            .all("mission_ids")
            .iter()
            .map(|m| m.parse::<i64>())
            .collect::<Result<_, _>>()
            .map_err(|_| ApiError::field("mission_ids", "unknown mission"))?;
        let b: uc::CampaignBody = api_body(&json!({
            "title": f.get("title"), "goal": goal,
            "key_message": f.get("key_message"), "why_it_matters": f.get("why_it_matters"),
            "registration_opens": date_or_null(&f, "registration_opens"),
            "registration_closes": date_or_null(&f, "registration_closes"),
            "audience": {"departments": f.all("departments"), "sites": f.all("sites")},
            "mission_ids": missions,
        }))?;
        Ok::<_, ApiError>(uc::update(&state, &c.caller(), id, b).await?)
    };
    match attempt.await {
        Ok(_) => Ok(done(&format!("/console/campaigns/{id}"), "saved")),
        Err(e) => editor_with_errors(&state, &c, id, e).await,
    }
}

pub(super) async fn editor_with_errors(
    state: &AppState,
    c: &Console,
    id: i64,
    e: ApiError,
) -> Result<Response, Failure> {
    let Some(errors) = field_errors(c.lang, &e) else {
        return Err(c.fail(e));
    };
    let campaign = state
        .store
        .campaign(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    let mut data = editor_data(state, c, &campaign, &EditorQuery::default()).await?;
    data["errors"] = errors;
    Ok(c.invalid(state, "console_campaign", "campaigns", data))
}

/// The calendar rows of a form: `step_kind`, `step_date`, `step_note` in order;
/// a row whose date is blank is removed.
fn steps_of(f: &Fields) -> Value {
    let kinds = f.all("step_kind");
    let dates = f.all("step_date");
    let notes = f.all("step_note");
    json!(kinds
        .iter()
        .zip(dates.iter())
        .enumerate()
        .filter(|(_, (k, d))| !k.is_empty() && !d.is_empty())
        .map(|(i, (k, d))| json!({"kind": k, "date": d, "note": notes.get(i).copied().unwrap_or("")}))
        .collect::<Vec<_>>())
}

/// `POST /console/campaigns/{id}/calendar`: replaces the calendar.
pub async fn calendar(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let attempt = async {
        let b: uc::CampaignBody = api_body(&json!({"steps": steps_of(&f)}))?;
        Ok::<_, ApiError>(uc::update(&state, &c.caller(), id, b).await?)
    };
    match attempt.await {
        Ok(_) => Ok(done(&format!("/console/campaigns/{id}"), "calendar_saved")),
        Err(e) => editor_with_errors(&state, &c, id, e).await,
    }
}

/// `POST /console/campaigns/{id}/check`: the warnings the edited calendar would have
/// (a fragment for `console.js`; nothing is saved).
pub async fn check(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    let steps: Vec<declic_storage::campaigns::Step> =
        serde_json::from_value(steps_of(&f)).unwrap_or_default();
    let today = Utc::now().date_naive();
    let warnings = state
        .store
        .calendar_warnings_with(c.org(), id, today, Some(&steps))
        .await
        .map_err(|e| c.fail(e))?;
    let list: Vec<Value> = warnings
        .iter()
        .map(|w| json!({"kind": "calendar", "text": w.message(language(c.lang))}))
        .collect();
    let mut res = render(
        StatusCode::OK,
        "console_warnings",
        c.lang,
        json!({"alerts": list}),
    );
    super::console_headers(&mut res);
    Ok(res)
}

/// `POST /console/campaigns/{id}/status`: schedule, launch, close, evaluate, back to draft.
pub async fn transition(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let b: uc::StatusChange =
        api_body(&json!({"status": f.get("status")})).map_err(|e| c.fail(e))?;
    let target = b.status;
    match uc::transition(&state, &c.caller(), id, target).await {
        Ok(_) => Ok(done(
            &format!("/console/campaigns/{id}"),
            &format!("status_{}", target.as_str()),
        )),
        Err(e) => editor_with_errors(&state, &c, id, e.into()).await,
    }
}

/// `POST /console/campaigns/{id}/sending`: pauses or resumes every mailing of the campaign.
pub async fn sending(
    State(state): State<AppState>,
    c: Console,
    Id(id): Id,
    f: Fields,
) -> Result<Response, Failure> {
    c.require_manage()?;
    let (action, from, notice) = match f.get("action") {
        "pause" => (DispatchAction::Pause, dispatch_status::SENDING, "paused"),
        "resume" => (DispatchAction::Resume, dispatch_status::PAUSED, "resumed"),
        _ => return Err(c.fail(ApiError::field("action", "pause or resume"))),
    };
    state
        .store
        .campaign(c.org(), id)
        .await
        .map_err(|e| c.fail(e))?;
    for d in state.store.dispatches_of(c.org(), Some(id)).await? {
        if d.status == from {
            state
                .store
                .dispatch_action(c.org(), d.id, action, &c.actor())
                .await?;
        }
    }
    Ok(done(&format!("/console/campaigns/{id}"), notice))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn blank_calendar_rows_are_dropped() {
        let f = Fields(vec![
            ("step_kind".into(), "launch".into()),
            ("step_date".into(), "2027-03-01".into()),
            ("step_note".into(), "n".into()),
            ("step_kind".into(), "reminder".into()),
            ("step_date".into(), "".into()),
            ("step_note".into(), "".into()),
        ]);
        let steps = steps_of(&f);
        assert_eq!(steps.as_array().unwrap().len(), 1);
        assert_eq!(steps[0]["kind"], "launch");
    }
}
