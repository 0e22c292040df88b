//! Authentication, roles and tenant isolation.

use declic_storage::admins::Role;
use serde_json::json;

use crate::support::{TestApp, json};

#[tokio::test]
async fn tokens_authenticate_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app.token(org, "hr@acme.example", Role::Owner).await;

    json(
        app.client
            .get(app.url("/api/v1/organization"))
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
    json(
        app.get("/api/v1/organization", "dcl_not-a-real-token")
            .await,
        401,
    )
    .await;
    let me = json(app.get("/api/v1/organization", &token).await, 200).await;
    assert_eq!(me["slug"], "acme");
    assert_eq!(me["domains"], json!(["acme.example"]));

    // A second token, created through the API, shown once, then revoked.
    let created = json(
        app.post("/api/v1/tokens", &token, json!({"name": "ci"}))
            .await,
        201,
    )
    .await;
    let second = created["token"].as_str().unwrap().to_owned();
    assert!(second.starts_with("dcl_"));
    json(app.get("/api/v1/organization", &second).await, 200).await;
    let listed = json(app.get("/api/v1/tokens", &token).await, 200).await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("token").is_none()),
        "secrets are never listed"
    );
    let id = created["id"].as_i64().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    json(res, 200).await;
    json(app.get("/api/v1/organization", &second).await, 401).await;
}

#[tokio::test]
async fn viewers_read_but_never_change() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let viewer = app.token(org, "viewer@acme.example", Role::Viewer).await;
    let manager = app
        .token(org, "cm@acme.example", Role::CampaignManager)
        .await;

    json(app.get("/api/v1/campaigns", &viewer).await, 200).await;
    let p = json(
        app.post("/api/v1/campaigns", &viewer, json!({"title": "x"}))
            .await,
        403,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("viewer"));
    json(
        app.post("/api/v1/associations", &viewer, json!({"name": "x"}))
            .await,
        403,
    )
    .await;
    // Managers run campaigns but do not manage accounts or read the audit log.
    json(
        app.post("/api/v1/campaigns", &manager, json!({"title": "x"}))
            .await,
        201,
    )
    .await;
    json(
        app.post(
            "/api/v1/admins",
            &manager,
            json!({"email": "new@acme.example", "role": "owner"}),
        )
        .await,
        403,
    )
    .await;
    json(app.get("/api/v1/audit", &manager).await, 403).await;
    json(
        app.patch("/api/v1/organization", &manager, json!({"name": "Evil"}))
            .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn another_organisations_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let a = app.org("acme", "acme.example").await;
    let b = app.org("globex", "globex.example").await;
    let ta = app.token(a, "hr@acme.example", Role::Owner).await;
    let tb = app.token(b, "hr@globex.example", Role::Owner).await;

    let assoc = json(app.post("/api/v1/associations", &ta, json!({"name": "Asso A", "eligibility": {"past_activity_feedback": true, "finances_documented": true, "two_people_available": true}})).await, 201).await;
    let aid = assoc["id"].as_i64().unwrap();
    let mission = json(
        app.post(
            "/api/v1/missions",
            &ta,
            json!({
                "association_id": aid, "title": "M", "format": "workshop", "work_mode": "remote",
                "starts_at": "2031-03-04T09:00:00", "ends_at": "2031-03-04T12:00:00", "capacity": 5
            }),
        )
        .await,
        201,
    )
    .await;
    let mid = mission["id"].as_i64().unwrap();
    let campaign = json(
        app.post(
            "/api/v1/campaigns",
            &ta,
            json!({"title": "C", "mission_ids": [mid]}),
        )
        .await,
        201,
    )
    .await;
    let cid = campaign["id"].as_i64().unwrap();
    app.client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(&ta)
        .header("content-type", "text/csv")
        .body("email,first name,last name\nann@acme.example,Ann,Lee\n")
        .send()
        .await
        .unwrap();
    let eid = json(app.get("/api/v1/employees", &ta).await, 200).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let admins = json(app.get("/api/v1/admins", &ta).await, 200).await;
    let admin_id = admins[0]["id"].as_i64().unwrap();

    for path in [
        format!("/api/v1/associations/{aid}"),
        format!("/api/v1/missions/{mid}"),
        format!("/api/v1/campaigns/{cid}"),
        format!("/api/v1/campaigns/{cid}/calendar-check"),
        format!("/api/v1/employees/{eid}"),
        format!("/api/v1/admins/{admin_id}"),
    ] {
        json(app.get(&path, &tb).await, 404).await;
    }
    json(
        app.patch(
            &format!("/api/v1/campaigns/{cid}"),
            &tb,
            json!({"title": "pwned"}),
        )
        .await,
        404,
    )
    .await;
    json(
        app.post(&format!("/api/v1/missions/{mid}/publish"), &tb, json!({}))
            .await,
        404,
    )
    .await;
    json(
        app.post(
            &format!("/api/v1/employees/{eid}/deactivate"),
            &tb,
            json!({}),
        )
        .await,
        404,
    )
    .await;
    // Using A's ids inside B's own records is refused too.
    let p = json(
        app.post(
            "/api/v1/campaigns",
            &tb,
            json!({"title": "C", "mission_ids": [mid]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "mission_ids");
    json(
        app.post(
            "/api/v1/privacy/export",
            &tb,
            json!({"email": "ann@acme.example"}),
        )
        .await,
        404,
    )
    .await;
    // B sees nothing of A's.
    assert_eq!(
        json(app.get("/api/v1/campaigns", &tb).await, 200).await,
        json!([])
    );
    assert_eq!(
        json(app.get("/api/v1/employees", &tb).await, 200).await["total"],
        0
    );
    // And A's data is untouched.
    assert_eq!(
        json(app.get(&format!("/api/v1/campaigns/{cid}"), &ta).await, 200).await["title"],
        "C"
    );
}

#[tokio::test]
async fn admins_are_managed_by_owners_and_the_last_owner_stays() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let owner = app.token(org, "hr@acme.example", Role::Owner).await;
    let created = json(
        app.post(
            "/api/v1/admins",
            &owner,
            json!({"email": "Cm@Acme.example", "role": "campaign_manager"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(created["admin"]["email"], "cm@acme.example");
    let link = created["sign_in_link"].as_str().unwrap();
    assert!(
        link.starts_with(&app.base) && link.contains("/sign-in/dcs_"),
        "{link}"
    );
    json(
        app.post(
            "/api/v1/admins",
            &owner,
            json!({"email": "cm@acme.example", "role": "viewer"}),
        )
        .await,
        409,
    )
    .await;
    let p = json(
        app.post(
            "/api/v1/admins",
            &owner,
            json!({"email": "x@acme.example", "role": "viewer", "password": "short"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "password");

    let admins = json(app.get("/api/v1/admins", &owner).await, 200).await;
    let me = admins
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "hr@acme.example")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let p = json(
        app.patch(
            &format!("/api/v1/admins/{me}"),
            &owner,
            json!({"role": "viewer"}),
        )
        .await,
        422,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("owner"));

    // Every change above is in the audit log, with the request id of its response.
    let res = app
        .post(
            "/api/v1/admins",
            &owner,
            json!({"email": "v@acme.example", "role": "viewer"}),
        )
        .await;
    let rid = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    json(res, 201).await;
    let log = json(app.get("/api/v1/audit?limit=5", &owner).await, 200).await;
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "admin.create" && e["request_id"] == rid.as_str())
        .unwrap();
    assert_eq!(entry["actor"], "hr@acme.example");
}
