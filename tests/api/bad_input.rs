//! Bad input: clear 4xx problem documents, nothing half-written.

use declic_storage::admins::Role;
use serde_json::json;

use crate::support::{TestApp, json, problem_fields};

#[tokio::test]
async fn malformed_bodies_are_4xx_problems() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app.token(org, "hr@acme.example", Role::Owner).await;
    let raw = |body: &'static str, ct: &'static str| {
        app.client
            .post(app.url("/api/v1/campaigns"))
            .bearer_auth(&token)
            .header("content-type", ct)
            .body(body)
            .send()
    };

    let p = json(raw("{\"title\": ", "application/json").await.unwrap(), 400).await;
    assert!(p["detail"].as_str().unwrap().contains("JSON"));
    json(
        raw("{\"title\": \"x\"} trailing", "application/json")
            .await
            .unwrap(),
        400,
    )
    .await;
    json(
        raw("title=x", "application/x-www-form-urlencoded")
            .await
            .unwrap(),
        415,
    )
    .await;

    let p = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({"title": "x", "goal": "ten"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["goal"]);
    let p = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({"title": "x", "colour": "red"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["colour"]);
    let p = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({"title": "x", "registration_opens": "2031-02-30"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["registration_opens"]);
    let p = json(app.post("/api/v1/campaigns", &token, json!({"title": "x", "steps": [{"kind": "launch", "date": "2031-01-01"}, {"kind": "party", "date": "2031-01-02"}]})).await, 422).await;
    assert_eq!(problem_fields(&p), vec!["steps[1].kind"]);
    let p = json(
        app.post("/api/v1/campaigns", &token, json!({"goal": 3}))
            .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["title"]);
    let p = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({"title": "x", "audience": {"departments": ["A"], "site": []}}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["audience.site"]);
    // An unknown mission id fails the whole create: no campaign is left behind.
    let p = json(
        app.post(
            "/api/v1/campaigns",
            &token,
            json!({"title": "x", "mission_ids": [4242]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["mission_ids"]);
    assert_eq!(
        json(app.get("/api/v1/campaigns", &token).await, 200).await,
        json!([])
    );
    // Bad ids in the URL and bad query parameters.
    let p = json(app.get("/api/v1/campaigns/abc", &token).await, 422).await;
    assert_eq!(problem_fields(&p), vec!["id"]);
    json(app.get("/api/v1/campaigns/-1", &token).await, 422).await;
    let p = json(app.get("/api/v1/employees?limit=lots", &token).await, 422).await;
    assert_eq!(problem_fields(&p), vec!["limit"]);
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::spawn_with(|c| {
        c.server.body_limit_bytes = 4096;
        c.server.import_limit_bytes = 8192;
    })
    .await;
    let org = app.org("acme", "acme.example").await;
    let token = app.token(org, "hr@acme.example", Role::Owner).await;
    let big = "x".repeat(10_000);
    json(
        app.post("/api/v1/campaigns", &token, json!({"title": big}))
            .await,
        413,
    )
    .await;
    let file = format!(
        "email,first name,last name\n{}",
        "a@acme.example,A,B\n".repeat(1000)
    );
    let res = app
        .client
        .post(app.url("/api/v1/employees/import"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    json(res, 413).await;
    assert_eq!(
        json(app.get("/api/v1/employees", &token).await, 200).await["total"],
        0
    );
}

#[tokio::test]
async fn organisation_settings_are_validated() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app.token(org, "hr@acme.example", Role::Owner).await;
    let p = json(
        app.patch(
            "/api/v1/organization",
            &token,
            json!({"domains": ["not a domain"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["domains"]);
    let p = json(
        app.patch(
            "/api/v1/organization",
            &token,
            json!({"default_language": "klingon"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["default_language"]);
    let o = json(app.get("/api/v1/organization", &token).await, 200).await;
    assert_eq!(
        o["domains"],
        json!(["acme.example"]),
        "a refused change leaves the settings as they were"
    );
    assert_eq!(o["default_language"], "fr");
    // The operator adds domains (checking they are the organisation's); the owner may
    // then remove one, not add one.
    let o = app
        .store
        .change_domains(
            org,
            &["@ACME.fr".into()],
            &[],
            &declic_storage::Actor::cli(),
        )
        .await
        .unwrap();
    assert_eq!(o.domains, ["acme.example", "acme.fr"]);
    let p = json(
        app.patch(
            "/api/v1/organization",
            &token,
            json!({"domains": ["acme.example", "acme.fr", "globex.example"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["domains"]);
    assert!(p.to_string().contains("operator"), "{p}");
    let o = json(
        app.patch(
            "/api/v1/organization",
            &token,
            json!({"domains": ["@ACME.fr"], "default_language": "en"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(o["domains"], json!(["acme.fr"]));
    assert_eq!(o["default_language"], "en");
}

#[tokio::test]
async fn a_mail_domain_belongs_to_one_organisation() {
    let app = TestApp::spawn().await;
    let acme = app.org("acme", "acme.example").await;
    // Another organisation cannot be created with it, nor be given it.
    let err = app
        .store
        .create_organization(
            declic_storage::orgs::NewOrganization {
                slug: "evil".into(),
                name: "Evil".into(),
                domains: vec!["ACME.example".into()],
                default_language: "fr".into(),
            },
            &declic_storage::Actor::cli(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            declic_storage::StorageError::Conflict {
                field: "domains",
                ..
            }
        ),
        "{err:?}"
    );
    let globex = app.org("globex", "globex.example").await;
    let err = app
        .store
        .change_domains(
            globex,
            &["acme.example".into()],
            &[],
            &declic_storage::Actor::cli(),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("belongs to another organisation"),
        "{err}"
    );
    // Through the API, an owner cannot add it either (nor any domain).
    let owner = app.token(globex, "it@globex.example", Role::Owner).await;
    json(
        app.patch(
            "/api/v1/organization",
            &owner,
            json!({"domains": ["globex.example", "acme.example"]}),
        )
        .await,
        422,
    )
    .await;
    // Once acme gives it up, it is free.
    app.store
        .change_domains(
            acme,
            &["acme.fr".into()],
            &["acme.example".into()],
            &declic_storage::Actor::cli(),
        )
        .await
        .unwrap();
    let o = app
        .store
        .change_domains(
            globex,
            &["acme.example".into()],
            &[],
            &declic_storage::Actor::cli(),
        )
        .await
        .unwrap();
    assert_eq!(o.domains, ["acme.example", "globex.example"]);
}

/// Inputs that used to panic the server (a viewer could trigger them): answered
/// with a problem naming the field, or an empty page, never a 500.
#[tokio::test]
async fn out_of_range_numbers_are_refused_not_panics() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let viewer = app.token(org, "viewer@acme.example", Role::Viewer).await;
    for days in [4_294_967_295_u64, 3651, 0] {
        let res = app
            .post(
                "/api/v1/tokens",
                &viewer,
                json!({"name": "script", "valid_days": days}),
            )
            .await;
        assert_eq!(res.status(), 422, "valid_days {days}");
        let p: serde_json::Value = res.json().await.unwrap();
        assert_eq!(p["errors"][0]["field"], "valid_days", "{p}");
    }
    let ok = app
        .post(
            "/api/v1/tokens",
            &viewer,
            json!({"name": "script", "valid_days": 30}),
        )
        .await;
    assert_eq!(ok.status(), 201);
    let page = json(
        app.get("/api/v1/employees?offset=9223372036854775808", &viewer)
            .await,
        200,
    )
    .await;
    assert!(page.to_string().contains("[]"), "an empty page: {page}");
}

#[tokio::test]
async fn a_nul_character_is_named_not_a_500() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", "acme.example").await;
    let token = app.token(org, "hr@acme.example", Role::Owner).await;
    let p = json(
        app.patch(
            "/api/v1/organization",
            &token,
            json!({"name": "Acme\u{0}Evil"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["name"]);
    let p = json(
        app.patch(
            "/api/v1/organization",
            &token,
            json!({"domains": ["acme.example", "x\u{0}.example"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&p), vec!["domains[1]"]);
    let o = json(app.get("/api/v1/organization", &token).await, 200).await;
    assert_eq!(o["name"], "acme Inc", "nothing stored");
}

/// Hostile values for a parameter, as they would appear in a URL.
fn hostile_values() -> Vec<String> {
    [
        "-1",
        "0",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "1e309",
        "NaN",
        "abc",
        "",
        "%00",
        "%FF%FE",
        "..%2F..%2Fetc%2Fpasswd",
        "%F0%9F%98%80",
        "%E2%80%AE",
        "true",
        "null",
        "%5B%5D",
        "2026-02-30",
        "99999-01-01",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .chain(std::iter::once("x".repeat(5000)))
    .collect()
}

/// Every parameter of every documented operation, given hostile values: a problem
/// naming what is wrong, a 404 or an empty answer, never a server error (a panic would
/// be one: see `error::catch_panics`).
#[tokio::test]
async fn every_documented_parameter_survives_hostile_values() {
    let app = TestApp::spawn().await;
    let live = crate::registration::live_campaign(&app, 3, "Atelier").await;
    let org = declic_storage::OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let owner = app.token(org, "owner@acme.example", Role::Owner).await;
    let doc = json(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let valid = |name: &str| -> String {
        match name {
            "audience" => "volunteer".into(),
            "message" => "seat_confirmed".into(),
            "lang" => "fr".into(),
            "year" => "2026".into(),
            _ => live.campaign_id.to_string(),
        }
    };
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params: Vec<String> = op["parameters"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|p| p["name"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            for target in &params {
                for value in hostile_values() {
                    let mut url = path.clone();
                    let mut query = Vec::new();
                    for p in &params {
                        let v = if p == target { value.clone() } else { valid(p) };
                        let slot = format!("{{{p}}}");
                        if url.contains(&slot) {
                            url = url.replace(&slot, &v);
                        } else if p == target {
                            query.push(format!("{p}={v}"));
                        }
                    }
                    if !query.is_empty() {
                        url = format!("{url}?{}", query.join("&"));
                    }
                    let mut req = app
                        .client
                        .request(method.to_uppercase().parse().unwrap(), app.url(&url))
                        .bearer_auth(&owner)
                        .header("content-type", "application/json");
                    if method != "get" && method != "delete" {
                        req = req.body("{}");
                    }
                    let status = req.send().await.unwrap().status().as_u16();
                    tried += 1;
                    assert!(
                        status < 500,
                        "{} {path} with {target}={}: {status}",
                        method.to_uppercase(),
                        value.chars().take(40).collect::<String>()
                    );
                }
            }
        }
    }
    assert!(tried > 1000, "only {tried} requests");
}
