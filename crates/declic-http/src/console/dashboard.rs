//! The dashboard: every campaign with its status, goal against confirmed
//! volunteers, the next step due, and what needs HR's attention.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{NaiveDate, Utc};
use declic_planning::{CampaignStatus, Language};
use declic_storage::campaigns::Campaign;
use declic_storage::missions::Mission;
use declic_storage::registrations::choice;
use serde_json::{Value, json};

use super::{Console, Done, Failure, notice};
use crate::AppState;
use crate::pages::{Lang, text};

/// The planning crate's language for a page language.
pub(crate) fn language(lang: Lang) -> Language {
    match lang {
        Lang::Fr => Language::Fr,
        Lang::En => Language::En,
    }
}

/// A date as people read it in `lang`.
pub(crate) fn date_text(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Fr => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.format("%d %b %Y").to_string(),
    }
}

/// A campaign status in words.
pub(crate) fn status_text(lang: Lang, s: CampaignStatus) -> String {
    text(lang, &format!("status_{}", s.as_str()))
}

/// Seats taken and people waiting per mission of a campaign.
pub(crate) struct MissionLoad {
    pub seated: HashMap<i64, i64>,
    pub waiting: HashMap<i64, i64>,
}

pub(crate) async fn mission_load(
    state: &AppState,
    c: &Console,
    campaign: i64,
) -> Result<MissionLoad, Failure> {
    let rows = state
        .store
        .campaign_registrations(c.org(), campaign, None)
        .await?;
    let mut load = MissionLoad {
        seated: HashMap::new(),
        waiting: HashMap::new(),
    };
    for ch in rows.iter().flat_map(|r| &r.choices) {
        match ch.status.as_str() {
            choice::SEATED | choice::OFFERED => *load.seated.entry(ch.mission_id).or_default() += 1,
            choice::WAITLISTED => *load.waiting.entry(ch.mission_id).or_default() += 1,
            _ => {}
        }
    }
    Ok(load)
}

/// What needs attention on one campaign, as sentences in `lang`.
pub(crate) async fn alerts(
    state: &AppState,
    c: &Console,
    campaign: &Campaign,
    missions: &HashMap<i64, Mission>,
    failed: i64,
    today: NaiveDate,
) -> Result<Vec<Value>, Failure> {
    let lang = c.lang;
    let mut out = vec![];
    if matches!(
        campaign.status,
        CampaignStatus::Draft | CampaignStatus::Scheduled | CampaignStatus::Live
    ) {
        for w in state
            .store
            .calendar_warnings(c.org(), campaign.id, today)
            .await?
        {
            out.push(json!({"kind": "calendar", "text": w.message(language(lang))}));
        }
    }
    if failed > 0 {
        out.push(json!({"kind": "failed", "text": text(lang, "alert_failed").replace("{n}", &failed.to_string())}));
    }
    // Seats only matter while people can still sign up.
    if matches!(
        campaign.status,
        CampaignStatus::Scheduled | CampaignStatus::Live
    ) {
        let load = mission_load(state, c, campaign.id).await?;
        for id in &campaign.mission_ids {
            let Some(m) = missions.get(id) else { continue };
            let seated = load.seated.get(id).copied().unwrap_or(0);
            let waiting = load.waiting.get(id).copied().unwrap_or(0);
            if seated >= i64::from(m.capacity) {
                out.push(json!({"kind": "full", "text": text(lang, "alert_full").replace("{mission}", &m.title)}));
            }
            if waiting > 0 {
                out.push(
                    json!({"kind": "waitlist", "text": text(lang, "alert_waitlist")
                    .replace("{mission}", &m.title).replace("{n}", &waiting.to_string())}),
                );
            }
        }
    }
    Ok(out)
}

/// `GET /console`.
pub async fn show(
    State(state): State<AppState>,
    c: Console,
    Query(q): Query<Done>,
) -> Result<Response, Failure> {
    let lang = c.lang;
    let today = Utc::now().date_naive();
    let campaigns = state.store.campaigns(c.org()).await?;
    let missions: HashMap<i64, Mission> = state
        .store
        .missions(c.org())
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut failed: HashMap<i64, i64> = HashMap::new();
    for d in state.store.dispatches_of(c.org(), None).await? {
        *failed.entry(d.campaign_id).or_default() += d.counts.get("failed").copied().unwrap_or(0);
    }
    // A person's own mails that did not go (failed, or their link lapsed first).
    for (campaign, n) in state
        .store
        .undelivered_messages_by_campaign(c.org(), 30)
        .await?
    {
        *failed.entry(campaign).or_default() += n;
    }
    let counts = state.store.registration_counts(c.org()).await?;
    let mut rows = vec![];
    for campaign in &campaigns {
        let (registered, confirmed) = counts.get(&campaign.id).copied().unwrap_or((0, 0));
        let next = campaign
            .steps
            .iter()
            .filter(|s| s.date >= today)
            .min_by_key(|s| s.date)
            .map(
                |s| json!({"label": s.kind.label(language(lang)), "date": date_text(lang, s.date)}),
            );
        let alerts = alerts(
            &state,
            &c,
            campaign,
            &missions,
            failed.get(&campaign.id).copied().unwrap_or(0),
            today,
        )
        .await?;
        let goal = i64::from(campaign.goal).max(0);
        rows.push(json!({
            "id": campaign.id,
            "title": campaign.title,
            "status": campaign.status.as_str(),
            "status_text": status_text(lang, campaign.status),
            "goal": goal,
            "confirmed": confirmed,
            "registered": registered,
            "progress": if goal > 0 { (confirmed * 100 / goal).min(100) } else { 0 },
            "next": next,
            "alerts": alerts,
        }));
    }
    Ok(c.page(
        &state,
        "console_dashboard",
        "dashboard",
        json!({"campaigns": rows, "notice": notice(lang, q.done.as_deref()), "relay": crate::console::relay_banner(&state, lang).await}),
    ))
}
