//! Slack and Teams webhooks per organisation: stored sealed, shown masked, and posted
//! to by dispatches through a local server that answers as Slack and Teams do.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::IntoResponse;
use declic_storage::dispatches::{delivery_status, status};
use declic_storage::{Actor, OrgId};
use serde_json::{Value, json};

use crate::registration::live_campaign;
use crate::support::{TestApp, json as body};

/// A scripted answer: status, Retry-After, body.
type Answer = (u16, Option<&'static str>, &'static str);

/// What the fake platform received, and its scripted answers (then 200/202).
#[derive(Clone, Default)]
struct Fake {
    posts: Arc<Mutex<Vec<(String, Value)>>>,
    answers: Arc<Mutex<Vec<Answer>>>,
}

async fn fake_platform(fake: Fake) -> String {
    let handler = move |axum::extract::Path(path): axum::extract::Path<String>,
                        axum::Json(payload): axum::Json<Value>| {
        let fake = fake.clone();
        async move {
            fake.posts.lock().unwrap().push((path.clone(), payload));
            // Scripted answers are Slack's (the Teams post may arrive first).
            let scripted = {
                let mut a = fake.answers.lock().unwrap();
                if a.is_empty() || !path.starts_with("services") {
                    None
                } else {
                    Some(a.remove(0))
                }
            };
            match scripted {
                Some((code, retry, text)) => {
                    let mut res = (StatusCode::from_u16(code).unwrap(), text).into_response();
                    if let Some(r) = retry {
                        res.headers_mut().insert("retry-after", r.parse().unwrap());
                    }
                    res
                }
                None if path.starts_with("teams") => StatusCode::ACCEPTED.into_response(),
                None => (StatusCode::OK, "ok").into_response(),
            }
        }
    };
    let router = axum::Router::new().route("/{*path}", axum::routing::post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn campaign_posts_go_to_each_webhook_once_through_429_and_errors() {
    let fake = Fake::default();
    let base = fake_platform(fake.clone()).await;
    let app = TestApp::spawn_with(|c| {
        c.delivery.retry_first_secs = 0;
        c.delivery.retry_max_secs = 0;
    })
    .await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    let slack_url = format!("{base}/services/T000/B000/secretSLACKtoken1234");
    let teams_url = format!("{base}/teams/workflows/abc?sig=secretTEAMSsig5678");

    // Bad input, and who may.
    let bad = body(
        app.post(
            "/api/v1/webhooks",
            &live.token,
            json!({"name": "x", "platform": "slack", "url": "http://example.org/hook"}),
        )
        .await,
        422,
    )
    .await;
    assert!(bad.to_string().contains("url"), "{bad}");
    let bad = body(
        app.post(
            "/api/v1/webhooks",
            &live.token,
            json!({"name": "x", "platform": "irc", "url": slack_url}),
        )
        .await,
        422,
    )
    .await;
    assert!(bad.to_string().contains("platform"), "{bad}");
    let viewer = app
        .token(
            org,
            "viewer@acme.example",
            declic_storage::admins::Role::Viewer,
        )
        .await;
    body(
        app.post(
            "/api/v1/webhooks",
            &viewer,
            json!({"name": "x", "platform": "slack", "url": slack_url}),
        )
        .await,
        403,
    )
    .await;

    // Two webhooks; the URLs never come back.
    for (name, platform, url) in [
        ("Slack #paris", "slack", &slack_url),
        ("Teams RSE", "teams", &teams_url),
    ] {
        let w = body(
            app.post(
                "/api/v1/webhooks",
                &live.token,
                json!({"name": name, "platform": platform, "url": url}),
            )
            .await,
            201,
        )
        .await;
        assert!(!w.to_string().contains("secret"), "{w}");
    }
    let list = body(app.get("/api/v1/webhooks", &live.token).await, 200).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains("secret"), "{list}");
    assert!(
        list.to_string().contains("1234"),
        "a hint to tell them apart: {list}"
    );
    let owner = app
        .token(
            org,
            "owner@acme.example",
            declic_storage::admins::Role::Owner,
        )
        .await;
    let audit = body(app.get("/api/v1/audit", &owner).await, 200).await;
    assert!(!audit.to_string().contains("secretSLACK"), "{audit}");
    // Sealed in the database too.
    let rows: Vec<String> = {
        use sea_orm::{EntityTrait, QuerySelect};
        declic_storage::entity::webhook::Entity::find()
            .select_only()
            .column(declic_storage::entity::webhook::Column::UrlSealed)
            .into_tuple()
            .all(app.store.db())
            .await
            .unwrap()
    };
    assert!(
        rows.iter()
            .all(|r| !r.contains("secret") && r.starts_with("v1.")),
        "{rows:?}"
    );

    // The posts as they will go, before anything is sent.
    let p = body(
        app.get(
            &format!(
                "/api/v1/campaigns/{}/preview?channel=slack",
                live.campaign_id
            ),
            &viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(p["message"], "channel_post");
    assert!(p["payload"]["blocks"].is_array(), "{p}");
    assert!(p["payload"].to_string().contains("/c/"), "{p}");
    let p = body(
        app.get(
            &format!(
                "/api/v1/campaigns/{}/preview?channel=teams",
                live.campaign_id
            ),
            &viewer,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(p["payload"]["type"], "message", "{p}");
    // The reminder's post says it is a reminder.
    let p = body(
        app.get(
            &format!(
                "/api/v1/campaigns/{}/preview?channel=slack&step=reminder&lang=fr",
                live.campaign_id
            ),
            &viewer,
        )
        .await,
        200,
    )
    .await;
    assert!(p["payload"].to_string().contains("Rappel : "), "{p}");

    // Slack answers 429 once, then ok; Teams answers 202 (accepted).
    fake.answers
        .lock()
        .unwrap()
        .push((429, Some("1"), "rate_limited"));
    let slack = body(
        app.post(
            &format!("/api/v1/campaigns/{}/dispatches", live.campaign_id),
            &live.token,
            json!({"channel": "slack"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(slack["total"], 1);
    let teams = app
        .store
        .create_dispatch(org, live.campaign_id, "teams", false, &Actor::cli())
        .await
        .unwrap();
    declic_http::deliveries::deliver_due(&app.state)
        .await
        .unwrap();
    let id = slack["id"].as_i64().unwrap();
    let after_429 = app.store.dispatch(org, id).await.unwrap();
    assert_eq!(after_429.status, status::SENDING);
    assert_eq!(
        after_429.counts[delivery_status::RETRYING],
        1,
        "{after_429:?}"
    );
    assert_eq!(
        app.store.dispatch(org, teams.id).await.unwrap().status,
        status::FINISHED
    );
    // Retry-After (1 s) is honoured, even with no backoff configured.
    assert_eq!(
        declic_http::deliveries::deliver_due(&app.state)
            .await
            .unwrap(),
        0
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    declic_http::deliveries::deliver_due(&app.state)
        .await
        .unwrap();
    let done = app.store.dispatch(org, id).await.unwrap();
    assert_eq!(done.status, status::FINISHED, "{done:?}");
    assert_eq!(done.counts[delivery_status::SENT], 1);

    let posts = fake.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 3, "one 429, one post to Slack, one to Teams");
    let slack_post = &posts
        .iter()
        .rfind(|(p, _)| p.starts_with("services"))
        .unwrap()
        .1;
    let text = slack_post.to_string();
    assert!(text.contains("Printemps") && text.contains("/c/"), "{text}");
    let teams_post = &posts
        .iter()
        .find(|(p, _)| p.starts_with("teams"))
        .unwrap()
        .1;
    assert_eq!(teams_post["type"], "message");
    assert_eq!(
        teams_post["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );

    // A permanent error (channel archived) is reported, not retried.
    fake.answers
        .lock()
        .unwrap()
        .push((410, None, "channel_is_archived"));
    let again = app
        .store
        .dispatch_step_now(org, live.campaign_id, "slack", "reminder", &Actor::cli())
        .await
        .unwrap();
    declic_http::deliveries::deliver_due(&app.state)
        .await
        .unwrap();
    let failed = app.store.dispatch(org, again.id).await.unwrap();
    assert_eq!(failed.status, status::FINISHED);
    assert_eq!(failed.counts[delivery_status::FAILED], 1);

    // Deactivated: no more dispatches to it; another organisation sees nothing.
    let wid = list[0]["id"].as_i64().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/webhooks/{wid}")))
        .bearer_auth(&live.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let none = body(
        app.post(
            &format!("/api/v1/campaigns/{}/dispatches", live.campaign_id),
            &live.token,
            json!({"channel": "slack"}),
        )
        .await,
        422,
    )
    .await;
    assert!(none.to_string().contains("no active webhook"), "{none}");
    let other = app.org("globex", "globex.example").await;
    let outsider = app
        .token(
            other,
            "hr@globex.example",
            declic_storage::admins::Role::CampaignManager,
        )
        .await;
    assert_eq!(
        body(app.get("/api/v1/webhooks", &outsider).await, 200).await,
        json!([])
    );
}
