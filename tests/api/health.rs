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
    let app = TestApp::spawn().await;
    app.client.get(app.url("/healthz")).send().await.unwrap();
    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
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
    assert!(
        res.text().await.unwrap().contains("swagger"),
        "Swagger UI is served"
    );
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
