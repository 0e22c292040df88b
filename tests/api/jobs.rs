//! The scheduler's jobs, run by hand: lapsed offers pass on; the mission-eve reminder goes once.

use chrono::{Duration, Utc};
use declic_storage::admins::Role;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::missions::eligible_association;
use crate::registration::{confirm_from_mail, live_campaign, register};
use crate::support::{TestApp, json};

#[tokio::test]
async fn a_lapsed_offer_goes_to_the_next_person() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 1, "Atelier").await;
    for (email, name) in [
        ("ann@acme.example", "Ann"),
        ("bob@acme.example", "Bob"),
        ("cid@acme.example", "Cid"),
    ] {
        register(&app, &live.link, email, name, live.mission_id).await;
        confirm_from_mail(&app, email).await;
    }
    let rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let ann = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == "ann@acme.example")
        .unwrap();
    let choice = ann["choices"][0]["choice_id"].as_i64().unwrap();
    let res = app
        .post(
            &format!("/api/v1/registration-choices/{choice}/move"),
            &live.token,
            json!({"action": "cancel", "reason": "left the project"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let (app, live) = (&app, &live);
    let status = |email: &'static str| async move {
        let rows = json(
            app.get(
                &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
                &live.token,
            )
            .await,
            200,
        )
        .await;
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["email"] == email)
            .unwrap()["choices"][0]["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(status("bob@acme.example").await, "offered");

    // Nothing lapses before the deadline.
    declic::expire_offers(&app.state).await;
    assert_eq!(status("bob@acme.example").await, "offered");
    let before = app.mails_to("cid@acme.example").await.len();
    app.store
        .db()
        .execute_raw(Statement::from_string(app.store.backend(), "UPDATE registration_choices SET offer_expires_at = '2000-01-01 00:00:00+00:00' WHERE status = 'offered'"))
        .await
        .unwrap();
    declic::expire_offers(&app.state).await;
    assert_eq!(status("bob@acme.example").await, "released");
    assert_eq!(status("cid@acme.example").await, "offered");
    assert_eq!(
        app.mails_to("cid@acme.example").await.len(),
        before + 1,
        "Cid is told"
    );
}

#[tokio::test]
async fn the_mission_eve_reminder_goes_once() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let aid = eligible_association(&app, &token, "Asso").await;
    let start = (Utc::now() + Duration::hours(20)).naive_utc();
    let m = json(app.post("/api/v1/missions", &token, json!({
        "association_id": aid, "title": "Demain", "format": "workshop", "work_mode": "remote",
        "starts_at": start.format("%Y-%m-%dT%H:00:00").to_string(),
        "ends_at": (start + Duration::hours(2)).format("%Y-%m-%dT%H:00:00").to_string(),
        "time_zone": "UTC", "capacity": 3
    })).await, 201).await;
    let mid = m["id"].as_i64().unwrap();
    json(
        app.post(
            &format!("/api/v1/missions/{mid}/publish"),
            &token,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    let c = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({"title": "Vite", "mission_ids": [mid]}),
        )
        .await,
        201,
    )
    .await;
    let cid = c["id"].as_i64().unwrap();
    json(
        app.post(
            &format!("/api/v1/campaigns/{cid}/status"),
            &token,
            json!({"status": "live"}),
        )
        .await,
        200,
    )
    .await;
    let link = json(
        app.get(&format!("/api/v1/campaigns/{cid}/links"), &token)
            .await,
        200,
    )
    .await[0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    register(&app, &link, "ann@acme.example", "Ann", mid).await;
    confirm_from_mail(&app, "ann@acme.example").await;
    let before = app.mails_to("ann@acme.example").await.len();
    declic::send_reminders(&app.state).await;
    let mails = app.mails_to("ann@acme.example").await;
    assert_eq!(mails.len(), before + 1);
    assert!(
        mails.last().unwrap().text.contains("Demain"),
        "{}",
        mails.last().unwrap().text
    );
    declic::send_reminders(&app.state).await;
    assert_eq!(
        app.mails_to("ann@acme.example").await.len(),
        before + 1,
        "only once"
    );
}

#[tokio::test]
async fn sign_ups_are_limited_per_email_address() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 3, "Atelier").await;
    let mut last = String::new();
    for _ in 0..7 {
        last = register(&app, &live.link, "ann@acme.example", "Ann", live.mission_id)
            .await
            .text()
            .await
            .unwrap();
    }
    assert!(
        last.contains("Trop de tentatives pour cette adresse"),
        "{last}"
    );
    // Others in the same office are not affected.
    let other = register(&app, &live.link, "bob@acme.example", "Bob", live.mission_id).await;
    assert_eq!(other.status(), 200);
}
