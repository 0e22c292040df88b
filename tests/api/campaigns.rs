//! Campaigns: default plan, calendar check, lifecycle.

use chrono::{Duration, Utc};
use declic_storage::admins::Role;
use serde_json::json;

use crate::missions::{eligible_association, mission_body};
use crate::support::{TestApp, json, problem_fields};

async fn published_mission(app: &TestApp, token: &str, date: &str, capacity: i64) -> i64 {
    let aid = eligible_association(app, token, &format!("Asso {date} {capacity}")).await;
    let m = json(
        app.post("/api/v1/missions", token, mission_body(aid, date, capacity))
            .await,
        201,
    )
    .await;
    let id = m["id"].as_i64().unwrap();
    json(
        app.post(&format!("/api/v1/missions/{id}/publish"), token, json!({}))
            .await,
        200,
    )
    .await;
    id
}

#[tokio::test]
async fn default_plan_gives_a_clean_calendar() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    app.client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(
            (0..30).fold(String::from("email,first name,last name\n"), |s, i| {
                s + &format!("e{i}@acme.example,E,{i}\n")
            }),
        )
        .send()
        .await
        .unwrap();
    // Thursday 5 June 2031, far enough ahead.
    let mid = published_mission(&app, &token, "2031-06-05", 20).await;
    let c = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({
                "title": "Printemps solidaire", "goal": 10, "mission_ids": [mid],
                "plan_from_mission_date": "2031-06-05",
                "key_message": "Vos compétences comptent."
            }),
        )
        .await,
        201,
    )
    .await;
    let kinds: Vec<&str> = c["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "teaser",
            "launch",
            "reminder",
            "reminder",
            "last_call",
            "registration_deadline",
            "mission_day",
            "evaluation_hot",
            "evaluation_short_term",
            "evaluation_long_term"
        ]
    );
    let mission_day = c["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "mission_day")
        .unwrap();
    assert_eq!(mission_day["date"], "2031-06-05");
    let id = c["id"].as_i64().unwrap();
    let check = json(
        app.get(
            &format!("/api/v1/campaigns/{id}/calendar-check?today=2031-01-01"),
            &token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(check["warnings"], json!([]), "{check}");
}

#[tokio::test]
async fn calendar_check_warns_like_a_planner() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let soon = (Utc::now().date_naive() + Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let mid = published_mission(&app, &token, &soon, 3).await;
    let c = json(app.post("/api/v1/campaigns", &token, json!({
        "title": "Trop tard", "goal": 10, "mission_ids": [mid],
        "steps": [
            {"kind": "launch", "date": soon.clone()},
            {"kind": "registration_deadline", "date": (Utc::now().date_naive() + Duration::days(12)).format("%Y-%m-%d").to_string()}
        ]
    })).await, 201).await;
    let id = c["id"].as_i64().unwrap();
    let check = json(
        app.get(&format!("/api/v1/campaigns/{id}/calendar-check"), &token)
            .await,
        200,
    )
    .await;
    let codes: Vec<&str> = check["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    for expected in [
        "short_lead_time",
        "no_reminder",
        "deadline_after_mission_start",
        "capacity_below_goal",
        "audience_below_goal",
    ] {
        assert!(
            codes.contains(&expected),
            "{expected} missing from {codes:?}"
        );
    }
    for w in check["warnings"].as_array().unwrap() {
        assert!(
            !w["message_fr"].as_str().unwrap().is_empty()
                && !w["message_en"].as_str().unwrap().is_empty()
        );
    }
}

#[tokio::test]
async fn lifecycle_allows_only_valid_transitions() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let c = json(
        app.post("/api/v1/campaigns", &token, json!({"title": "C"}))
            .await,
        201,
    )
    .await;
    assert_eq!(c["status"], "draft");
    let id = c["id"].as_i64().unwrap();
    let status = |s: &str| json!({"status": s});
    let path = format!("/api/v1/campaigns/{id}/status");

    let p = json(app.post(&path, &token, status("live")).await, 422).await;
    assert_eq!(problem_fields(&p), vec!["mission_ids"], "no mission yet");
    let aid = eligible_association(&app, &token, "Asso").await;
    let draft = json(
        app.post(
            "/api/v1/missions",
            &token,
            mission_body(aid, "2031-05-06", 5),
        )
        .await,
        201,
    )
    .await;
    let did = draft["id"].as_i64().unwrap();
    json(
        app.patch(
            &format!("/api/v1/campaigns/{id}"),
            &token,
            json!({"mission_ids": [did]}),
        )
        .await,
        200,
    )
    .await;
    let p = json(app.post(&path, &token, status("scheduled")).await, 422).await;
    assert!(
        p["detail"].as_str().unwrap().contains("not published"),
        "{p}"
    );
    json(
        app.post(
            &format!("/api/v1/missions/{did}/publish"),
            &token,
            json!({}),
        )
        .await,
        200,
    )
    .await;

    let p = json(app.post(&path, &token, status("closed")).await, 422).await;
    assert_eq!(problem_fields(&p), vec!["status"]);
    assert_eq!(
        json(app.post(&path, &token, status("scheduled")).await, 200).await["status"],
        "scheduled"
    );
    assert_eq!(
        json(app.post(&path, &token, status("live")).await, 200).await["status"],
        "live"
    );
    json(app.post(&path, &token, status("draft")).await, 422).await;
    json(app.post(&path, &token, status("live")).await, 422).await;
    assert_eq!(
        json(app.post(&path, &token, status("closed")).await, 200).await["status"],
        "closed"
    );
    let p = json(
        app.patch(
            &format!("/api/v1/campaigns/{id}"),
            &token,
            json!({"title": "late edit"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["status"]);
    assert_eq!(
        json(app.post(&path, &token, status("evaluated")).await, 200).await["status"],
        "evaluated"
    );
    json(app.post(&path, &token, status("nonsense")).await, 422).await;
    assert_eq!(
        json(
            app.get(&format!("/api/v1/campaigns/{id}"), &token).await,
            200
        )
        .await["title"],
        "C"
    );
}

#[tokio::test]
async fn campaign_fields_and_default_plan_endpoint() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let plan = json(
        app.get(
            "/api/v1/campaigns/default-plan?mission_date=2031-06-05",
            &token,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(plan.as_array().unwrap().len(), 10);
    let p = json(
        app.get(
            "/api/v1/campaigns/default-plan?mission_date=2031-13-05",
            &token,
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["mission_date"]);

    let c = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({
                "title": "C", "goal": 5, "audience": {"departments": ["Finance"], "sites": []},
                "registration_opens": "2031-05-01", "registration_closes": "2031-05-20"
            }),
        )
        .await,
        201,
    )
    .await;
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["audience"]["departments"], json!(["Finance"]));
    let p = json(
        app.patch(
            &format!("/api/v1/campaigns/{id}"),
            &token,
            json!({"registration_closes": "2031-04-01"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["registration_closes"]);
    let c = json(
        app.patch(
            &format!("/api/v1/campaigns/{id}"),
            &token,
            json!({"registration_closes": null, "goal": 7}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(c["registration_closes"], json!(null));
    assert_eq!(c["registration_opens"], "2031-05-01");
    assert_eq!(c["goal"], 7);
    let p = json(
        app.patch(
            &format!("/api/v1/campaigns/{id}"),
            &token,
            json!({"goal": 0}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["goal"]);
}
