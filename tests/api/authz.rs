//! The authorization table, tried for real: every operation of the OpenAPI document ×
//! {no token, a revoked token, a viewer, a campaign manager, an owner, another
//! organisation's owner}. A refusal answers 401 (no or a revoked token), 403 (a role
//! too low) or 404 (another organisation's object), before anything is read or
//! written: a snapshot of every table is the same before and after. An operation of
//! the document without a row in `declic_http::authz::TABLE` fails the test.

use std::collections::BTreeMap;

use declic_http::authz::{Need, TABLE};
use declic_storage::admins::Role;
use declic_storage::{Actor, OrgId};
use sea_orm::{FromQueryResult, JsonValue, Statement};
use serde_json::json;

use crate::registration::{confirm_from_mail, live_campaign, register};
use crate::support::{TestApp, json as body};

/// Every row of every table, except what merely using a token changes.
async fn snapshot(app: &TestApp) -> BTreeMap<String, Vec<JsonValue>> {
    let db = app.store.db();
    let backend = db.get_database_backend();
    let list = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let tables = JsonValue::find_by_statement(Statement::from_string(backend, list))
        .all(db)
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let name = t["name"].as_str().unwrap().to_owned();
        let mut rows = JsonValue::find_by_statement(Statement::from_string(
            backend,
            format!("SELECT * FROM {name}"),
        ))
        .all(db)
        .await
        .unwrap();
        for r in &mut rows {
            if let Some(o) = r.as_object_mut() {
                o.remove("last_used_at");
            }
        }
        rows.sort_by_key(|r| r.to_string());
        out.insert(name, rows);
    }
    out
}

/// The operations of the OpenAPI document under /api/v1.
async fn operations(app: &TestApp) -> Vec<(String, String)> {
    let doc = body(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(p) = path.strip_prefix("/api/v1") else {
            continue;
        };
        for method in item.as_object().unwrap().keys() {
            ops.push((method.to_uppercase(), p.to_owned()));
        }
    }
    ops.sort();
    ops
}

struct Ids(BTreeMap<&'static str, String>);

impl Ids {
    /// `path` with its parameters filled with objects of the seeded organisation.
    fn fill(&self, path: &str) -> String {
        let id = match path.split('/').nth(1).unwrap_or_default() {
            "admins" => "admin",
            "ambassadors" => "ambassador",
            "associations" => "association",
            "campaigns" => "campaign",
            "dispatches" => "dispatch",
            "employees" => "employee",
            "missions" => "mission",
            "registration-choices" => "choice",
            "tokens" => "token",
            "webhooks" => "webhook",
            _ => "none",
        };
        path.replace("{id}", self.0.get(id).map_or("1", String::as_str))
            .replace("{audience}", "volunteer")
            .replace("{message}", "seat_confirmed")
            .replace("{lang}", "fr")
            .replace("{year}", "2026")
    }
}

async fn call(app: &TestApp, method: &str, path: &str, token: Option<&str>) -> u16 {
    let url = app.url(&format!("/api/v1{path}"));
    let mut req = app
        .client
        .request(method.parse().unwrap(), url)
        .header("content-type", "application/json");
    if method != "GET" && method != "DELETE" {
        req = req.body("{}");
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn every_operation_says_who_may_call_it_and_refusals_change_nothing() {
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier").await;
    let acme = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    register(&app, &live.link, "eve@acme.example", "Eve", live.mission_id).await;
    confirm_from_mail(&app, "eve@acme.example").await;
    crate::ambassadors::make_ambassador(&app, &live.token, "eve@acme.example").await;
    let regs = body(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let dispatch = body(
        app.post(
            &format!("/api/v1/campaigns/{}/dispatches", live.campaign_id),
            &live.token,
            json!({"channel": "mail"}),
        )
        .await,
        201,
    )
    .await;
    let sealed = app
        .state
        .signer
        .seal("https://hooks.slack.com/services/T/B/x")
        .unwrap();
    let webhook = app
        .store
        .create_webhook(acme, "Slack", "slack", &sealed, "hint", &Actor::cli())
        .await
        .unwrap();
    let viewer = app.token(acme, "viewer@acme.example", Role::Viewer).await;
    let manager = app
        .token(acme, "manager@acme.example", Role::CampaignManager)
        .await;
    let owner = app.token(acme, "owner@acme.example", Role::Owner).await;
    let revoked = app.token(acme, "gone@acme.example", Role::Owner).await;
    let tokens = body(app.get("/api/v1/tokens", &revoked).await, 200).await;
    let revoked_id = tokens[0]["id"].as_i64().unwrap();
    body(
        app.client
            .delete(app.url(&format!("/api/v1/tokens/{revoked_id}")))
            .bearer_auth(&revoked)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let globex = app.org("globex", "globex.example").await;
    let outsider = app.token(globex, "owner@globex.example", Role::Owner).await;
    let admins = body(app.get("/api/v1/admins", &owner).await, 200).await;
    let employee = app
        .store
        .employee_by_email(acme, "eve@acme.example")
        .await
        .unwrap();
    let ambassadors = body(app.get("/api/v1/ambassadors", &owner).await, 200).await;
    let spare = body(
        app.post(
            "/api/v1/tokens",
            &manager,
            json!({"name": "spare", "valid_days": 5}),
        )
        .await,
        201,
    )
    .await;
    let ids = Ids(BTreeMap::from([
        ("admin", admins[0]["id"].to_string()),
        ("ambassador", ambassadors[0]["id"].to_string()),
        ("association", live.association_id.to_string()),
        ("campaign", live.campaign_id.to_string()),
        ("dispatch", dispatch["id"].to_string()),
        ("employee", employee.id.to_string()),
        ("mission", live.mission_id.to_string()),
        ("choice", regs[0]["choices"][0]["choice_id"].to_string()),
        (
            "token",
            spare["token"]["id"]
                .as_i64()
                .map_or_else(|| spare["id"].to_string(), |i| i.to_string()),
        ),
        ("webhook", webhook.id.to_string()),
    ]));

    // Every documented operation has a row, and every row an operation.
    let ops = operations(&app).await;
    let rows: Vec<(String, String)> = TABLE
        .iter()
        .map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = ops.iter().filter(|o| !rows.contains(o)).collect();
    assert!(
        missing.is_empty(),
        "operations without an authorization rule: {missing:?}"
    );
    let stale: Vec<_> = rows.iter().filter(|r| !ops.contains(r)).collect();
    assert!(
        stale.is_empty(),
        "rules for operations that do not exist: {stale:?}"
    );

    // Refusals first, each checked against a snapshot of the database.
    let discover = std::env::var("AUTHZ_DISCOVER").is_ok();
    let mut seen: Vec<String> = Vec::new();
    // Nothing left in flight: the mails the seeding queued have left.
    app.settle_messages().await;
    let before = snapshot(&app).await;
    for (method, path, need) in TABLE {
        let url = ids.fill(path);
        let scoped = path.contains('{');
        let mut refusals: Vec<(&str, Option<&str>, &[u16])> = vec![
            ("nobody", None, &[401]),
            ("revoked", Some(revoked.as_str()), &[401]),
        ];
        if *need != Need::Viewer {
            refusals.push(("viewer", Some(viewer.as_str()), &[403]));
        }
        if *need == Need::Owner {
            refusals.push(("manager", Some(manager.as_str()), &[403]));
        }
        if scoped
            && !path.starts_with("/questionnaires")
            && !path.starts_with("/templates")
            && !path.starts_with("/reports")
        {
            // 404 (the object is not theirs); 422 where the empty body is refused first,
            // which tells nothing about the object either (and changes nothing: below).
            refusals.push((
                "another organisation's owner",
                Some(outsider.as_str()),
                &[403, 404, 422],
            ));
        }
        for (who, token, expected) in refusals {
            let status = call(&app, method, &url, token).await;
            if discover {
                seen.push(format!("{method} {path} {who}: {status}"));
                continue;
            }
            assert!(
                expected.contains(&status),
                "{method} {path} by {who}: {status}, expected one of {expected:?}"
            );
        }
    }
    let after = snapshot(&app).await;
    let changed: Vec<&String> = before
        .keys()
        .filter(|t| before.get(*t) != after.get(*t))
        .collect();
    assert!(
        changed.is_empty(),
        "refused requests changed these tables: {changed:?}"
    );
    // Then the roles that may: never refused for who they are (the empty body may
    // still be refused for what it says). Deletions last.
    let mut allowed: Vec<_> = TABLE.iter().collect();
    allowed.sort_by_key(|(m, _, _)| *m == "DELETE");
    for (method, path, need) in allowed {
        let url = ids.fill(path);
        let mut callers = vec![("owner", owner.as_str())];
        if *need != Need::Owner {
            callers.push(("manager", manager.as_str()));
        }
        if *need == Need::Viewer {
            callers.push(("viewer", viewer.as_str()));
        }
        for (who, token) in callers {
            let status = call(&app, method, &url, Some(token)).await;
            if discover {
                seen.push(format!("{method} {path} {who}: {status}"));
                continue;
            }
            assert!(
                ![401, 403, 404].contains(&status) || (*method == "DELETE" && status == 404),
                "{method} {path} by the {who}: {status}"
            );
        }
    }
    if discover {
        panic!("{}", seen.join("\n"));
    }
}
