//! Health, readiness, metrics, OpenAPI and request ids.

use crate::support::{TestApp, json};

#[tokio::test]
async fn health_ready_and_request_ids() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(json(res, 200).await["status"], "ok");
    assert_eq!(
        json(
            app.client.get(app.url("/readyz")).send().await.unwrap(),
            200
        )
        .await["status"],
        "ready"
    );

    // Errors carry a request id too, and an incoming one is kept.
    let res = app
        .client
        .get(app.url("/api/v1/campaigns"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-42");
    json(res, 401).await;
}

#[tokio::test]
async fn metrics_count_requests() {
    // Off unless a token is set.
    let off = TestApp::spawn().await;
    let res = off.client.get(off.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 404);

    let app = TestApp::spawn_with(|c| {
        c.server.metrics_token = declic_config::Secret::new("scrape-me-0123456789");
    })
    .await;
    app.client.get(app.url("/healthz")).send().await.unwrap();
    for token in [None, Some("wrong"), Some("scrape-me-012345678")] {
        let mut req = app.client.get(app.url("/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{token:?}");
        assert!(!res.text().await.unwrap().contains("declic_http"));
    }
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            "declic_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"
        ),
        "{text}"
    );
    assert!(
        text.contains("declic_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("declic_db_pool_connections"), "{text}");
}

#[tokio::test]
async fn openapi_document_and_swagger_ui() {
    let app = TestApp::spawn().await;
    let doc = json(
        app.client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/campaigns",
        "/api/v1/employees/import",
        "/api/v1/missions/{id}/publish",
        "/api/v1/privacy/erase",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "missing {path} in the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"].get("Problem").is_some());
    let res = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        res.text().await.unwrap().contains("swagger"),
        "Swagger UI is served"
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app =
        TestApp::spawn_with(|c| c.server.public_url = "https://declic.acme.example".into()).await;
    let live = crate::registration::live_campaign(&app, 2, "Atelier").await;
    // API answers hold personal data: never cached, never sniffed.
    let res = app.get("/api/v1/organization", &live.token).await;
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    // An SVG opened on its own runs nothing.
    let res = app
        .get(
            &format!("/api/v1/campaigns/{}/referrals.svg", live.campaign_id),
            &live.token,
        )
        .await;
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    // Served over http (the default here), no HSTS: it would lock people out.
    let plain = TestApp::spawn().await;
    let res = plain
        .client
        .get(plain.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn unknown_routes_are_404() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/api/v1/nope"))
        .send()
        .await
        .unwrap();
    json(res, 404).await;
    let res = app.client.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

/// Status codes of `n` visits of the campaign page from `client` (as a proxy says).
async fn visits(app: &TestApp, link: &str, client: Option<&str>, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        let mut req = app.client.get(link);
        if let Some(c) = client {
            req = req.header("x-forwarded-for", format!("6.6.6.6, {c}"));
        }
        out.push(req.send().await.unwrap().status().as_u16());
    }
    out
}

#[tokio::test]
async fn rate_limits_count_each_client_behind_a_trusted_proxy_and_only_there() {
    let limited = |c: &mut declic_config::Config| {
        c.limits.public_per_minute = 1;
        c.limits.public_burst = 2;
    };
    // Behind the deployment's proxy (here, this machine): one bucket per client.
    let app = TestApp::spawn_with(|c| {
        limited(c);
        c.server.trusted_proxies = vec!["127.0.0.1".into(), "::1".into()];
    })
    .await;
    let live = crate::registration::live_campaign(&app, 2, "Atelier").await;
    assert_eq!(
        visits(&app, &live.link, Some("203.0.113.1"), 3).await,
        [200, 200, 429]
    );
    assert_eq!(
        visits(&app, &live.link, Some("203.0.113.2"), 2).await,
        [200, 200]
    );
    // The client's own first entry (6.6.6.6) changes nothing: the proxy's entry counts.

    // Without a trusted proxy, a client's header is only a claim: one bucket for all.
    let app = TestApp::spawn_with(limited).await;
    let live = crate::registration::live_campaign(&app, 2, "Atelier").await;
    assert_eq!(
        visits(&app, &live.link, Some("203.0.113.1"), 2).await,
        [200, 200]
    );
    assert_eq!(
        visits(&app, &live.link, Some("203.0.113.2"), 1).await,
        [429]
    );
}

#[tokio::test]
async fn a_new_sqlite_database_is_in_wal_mode() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::spawn().await;
    if app.store.backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    let mode: String = app
        .store
        .db()
        .query_one_raw(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA journal_mode".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    assert_eq!(mode.to_ascii_lowercase(), "wal");
}
