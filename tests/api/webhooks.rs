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
    declic_app::delivery_worker::deliver_due(&app.state)
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
        declic_app::delivery_worker::deliver_due(&app.state)
            .await
            .unwrap(),
        0
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    declic_app::delivery_worker::deliver_due(&app.state)
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
    declic_app::delivery_worker::deliver_due(&app.state)
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

#[tokio::test]
async fn own_post_templates_are_checked_previewed_and_posted() {
    let fake = Fake::default();
    let base = fake_platform(fake.clone()).await;
    let app = TestApp::spawn().await;
    let live = live_campaign(&app, 5, "Atelier \"CV\" <b>").await;
    let cid = live.campaign_id;
    for (name, platform, url) in [
        (
            "Slack",
            "slack",
            format!("{base}/services/T000/B000/secretSLACKtoken1234"),
        ),
        (
            "Teams",
            "teams",
            format!("{base}/teams/workflows/abc?sig=secretTEAMSsig5678"),
        ),
    ] {
        body(
            app.post(
                "/api/v1/webhooks",
                &live.token,
                json!({"name": name, "platform": platform, "url": url}),
            )
            .await,
            201,
        )
        .await;
    }

    // The built-in template is the starting point, with its variables.
    let shown = body(
        app.get("/api/v1/templates/slack_post/fr", &live.token)
            .await,
        200,
    )
    .await;
    assert_eq!(shown["source"], "builtin");
    assert!(
        shown["payload"]
            .as_str()
            .unwrap()
            .contains("{{mrkdwn key_message}}"),
        "{shown}"
    );
    assert!(
        shown["variables"]
            .to_string()
            .contains("missions[].association_name")
    );

    // Refused: not JSON, a value in mrkdwn without {{mrkdwn}}, no link, an unknown
    // variable; each says why, under `payload`; nothing stored.
    for (source, why) in [
        (
            r#"{"text": "{{mrkdwn campaign_url}}" "blocks": []}"#,
            "valid JSON",
        ),
        (
            r#"{"text": "{{key_message}} {{mrkdwn campaign_url}}"}"#,
            "{{mrkdwn …}}",
        ),
        (r#"{"text": "{{mrkdwn key_message}}"}"#, "campaign link"),
        (
            r#"{"text": "{{salaire}} {{mrkdwn campaign_url}}"}"#,
            "unknown variable `salaire`",
        ),
        (r#"{"text": "{{{campaign_url}}}"}"#, "break the JSON"),
    ] {
        let p = body(
            app.put(
                "/api/v1/templates/slack_post/fr",
                &live.token,
                json!({"payload": source}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(crate::support::problem_fields(&p), ["payload"], "{p}");
        assert!(p.to_string().contains(why), "{why}: {p}");
    }
    let p = body(
        app.put(
            "/api/v1/templates/teams_post/fr",
            &live.token,
            json!({"subject": "x", "payload": "{}"}),
        )
        .await,
        422,
    )
    .await;
    assert!(p.to_string().contains("subject"), "{p}");
    assert_eq!(
        body(app.get("/api/v1/templates", &live.token).await, 200).await,
        json!([])
    );

    // The organisation's Slack post lists the missions; the campaign has its own Teams card.
    let slack = r#"{
      "text": "{{#if reminder}}Rappel — {{/if}}{{mrkdwn campaign_title}} : {{mrkdwn campaign_url}}",
      "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "{{title}}"}},
        {{#each missions}}
        {"type": "section", "text": {"type": "mrkdwn", "text": "*{{mrkdwn title}}* ({{mrkdwn association_name}}), {{mrkdwn dates_text}}"}},
        {{/each}}
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "J'y vais"}, "url": "{{campaign_url}}"}]},
      ]
    }"#;
    let saved = body(
        app.put(
            "/api/v1/templates/slack_post/fr",
            &live.token,
            json!({"payload": slack}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(saved["payload"], slack);
    let teams = r#"{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
      "content": {"type": "AdaptiveCard", "version": "1.4",
        "body": [{"type": "TextBlock", "text": "{{organization_name}} · {{campaign_title}}", "wrap": true},
                 {"type": "TextBlock", "text": "{{key_message}}", "wrap": true}],
        "actions": [{"type": "Action.OpenUrl", "title": "Participer", "url": "{{campaign_url}}"}]}}]}"#;
    body(
        app.put(
            &format!("/api/v1/templates/teams_post/fr?campaign_id={cid}"),
            &live.token,
            json!({"payload": teams}),
        )
        .await,
        200,
    )
    .await;

    // The preview shows the posts exactly as they will go.
    let p = body(
        app.get(
            &format!("/api/v1/campaigns/{cid}/preview?channel=slack&step=reminder"),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let payload = &p["payload"];
    assert!(
        payload["text"]
            .as_str()
            .unwrap()
            .starts_with("Rappel — Printemps &lt;solidaire&gt;"),
        "{p}"
    );
    assert_eq!(
        payload["blocks"][0]["text"]["text"],
        "Rappel : Printemps <solidaire>"
    );
    assert_eq!(
        payload["blocks"][1]["text"]["text"]
            .as_str()
            .unwrap()
            .split(" (")
            .next(),
        Some("*Atelier \"CV\" &lt;b&gt;*")
    );
    assert_eq!(payload["blocks"].as_array().unwrap().len(), 3, "{p}");

    // Posted as previewed.
    body(
        app.post(
            &format!("/api/v1/campaigns/{cid}/dispatches"),
            &live.token,
            json!({"channel": "slack"}),
        )
        .await,
        201,
    )
    .await;
    body(
        app.post(
            &format!("/api/v1/campaigns/{cid}/dispatches"),
            &live.token,
            json!({"channel": "teams"}),
        )
        .await,
        201,
    )
    .await;
    declic_app::delivery_worker::deliver_due(&app.state)
        .await
        .unwrap();
    let posts = fake.posts.lock().unwrap().clone();
    let slack_post = &posts
        .iter()
        .find(|(p, _)| p.starts_with("services"))
        .unwrap()
        .1;
    assert_eq!(
        slack_post["blocks"][2]["elements"][0]["text"]["text"],
        "J'y vais"
    );
    assert!(
        slack_post["blocks"][1]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("Atelier")
    );
    let url = slack_post["blocks"][2]["elements"][0]["url"]
        .as_str()
        .unwrap();
    assert!(url.contains("/c/") && url.contains("lang=fr"), "{url}");
    let teams_post = &posts
        .iter()
        .find(|(p, _)| p.starts_with("teams"))
        .unwrap()
        .1;
    let card = &teams_post["attachments"][0]["content"];
    assert_eq!(card["actions"][0]["title"], "Participer");
    assert!(
        card["body"][0]["text"]
            .as_str()
            .unwrap()
            .ends_with("Printemps <solidaire>"),
        "{card}"
    );
    assert_eq!(card["body"][1]["text"], "Vos compétences comptent.");
}

#[tokio::test]
async fn webhooks_go_only_to_the_platforms_on_public_addresses() {
    let fake = Fake::default();
    let base = fake_platform(fake.clone()).await;
    // The deployment's default policy (the other tests allow the local fake).
    let app = TestApp::spawn_with(|c| {
        c.webhooks.allow_other_hosts = false;
        c.webhooks.allow_private_addresses = false;
    })
    .await;
    let live = live_campaign(&app, 5, "Atelier CV").await;
    let org = OrgId(app.store.organization_by_slug("acme").await.unwrap().id);
    for (url, says) in [
        (format!("{base}/services/T/B/secretLOCAL"), "https://"),
        ("https://127.0.0.1/services/T/B/x".to_owned(), "private"),
        (
            "https://169.254.169.254/latest/meta-data".to_owned(),
            "private",
        ),
        ("https://[::ffff:10.0.0.1]/hook".to_owned(), "private"),
        ("https://[fd00::1]/hook".to_owned(), "private"),
        ("https://localhost/hook".to_owned(), "private"),
        (
            "https://intranet.acme.example/hook".to_owned(),
            "hooks.slack.com",
        ),
        (
            "https://hooks.slack.com.evil.example/x".to_owned(),
            "hooks.slack.com",
        ),
    ] {
        let bad = body(
            app.post(
                "/api/v1/webhooks",
                &live.token,
                json!({"name": "x", "platform": "slack", "url": url}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(bad["errors"][0]["field"], "url", "{url}: {bad}");
        assert!(bad.to_string().contains(says), "{url}: {bad}");
        assert!(!bad.to_string().contains("secretLOCAL"), "{bad}");
    }
    // The platforms' own hosts are accepted (nothing is requested when saving).
    for (platform, url) in [
        (
            "slack",
            "https://hooks.slack.com/services/T0/B0/abcdefghijklmnop",
        ),
        (
            "teams",
            "https://prod-42.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t",
        ),
    ] {
        let w = body(
            app.post(
                "/api/v1/webhooks",
                &live.token,
                json!({"name": platform, "platform": platform, "url": url}),
            )
            .await,
            201,
        )
        .await;
        let res = app
            .client
            .delete(app.url(&format!("/api/v1/webhooks/{}", w["id"])))
            .bearer_auth(&live.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    // A webhook saved before the policy was tightened (or whose name now resolves to a
    // private address) is refused at send time: nothing reaches it, nothing is retried.
    let private = format!("{base}/services/T/B/secretLOCAL");
    let sealed = app.state.signer.seal(&private).unwrap();
    app.store
        .create_webhook(org, "old relay", "slack", &sealed, "old", &Actor::cli())
        .await
        .unwrap();
    let d = body(
        app.post(
            &format!("/api/v1/campaigns/{}/dispatches", live.campaign_id),
            &live.token,
            json!({"channel": "slack"}),
        )
        .await,
        201,
    )
    .await;
    declic_app::delivery_worker::deliver_due(&app.state)
        .await
        .unwrap();
    let done = app
        .store
        .dispatch(org, d["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(done.status, status::FINISHED, "{done:?}");
    assert_eq!(done.counts[delivery_status::FAILED], 1, "{done:?}");
    assert!(fake.posts.lock().unwrap().is_empty(), "nothing was posted");
}
