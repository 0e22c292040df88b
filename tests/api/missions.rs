//! Associations' eligibility and missions.

use declic_storage::admins::Role;
use serde_json::{Value, json};

use crate::support::{TestApp, json, problem_fields};

pub fn mission_body(association_id: i64, start: &str, capacity: i64) -> Value {
    json!({
        "association_id": association_id,
        "title": "Marathon stratégie",
        "description": "Une journée pour bâtir le plan de collecte.",
        "format": "marathon",
        "work_mode": "in_person",
        "place": "Paris 11e",
        "starts_at": format!("{start}T09:00:00"),
        "ends_at": format!("{start}T18:00:00"),
        "time_zone": "Europe/Paris",
        "capacity": capacity,
        "confidentiality_note": "Les chiffres restent confidentiels."
    })
}

pub async fn eligible_association(app: &TestApp, token: &str, name: &str) -> i64 {
    let a = json(app.post("/api/v1/associations", token, json!({
        "name": name,
        "eligibility": {"past_activity_feedback": true, "finances_documented": true, "two_people_available": true}
    })).await, 201).await;
    assert_eq!(a["assessment"]["eligible"], true);
    a["id"].as_i64().unwrap()
}

#[tokio::test]
async fn ineligible_association_missions_can_be_drafted_not_published() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let a = json(app.post("/api/v1/associations", &token, json!({
        "name": "Atelier <b>Numérique</b>",
        "contacts": [{"name": "Claire", "email": "claire@asso.example"}],
        "eligibility": {"past_activity_feedback": true, "finances_documented": false, "two_people_available": true}
    })).await, 201).await;
    assert_eq!(
        a["name"], "Atelier <b>Numérique</b>",
        "stored as typed; escaping is the renderer's job"
    );
    assert_eq!(a["assessment"]["eligible"], false);
    assert_eq!(
        a["assessment"]["missing"][0]["code"],
        "finances_not_documented"
    );
    let aid = a["id"].as_i64().unwrap();

    let skills = json(app.get("/api/v1/skills", &token).await, 200).await;
    let kinds: Vec<&str> = skills
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"job") && kinds.contains(&"soft"),
        "job and soft skills are seeded"
    );
    let skill_ids: Vec<i64> = skills
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|s| s["id"].as_i64().unwrap())
        .collect();

    let mut body = mission_body(aid, "2031-05-06", 8);
    body["skill_ids"] = json!(skill_ids);
    let m = json(
        app.post("/api/v1/missions", &token, body.clone()).await,
        201,
    )
    .await;
    assert_eq!(m["status"], "draft");
    assert_eq!(m["skills"].as_array().unwrap().len(), 2);
    let mid = m["id"].as_i64().unwrap();
    let p = json(
        app.post(
            &format!("/api/v1/missions/{mid}/publish"),
            &token,
            json!({}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["association_id"]);
    assert!(p["detail"].as_str().unwrap().contains("financ"), "{p}");

    // Once the association documents its finances, the mission can be published.
    json(app.patch(&format!("/api/v1/associations/{aid}"), &token, json!({
        "eligibility": {"past_activity_feedback": true, "finances_documented": true, "two_people_available": true}
    })).await, 200).await;
    let m = json(
        app.post(
            &format!("/api/v1/missions/{mid}/publish"),
            &token,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(m["status"], "published");
}

#[tokio::test]
async fn mission_rules_name_the_field() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app
        .token(org, "hr@acme.example", Role::CampaignManager)
        .await;
    let aid = eligible_association(&app, &token, "Asso").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"ends_at": "2031-05-06T08:00:00"}), "ends_at"),
        (json!({"time_zone": "Mars/Olympus"}), "time_zone"),
        (json!({"capacity": 0}), "capacity"),
        (json!({"place": null}), "place"),
        (json!({"title": "   "}), "title"),
        (json!({"association_id": 999_999}), "association_id"),
        (json!({"skill_ids": [999_999]}), "skill_ids"),
        (json!({"format": "hackathon"}), "format"),
        (json!({"starts_at": "2031-02-30T09:00:00"}), "starts_at"),
        (json!({"language": "de"}), "language"),
    ];
    for (patch, field) in cases {
        let mut body = mission_body(aid, "2031-05-06", 8);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let p = json(app.post("/api/v1/missions", &token, body).await, 422).await;
        assert_eq!(problem_fields(&p), vec![field.to_owned()], "{p}");
    }
    assert_eq!(
        json(app.get("/api/v1/missions", &token).await, 200).await,
        json!([]),
        "nothing half-written"
    );
}

#[tokio::test]
async fn association_names_are_unique_per_organisation() {
    let app = TestApp::spawn().await;
    let a = app.org("acme", "acme.example").await;
    let b = app.org("globex", "globex.example").await;
    let ta = app.token(a, "hr@acme.example", Role::CampaignManager).await;
    let tb = app
        .token(b, "hr@globex.example", Role::CampaignManager)
        .await;
    eligible_association(&app, &ta, "Les Restos").await;
    let p = json(
        app.post("/api/v1/associations", &ta, json!({"name": "Les Restos"}))
            .await,
        409,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["name"]);
    eligible_association(&app, &tb, "Les Restos").await;
}
